package dev.marketdata;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

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

    private static void assertShowsNoSecret(String where, String text) {
        for (String secret : List.of(REDIS_SECRET, PROXY_SECRET, WRONG_SECRET)) {
            assertFalse(text.contains(secret), where + " shows a password");
        }
    }
}
