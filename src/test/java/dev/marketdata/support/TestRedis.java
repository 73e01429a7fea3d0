package dev.marketdata.support;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;

import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import redis.clients.jedis.Jedis;
import redis.embedded.RedisServer;

/**
 * The real Redis the tests use: the one at {@code REDIS_URL} when set, else one embedded
 * {@code redis-server} per test JVM on a free loopback port.
 */
public final class TestRedis {

    private static String host;
    private static int port;
    private static RedisServer server;

    private TestRedis() {
    }

    public static synchronized void ensureStarted() {
        if (host != null) {
            return;
        }
        String url = System.getenv("REDIS_URL");
        if (url != null && !url.isBlank()) {
            URI uri = URI.create(url);
            host = uri.getHost();
            port = uri.getPort() > 0 ? uri.getPort() : 6379;
            return;
        }
        try {
            port = freePort();
            server = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                    .setting("save \"\"").setting("appendonly no").build();
            server.start();
            host = "127.0.0.1";
            Runtime.getRuntime().addShutdownHook(new Thread(TestRedis::stop));
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the embedded redis-server", e);
        }
    }

    public static String host() {
        ensureStarted();
        return host;
    }

    public static int port() {
        ensureStarted();
        return port;
    }

    public static Jedis client() {
        return new Jedis(host(), port());
    }

    /** A started Spring connection factory on the test Redis, as the gateway builds one; destroy it after use. */
    public static JedisConnectionFactory connectionFactory() {
        JedisConnectionFactory factory = new JedisConnectionFactory(new RedisStandaloneConfiguration(host(), port()));
        factory.afterPropertiesSet();
        factory.start();
        return factory;
    }

    /** The value of a key, or null. */
    public static String get(String key) {
        try (Jedis redis = client()) {
            return redis.get(key);
        }
    }

    public static void flush() {
        try (Jedis jedis = client()) {
            jedis.flushAll();
        }
    }

    /** Stops the embedded server (to simulate an outage); {@link #restart()} brings it back on the same port. */
    public static synchronized void stop() {
        if (server != null) {
            try {
                server.stop();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }

    public static synchronized void restart() throws IOException {
        if (server != null) {
            server.start();
        }
    }

    public static boolean embedded() {
        ensureStarted();
        return server != null;
    }

    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
