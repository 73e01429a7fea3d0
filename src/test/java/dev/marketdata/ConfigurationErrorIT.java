package dev.marketdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/**
 * The packaged jar, started as an operator would with a bad setting, a REST port another process holds, or
 * credentials Redis refuses: one line naming the property, exit code 2, no stack trace, no secret.
 */
class ConfigurationErrorIT {

    @Test
    void aBadSettingStopsStartUpWithOneClearLine() throws Exception {
        assertStopsWith("market-data: not started: Invalid binance.streams 'bookTicker,depth': 'depth' is not one of "
                + "bookTicker, ticker, miniTicker", "-Dbinance.streams=bookTicker,depth");
        assertStopsWith("market-data: not started: Invalid binance.proxies: 'ftp://ops:***@proxy:21' has scheme 'ftp'; "
                + "use socks5://, socks4://, http:// or direct", "-Dbinance.proxies=ftp://ops:hunter2@proxy:21");
        assertStopsWith("market-data: not started: Invalid camel.server.port '70000': must be between 0 and 65535",
                "-Dcamel.server.port=70000");
        assertStopsWith("market-data: not started: Invalid tick.ttl.seconds '-1': must be between 1 and 2592000",
                "-Dtick.ttl.seconds=-1");
    }

    /** Running makes no sense when the REST port belongs to another process: its probes would reach that one. */
    @Test
    void aRestPortInUseStopsStartUp() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertStopsWith("market-data: not started: Invalid camel.server.port '" + port + "': cannot listen on "
                    + "127.0.0.1:" + port + " (Address already in use); another process holds it, or set another "
                    + "camel.server.port", "-Dcamel.server.host=127.0.0.1", "-Dcamel.server.port=" + port);
            // The management server (metrics, health) on a port of its own is checked the same way.
            assertStopsWith("market-data: not started: Invalid camel.management.port '" + port + "': cannot listen on "
                    + "0.0.0.0:" + port + " (Address already in use); another process holds it, or set another "
                    + "camel.management.port", "-Dcamel.server.port=0", "-Dcamel.management.port=" + port);
        }
    }

    /**
     * Nothing would ever be written with credentials Redis refuses, or as a user who may not write; Redis merely
     * unreachable is retried instead.
     */
    @Test
    void credentialsOrPermissionsRedisRefusesStopStartUp() throws Exception {
        int redisPort = TestRedis.freePort();
        RedisServer redis = RedisServer.newRedisServer().port(redisPort).bind("127.0.0.1")
                .setting("save \"\"").setting("appendonly no").setting("requirepass c0rrect-pw")
                .setting("user reader on >r3ader-pw ~* &* +@read +ping +type").build();
        redis.start();
        try {
            assertStopsWith("market-data: not started: Invalid redis.password: Redis refused the configured credentials "
                    + "(WRONGPASS invalid username-password pair or user is disabled.); check redis.username and "
                    + "redis.password / redis.password-file",
                    "-Dredis.port=" + redisPort, "-Dredis.password=hunter2", "-Dcamel.server.port=0");
            assertStopsWith("market-data: not started: Invalid redis.password: Redis refused the configured credentials "
                    + "(NOAUTH Authentication required.); check redis.username and redis.password / redis.password-file",
                    "-Dredis.port=" + redisPort, "-Dcamel.server.port=0");
            assertStopsWith("market-data: not started: Invalid redis.username: the Redis user may not run a command the "
                    + "gateway needs (NOPERM this user has no permissions to run the 'eval' command or its subcommand); "
                    + "grant it PING, GET, SET, MGET, DEL, TYPE, EVAL, EVALSHA, SCRIPT LOAD, HSET, HMGET and EXPIRE on tick:*",
                    "-Dredis.port=" + redisPort, "-Dredis.username=reader", "-Dredis.password=r3ader-pw",
                    "-Dcamel.server.port=0");
        } finally {
            redis.stop();
        }
    }

    @Test
    void aBindAddressOfNoInterfaceAndAnAlertEndpointTheJarCannotReachAreNamed() throws Exception {
        assertStopsWith("market-data: not started: Invalid camel.server.host '10.255.255.254': no interface of this "
                + "machine has that address (Cannot assign requested address)",
                "-Dcamel.server.host=10.255.255.254", "-Dcamel.server.port=" + TestRedis.freePort());
        // (camel-kafka is in the jar since kafka.bootstrap-servers: a JMS endpoint stands for one it cannot reach.)
        assertStopsWith("market-data: not started: Invalid quality.alert.uri 'jms:quality-alerts': no Camel endpoint of "
                + "that kind in this build (the 'jms' component is not in the jar, or the URI is not one of its endpoints)",
                "-Dquality.alert.uri=jms:quality-alerts", "-Dcamel.server.port=0");
    }

    @Test
    void aKafkaServerListThatIsNotHostAndPortIsNamed() throws Exception {
        assertStopsWith("market-data: not started: Invalid kafka.bootstrap-servers 'kafka-1:9092,kafka-2': 'kafka-2' is not "
                + "host:port (a comma-separated list such as kafka-1:9092,kafka-2:9092)",
                "-Dkafka.bootstrap-servers=kafka-1:9092,kafka-2", "-Dcamel.server.port=0");
    }

    /** Credentials point at a secured Redis: no embedded one takes its port, and unreachable is retried. */
    @Test
    void withRedisCredentialsNoEmbeddedRedisIsStartedAndAnUnreachableOneIsRetried() throws Exception {
        int redisPort = TestRedis.freePort();
        int apiPort = TestRedis.freePort();
        Path passwordFile = Files.writeString(Files.createTempFile("redis-password", ""), "s3cret\n");
        File out = Files.createTempFile("market-data", ".log").toFile();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dredis.embedded=true", "-Dredis.port=" + redisPort, "-Dredis.password-file=" + passwordFile,
                "-Dcamel.server.port=" + apiPort,
                "-Dbinance.ws.url=ws://127.0.0.1:1/stream", "-jar", "target/market-data.jar")
                .redirectErrorStream(true).redirectOutput(out).start();
        p.getOutputStream().close();
        try {
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            dev.marketdata.support.RunningGateway.await("the API answers", java.time.Duration.ofSeconds(60), () -> {
                assertTrue(p.isAlive(), "the gateway stopped");
                try {
                    return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + apiPort
                            + "/api/v1/health")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body()
                            .contains("\"redis\":{\"status\":\"down\"");
                } catch (Exception e) {
                    return false;
                }
            });
            try (java.net.Socket probe = new java.net.Socket()) {
                assertThrows(java.io.IOException.class, () -> probe.connect(new java.net.InetSocketAddress("127.0.0.1", redisPort), 500),
                        "nothing listens on the Redis port");
            }
            assertTrue(Files.readString(out.toPath()).contains("redis.embedded is on, but Redis credentials are set: no "
                    + "embedded Redis is started"));
        } finally {
            p.destroy();
            p.waitFor(60, TimeUnit.SECONDS);
        }
    }

    private static void assertStopsWith(String expectedLine, String... properties) throws Exception {
        File out = Files.createTempFile("market-data", ".log").toFile();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dredis.embedded=false", "-Dbinance.ws.url=ws://127.0.0.1:1/stream"));
        command.addAll(List.of(properties));
        command.addAll(List.of("-jar", "target/market-data.jar"));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the gateway did not stop");
        assertEquals(2, p.exitValue());
        List<String> lines = Files.readAllLines(out.toPath());
        assertEquals(List.of(expectedLine), lines.stream().filter(l -> l.contains("not started")).toList());
        String all = String.join("\n", lines);
        assertFalse(all.contains("Exception"), all);
        assertFalse(all.contains("hunter2") || all.contains("r3ader-pw"), all);
        // Nobody sent a signal: Camel's hook line "JVM shutdown hook triggered by SIGTERM" would say otherwise.
        assertFalse(all.contains("SIGTERM"), all);
    }
}
