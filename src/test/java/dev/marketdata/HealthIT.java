package dev.marketdata;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marketdata.support.BinanceStandIn;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Health as Redis goes away and comes back, and as the feed goes too. */
class HealthIT {

    private static final List<String> FRAMES = List.of(
            "{\"stream\":\"btcusdt@bookTicker\",\"data\":{\"u\":11,\"s\":\"BTCUSDT\",\"b\":\"43000.10\",\"B\":\"1.2\",\"a\":\"43000.20\",\"A\":\"0.8\"}}",
            "{\"stream\":\"ethusdt@bookTicker\",\"data\":{\"u\":12,\"s\":\"ETHUSDT\",\"b\":\"2300.10\",\"B\":\"3.2\",\"a\":\"2300.30\",\"A\":\"1.8\"}}");

    @Test
    void degradedWithoutRedisHealthyWhenItReturnsUnhealthyWithoutRedisAndFeed() throws Exception {
        Assumptions.assumeTrue(TestRedis.embedded(), "needs the embedded Redis it can stop (REDIS_URL is set)");
        TestRedis.flush();
        BinanceStandIn standIn = new BinanceStandIn(FRAMES);
        try (RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", standIn.url(),
                "binance.symbols", "BTCUSDT,ETHUSDT"))) {
            await("healthy", Duration.ofSeconds(20), () -> "healthy".equals(status(gateway)));
            dev.marketdata.pipeline.IngestMetrics metrics = gateway.bean(dev.marketdata.pipeline.IngestMetrics.BEAN,
                    dev.marketdata.pipeline.IngestMetrics.class);
            await("both symbols stored", Duration.ofSeconds(20),
                    () -> metrics.storedCount("BTCUSDT") == 1 && metrics.storedCount("ETHUSDT") == 1);
            assertEquals(200, gateway.status("/api/v1/health"));
            assertEquals(200, gateway.status("/observe/health/ready"));
            assertEquals(200, gateway.status("/observe/health/live"));
            // The checks a probe runs: what serves, nothing per route (35 checks a probe before; issue #11).
            List<String> checks = new ArrayList<>();
            gateway.getJson("/observe/health?exposureLevel=full").get("checks").forEach(c -> checks.add(c.get("name").asText()));
            assertEquals(List.of("context", "serving", "redis"), checks);
            try {
                TestRedis.stop();
                await("degraded", Duration.ofSeconds(20), () -> "degraded".equals(status(gateway)));
                JsonNode health = gateway.getJson("/api/v1/health").get("data");
                assertEquals("down", health.get("redis").get("status").asText());
                assertEquals("up", health.get("feed").get("status").asText());
                assertEquals(200, gateway.status("/api/v1/health"));
                // Still ready: it holds the last known ticks and serves them. /observe/health reports Redis down.
                await("Redis seen down", Duration.ofSeconds(20), () -> gateway.status("/observe/health") == 503);
                assertEquals(200, gateway.status("/observe/health/ready"));
                assertEquals(200, gateway.status("/observe/health/live"));
                JsonNode tickers = gateway.getJson("/api/v1/tickers");
                assertEquals(200, gateway.status("/api/v1/tickers"));
                // Both symbols ticked before the outage: the API answers their last known ticks, so marked.
                for (JsonNode entry : tickers.get("data")) {
                    assertTrue(entry.path("_last_known").asBoolean(), tickers.toString());
                    assertEquals("binance", entry.get("source").asText());
                }
            } finally {
                TestRedis.restart();
            }
            await("healthy again", Duration.ofSeconds(20), () -> "healthy".equals(status(gateway)));
            assertEquals(200, gateway.status("/observe/health/ready"));

            try {
                standIn.close();
                TestRedis.stop();
                await("unhealthy", Duration.ofSeconds(20), () -> "unhealthy".equals(status(gateway)));
                assertEquals(503, gateway.status("/api/v1/health"));
                JsonNode health = gateway.getJson("/api/v1/health");
                // A failure: the envelope says so, with the error, and still carries the report.
                assertEquals(false, health.get("success").asBoolean());
                assertEquals("UNHEALTHY", health.get("error").get("code").asText());
                assertEquals("down", health.get("data").get("feed").get("status").asText());
                assertEquals(200, gateway.status("/observe/health/live"));
            } finally {
                TestRedis.restart();
            }
        }
    }

    /**
     * What orchestrators and load balancers see: Binance unreachable never takes the instance out of service
     * (/observe/health and readiness stay UP, the API says degraded); with Redis unreachable and no tick to
     * serve, readiness is DOWN; liveness is UP throughout.
     */
    @Test
    void aVenueAwayNeverTakesTheInstanceOutOfServiceNothingToServeDoes() throws Exception {
        TestRedis.flush();
        try (RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url",
                "ws://127.0.0.1:" + TestRedis.freePort() + "/stream", "binance.symbols", "BTCUSDT"))) {
            assertEquals("degraded", status(gateway));
            assertEquals("down", gateway.getJson("/api/v1/health").get("data").get("feed").get("status").asText());
            assertEquals(200, gateway.status("/observe/health"));
            assertEquals(200, gateway.status("/observe/health/ready"));
            assertEquals(200, gateway.status("/observe/health/live"));
        }
        try (RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url",
                "ws://127.0.0.1:" + TestRedis.freePort() + "/stream", "binance.symbols", "BTCUSDT",
                "redis.port", Integer.toString(TestRedis.freePort()), "redis.reconcile-interval", "200"))) {
            await("not ready: no Redis and nothing to serve", Duration.ofSeconds(20),
                    () -> gateway.status("/observe/health/ready") == 503);
            assertEquals(200, gateway.status("/observe/health/live"));
            assertEquals("{\"status\":\"DOWN\",\"checks\":[{\"name\":\"serving\",\"status\":\"DOWN\"}]}",
                    gateway.send("/observe/health/ready").body().replaceAll("\\s", ""));
        }
    }

    private static String status(RunningGateway gateway) {
        try {
            return gateway.getJson("/api/v1/health").get("data").get("status").asText();
        } catch (IOException | RuntimeException e) {
            return "unreachable";
        }
    }
}
