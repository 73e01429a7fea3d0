package dev.marketdata;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
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
            assertEquals(200, gateway.status("/api/v1/health"));
            assertEquals(200, gateway.status("/observe/health/ready"));
            assertEquals(200, gateway.status("/observe/health/live"));
            try {
                TestRedis.stop();
                await("degraded", Duration.ofSeconds(20), () -> "degraded".equals(status(gateway)));
                JsonNode health = gateway.getJson("/api/v1/health").get("data");
                assertEquals("down", health.get("redis").get("status").asText());
                assertEquals("up", health.get("feed").get("status").asText());
                assertEquals(200, gateway.status("/api/v1/health"));
                assertEquals(503, gateway.status("/observe/health/ready"));
                assertEquals(200, gateway.status("/observe/health/live"));
                JsonNode tickers = gateway.getJson("/api/v1/tickers");
                assertEquals(200, gateway.status("/api/v1/tickers"));
                // Both symbols ticked before the outage: the API answers their last known ticks, so marked.
                for (JsonNode entry : tickers.get("data")) {
                    assertTrue(entry.get("_last_known").asBoolean());
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
                assertEquals(true, health.get("success").asBoolean());
                assertEquals("down", health.get("data").get("feed").get("status").asText());
                assertEquals(200, gateway.status("/observe/health/live"));
            } finally {
                TestRedis.restart();
            }
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
