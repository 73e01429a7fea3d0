package dev.marketdata.pipeline;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Set;

import org.apache.camel.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.embedded.RedisServer;

/**
 * For a first run on a bare machine: when {@code redis.embedded} is on and nothing answers at the
 * configured local host:port, start the real {@code redis-server} shipped with embedded-redis there
 * (in memory, no persistence) and say so loudly. Production points {@code redis.host} at a real Redis.
 */
public class EmbeddedRedisLauncher implements Service {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedRedisLauncher.class);
    private static final Set<String> LOCAL = Set.of("localhost", "127.0.0.1", "::1", "0:0:0:0:0:0:0:1");

    private final String host;
    private final int port;
    private RedisServer server;

    public EmbeddedRedisLauncher(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /** Starts the embedded server if one is needed and possible; returns whether it did. */
    public synchronized boolean startIfAbsent() {
        if (answers(host, port)) {
            return false;
        }
        if (!LOCAL.contains(host)) {
            LOG.warn("Nothing answers at Redis {}:{} and it is not a local address, so no embedded Redis is started "
                    + "there; the gateway runs degraded until it can reach Redis", host, port);
            return false;
        }
        try {
            server = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                    .setting("save \"\"").setting("appendonly no").build();
            server.start();
        } catch (IOException | RuntimeException e) {
            LOG.warn("Could not start the embedded Redis on port {}: {}", port, e.getMessage());
            server = null;
            return false;
        }
        LOG.warn("*******************************************************************************");
        LOG.warn("* No Redis answered at {}:{}: started an EMBEDDED redis-server there (in memory,", host, port);
        LOG.warn("* no persistence, gone when this process stops). For production set");
        LOG.warn("* redis.host/redis.port to a real Redis, or redis.embedded=false.");
        LOG.warn("*******************************************************************************");
        return true;
    }

    static boolean answers(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Override
    public void start() {
        // Started eagerly by the configuration, before the Redis client is built.
    }

    @Override
    public synchronized void stop() {
        if (server != null) {
            try {
                server.stop();
            } catch (IOException e) {
                LOG.debug("embedded Redis stop: {}", e.getMessage());
            }
            server = null;
        }
    }
}
