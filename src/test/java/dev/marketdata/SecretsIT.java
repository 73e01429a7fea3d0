package dev.marketdata;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

import dev.marketdata.pipeline.IngestMetrics;
import dev.marketdata.support.BinanceStandIn;
import dev.marketdata.support.LoopbackProxy;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.embedded.RedisServer;

/**
 * Redis AUTH with a user and password, a proxy with a password, and a proxy with a wrong one: everything
 * works, and neither password shows up in logs, health output, metrics, JMX attributes or settings.
 */
class SecretsIT {

    private static final String REDIS_SECRET = "r3dis-s3cret-pw";
    private static final String PROXY_SECRET = "pr0xy-s3cret-pw";
    private static final String WRONG_SECRET = "wr0ng-s3cret-pw";
    private static final String FRAME = "{\"stream\":\"btcusdt@bookTicker\",\"data\":{\"u\":77,\"s\":\"BTCUSDT\","
            + "\"b\":\"43000.10\",\"B\":\"1.2\",\"a\":\"43000.20\",\"A\":\"0.8\"}}";

    @Test
    void secretsAreUsedButNeverShown() throws Exception {
        int redisPort = TestRedis.freePort();
        RedisServer redis = RedisServer.newRedisServer().port(redisPort).bind("127.0.0.1")
                .setting("save \"\"").setting("appendonly no")
                .setting("user default off")
                .setting("user gateway on >" + REDIS_SECRET + " ~* &* +@all").build();
        redis.start();
        try (BinanceStandIn standIn = new BinanceStandIn(List.of(FRAME));
                LoopbackProxy socks = new LoopbackProxy(LoopbackProxy.Kind.SOCKS5, "dev", PROXY_SECRET)) {
            try (RunningGateway gateway = RunningGateway.start(Map.of(
                    "binance.ws.url", standIn.url(),
                    "binance.symbols", "BTCUSDT",
                    "binance.proxies", socks.url("dev", WRONG_SECRET) + "," + socks.url("dev", PROXY_SECRET),
                    "redis.port", Integer.toString(redisPort),
                    "redis.username", "gateway",
                    "redis.password", REDIS_SECRET))) {
                IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
                await("stored through the authenticated Redis", Duration.ofSeconds(20),
                        () -> metrics.storedCount("BTCUSDT") == 1);
                assertEquals(1, socks.authFailures());
                try (Jedis client = new Jedis("127.0.0.1", redisPort)) {
                    client.auth("gateway", REDIS_SECRET);
                    assertTrue(client.get("tick:latest:BTCUSDT").contains("\"update_id\":77"));
                }
                assertShowsNoSecret("GET /api/v1/health", gateway.send("/api/v1/health").body());
                assertShowsNoSecret("GET /observe/health", gateway.send("/observe/health").body());
                assertShowsNoSecret("GET /observe/metrics", gateway.send("/observe/metrics").body());
                assertShowsNoSecret("settings", gateway.bean("gatewaySettings", GatewaySettings.class).toString());
                MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
                ObjectName feed = new ObjectName("org.apache.camel:context=market-data,type=feed,name=binance");
                for (MBeanAttributeInfo attribute : jmx.getMBeanInfo(feed).getAttributes()) {
                    assertShowsNoSecret("JMX " + attribute.getName(), String.valueOf(jmx.getAttribute(feed, attribute.getName())));
                }
                assertTrue(String.valueOf(jmx.getAttribute(feed, "LastError")).contains("socks5://dev:***@"));
            }
            // A wrong Redis password is a setting to fix: start-up stops, naming the property, showing no password.
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> RunningGateway.start(Map.of(
                    "binance.ws.url", standIn.url(), "binance.symbols", "BTCUSDT",
                    "redis.port", Integer.toString(redisPort), "redis.username", "gateway",
                    "redis.password", WRONG_SECRET)));
            assertEquals("Invalid redis.password: Redis refused the configured credentials (WRONGPASS invalid "
                    + "username-password pair or user is disabled.); check redis.username and redis.password / "
                    + "redis.password-file", refused.getMessage());
        } finally {
            redis.stop();
        }
        String log = Files.readString(Path.of("target", "test-logs", "gateway.log"));
        assertTrue(log.contains("socks5://dev:***@127.0.0.1"), "the failover was logged, masked");
        assertShowsNoSecret("the log", log);
    }

    /**
     * The packaged jar with the Redis password in a file and the proxy password in an environment variable:
     * a JMX client reading every attribute of every MBean (the JVM's own, Camel's routes, endpoints, services
     * and components, the feed's) finds neither. A decoy passed with -D is found, so the scan does see what
     * -D exposes.
     */
    @Test
    void noJmxAttributeShowsASecretPassedByFileOrEnvironment() throws Exception {
        int redisPort = TestRedis.freePort();
        RedisServer redis = RedisServer.newRedisServer().port(redisPort).bind("127.0.0.1")
                .setting("save \"\"").setting("appendonly no").setting("user default off")
                .setting("user gateway on >" + REDIS_SECRET + " ~* &* +@all").build();
        redis.start();
        Path passwordFile = Files.createTempFile("redis-password", "");
        Files.writeString(passwordFile, REDIS_SECRET + "\n");
        String decoy = "DECOY-" + System.nanoTime();
        int jmxPort = TestRedis.freePort();
        int apiPort = TestRedis.freePort();
        while (apiPort == jmxPort || apiPort == redisPort) {
            apiPort = TestRedis.freePort();
        }
        Process gateway = null;
        try (BinanceStandIn standIn = new BinanceStandIn(List.of(FRAME));
                LoopbackProxy socks = new LoopbackProxy(LoopbackProxy.Kind.SOCKS5, "dev", PROXY_SECRET)) {
            ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Dcom.sun.management.jmxremote.port=" + jmxPort, "-Dcom.sun.management.jmxremote.rmi.port=" + jmxPort,
                    "-Dcom.sun.management.jmxremote.host=127.0.0.1", "-Djava.rmi.server.hostname=127.0.0.1",
                    "-Dcom.sun.management.jmxremote.authenticate=false", "-Dcom.sun.management.jmxremote.ssl=false",
                    "-Dmarketdata.decoy=" + decoy,
                    "-Dbinance.ws.url=" + standIn.url(), "-Dbinance.symbols=BTCUSDT",
                    "-Dredis.port=" + redisPort, "-Dredis.embedded=false", "-Dredis.username=gateway",
                    "-Dredis.password-file=" + passwordFile, "-Dcamel.server.port=" + apiPort,
                    "-jar", "target/market-data.jar");
            builder.environment().put("BINANCE_PROXIES", socks.url("dev", PROXY_SECRET));
            File log = Files.createTempFile("market-data-secrets", ".log").toFile();
            gateway = builder.redirectErrorStream(true).redirectOutput(log).start();
            Process running = gateway;
            await("stored through the proxy into the authenticated Redis", Duration.ofSeconds(60), () -> {
                assertTrue(running.isAlive(), "the gateway stopped; see " + log);
                try (Jedis client = new Jedis("127.0.0.1", redisPort)) {
                    client.auth("gateway", REDIS_SECRET);
                    return client.exists("tick:latest:BTCUSDT");
                } catch (RuntimeException e) {
                    return false;
                }
            });
            assertEquals(1, socks.tunnels().size(), "the feed went through the proxy from the environment");
            JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + jmxPort + "/jmxrmi");
            StringBuilder everything = new StringBuilder();
            int attributes = 0;
            try (JMXConnector connector = JMXConnectorFactory.connect(url)) {
                MBeanServerConnection jmx = connector.getMBeanServerConnection();
                Set<ObjectName> names = jmx.queryNames(null, null);
                assertTrue(names.stream().anyMatch(n -> n.getDomain().equals("org.apache.camel")));
                for (ObjectName name : names) {
                    everything.append(name).append('\n');
                    for (MBeanAttributeInfo info : jmx.getMBeanInfo(name).getAttributes()) {
                        if (!info.isReadable()) {
                            continue;
                        }
                        try {
                            flatten(jmx.getAttribute(name, info.getName()), everything);
                            attributes++;
                        } catch (Exception unreadable) {
                            // some attributes are unsupported on this JVM; the others are read
                        }
                    }
                }
            }
            String scanned = everything.toString();
            assertTrue(attributes > 1_000, "read " + attributes + " attributes");
            assertTrue(scanned.contains(decoy), "the scan sees -D system properties");
            assertTrue(scanned.contains("binance.symbols=BTCUSDT"), "the scan sees the JVM's arguments");
            assertShowsNoSecret("JMX", scanned);
            assertShowsNoSecret("the log", Files.readString(log.toPath()));
        } finally {
            if (gateway != null) {
                gateway.destroy();
                gateway.waitFor(60, TimeUnit.SECONDS);
            }
            redis.stop();
        }
    }

    /** Every value inside an attribute, however nested (composite and tabular data, arrays, collections). */
    private static void flatten(Object value, StringBuilder out) {
        if (value instanceof CompositeData composite) {
            composite.values().forEach(v -> flatten(v, out));
        } else if (value instanceof TabularData tabular) {
            tabular.values().forEach(v -> flatten(v, out));
        } else if (value instanceof Object[] array) {
            for (Object v : array) {
                flatten(v, out);
            }
        } else if (value instanceof Iterable<?> iterable) {
            iterable.forEach(v -> flatten(v, out));
        } else if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> {
                flatten(k, out);
                flatten(v, out);
            });
        } else {
            out.append(value).append('\n');
        }
    }

    private static void assertShowsNoSecret(String where, String text) {
        for (String secret : List.of(REDIS_SECRET, PROXY_SECRET, WRONG_SECRET)) {
            assertFalse(text.contains(secret), where + " shows a password");
        }
    }
}
