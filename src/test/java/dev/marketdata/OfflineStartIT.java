package dev.marketdata;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import org.apache.camel.ServiceStatus;
import org.junit.jupiter.api.Test;

/** Binance unreachable at start-up: the gateway starts anyway, serves mock-flagged tickers and keeps retrying. */
class OfflineStartIT {

    @Test
    void startsServesMockAndKeepsRetrying() throws Exception {
        TestRedis.flush();
        int closedPort = TestRedis.freePort();
        try (RunningGateway gateway = RunningGateway.start(Map.of(
                "binance.ws.url", "ws://127.0.0.1:" + closedPort + "/stream",
                "binance.symbols", "BTCUSDT,SOLUSDT", "mock.price.BTCUSDT", "43210.50"))) {
            JsonNode body = gateway.getJson("/api/v1/tickers");
            assertEquals(200, gateway.status("/api/v1/tickers"));
            assertTrue(body.get("success").asBoolean());
            JsonNode btc = body.get("data").get(0);
            assertEquals("BTCUSDT", btc.get("symbol").asText());
            assertEquals("43210.50", btc.get("price").asText());
            assertTrue(btc.get("_mock").asBoolean());
            assertEquals("1.00000000", body.get("data").get(1).get("price").asText());
            assertTrue(body.get("data").get(1).get("_mock").asBoolean());

            await("two connect attempts failed", Duration.ofSeconds(20), () -> {
                try {
                    return gateway.getJson("/api/v1/health").get("data").get("feed").get("failed_connects").asInt() >= 2;
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            JsonNode health = gateway.getJson("/api/v1/health").get("data");
            assertEquals("degraded", health.get("status").asText());
            assertEquals("down", health.get("feed").get("status").asText());
            assertTrue(health.get("feed").get("last_error").asText().contains("Connection refused"),
                    health.get("feed").get("last_error").asText());
            assertEquals(ServiceStatus.Started, gateway.context().getStatus());
        }
    }
}
