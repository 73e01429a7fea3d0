package dev.marketdata.api;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.pipeline.LatestTickStore;
import dev.marketdata.support.CapturedLog;
import dev.marketdata.support.Frames;
import dev.marketdata.support.RawBinanceServer;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Redis holding what no gateway wrote, put there with plain Redis commands: values that are not ticks, ticks
 * of another symbol, receive times that overflow, lie in the future or are long past, an injection attempt,
 * a key of another type, and a whole foreign data set (another epoch, a huge guard without TTL, a wrong
 * price). Nothing of it reaches a client unchecked, the list answers 200 whatever one key holds, and the
 * gateway's own data comes back within a reconcile interval.
 */
class PoisonedRedisIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SYMBOLS = List.of("AAAUSDT", "BBBUSDT", "CCCUSDT", "DDDUSDT", "EEEUSDT",
            "FFFUSDT", "GGGUSDT", "HHHUSDT", "IIIUSDT", "JJJUSDT", "KKKUSDT", "LLLUSDT", "MMMUSDT");

    @Test
    void valuesThatAreNotTicksOfTheirSymbolAreMissesNeverErrorsOrSplices() throws Exception {
        TestRedis.flush();
        try (RawBinanceServer binance = new RawBinanceServer();
                CapturedLog readerLog = new CapturedLog(TickerReader.class);
                CapturedLog responsesLog = new CapturedLog(ApiResponses.class);
                RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", binance.url(),
                        "binance.symbols", String.join(",", SYMBOLS)))) {
            long now = System.currentTimeMillis();
            Map<String, String> poison = new HashMap<>();
            poison.put("AAAUSDT", tick("AAAUSDT", "99999999999999999999999"));
            poison.put("BBBUSDT", "{\"x\":1}],\"success\":false,\"injected\":[{\"received_at\":1}");
            poison.put("CCCUSDT", tick("DDDUSDT", Long.toString(now)));
            poison.put("DDDUSDT", tick("DDDUSDT", Long.toString(now + 86_400_000L)));
            poison.put("EEEUSDT", tick("EEEUSDT", Long.toString(now - 3_600_000L)));
            poison.put("FFFUSDT", tick("FFFUSDT", Long.toString(now)).replace("}", ",\"_mock\":false}"));
            poison.put("GGGUSDT", "x".repeat(1_000_000));
            // Well-formed, but ticks ingest would never have stored: a crossed book, a price of 0, a price far
            // beyond any asset's, a decimal with leading zeros (not how the gateway writes numbers).
            poison.put("JJJUSDT", tick("JJJUSDT", Long.toString(now)).replace("\"bid\":\"1.4\"", "\"bid\":\"50\""));
            poison.put("KKKUSDT", tick("KKKUSDT", Long.toString(now)).replace("\"price\":\"1.5\"", "\"price\":\"0\""));
            poison.put("LLLUSDT", tick("LLLUSDT", Long.toString(now)).replace("\"price\":\"1.5\"", "\"price\":\"9999999999999\""));
            poison.put("MMMUSDT", tick("MMMUSDT", Long.toString(now)).replace("\"price\":\"1.5\"", "\"price\":\"0001.5\""));
            // A receive time a little ahead (another gateway's clock): served, but not as fresh.
            poison.put("HHHUSDT", tick("HHHUSDT", Long.toString(now + 3_000)));
            try (Jedis redis = TestRedis.client()) {
                poison.forEach((symbol, value) -> redis.set(LatestTickStore.key(symbol), value));
                redis.hset("tick:latest:IIIUSDT", "price", "1");
            }
            for (int round = 0; round < 2; round++) {
                HttpResponse<String> list = gateway.send("/api/v1/tickers");
                assertEquals(200, list.statusCode(), list.body());
                JsonNode data = JSON.readTree(list.body()).get("data");
                assertEquals(SYMBOLS.size(), data.size());
                for (int i = 0; i < SYMBOLS.size(); i++) {
                    JsonNode entry = data.get(i);
                    assertEquals(SYMBOLS.get(i), entry.get("symbol").asText());
                    if (SYMBOLS.get(i).equals("HHHUSDT")) {
                        assertEquals(0, entry.get("age_ms").asLong());
                        assertTrue(entry.get("_clock_ahead").asBoolean());
                        assertFalse(entry.get("_mock").asBoolean());
                    } else {
                        assertTrue(entry.get("_mock").asBoolean(), entry.toString());
                        String reason = SYMBOLS.get(i).equals("IIIUSDT") ? "cache_miss" : "invalid_value";
                        assertEquals(reason, entry.get("mock_reason").asText(), SYMBOLS.get(i));
                    }
                }
                assertFalse(list.body().contains("injected"));
            }
            for (String symbol : SYMBOLS) {
                assertEquals(200, gateway.status("/api/v1/tickers/" + symbol));
            }
            ApiMetrics metrics = gateway.bean(ApiMetrics.BEAN, ApiMetrics.class);
            // Two list reads and one single read each: the verdicts, exactly.
            assertEquals(3 * 5.0, metrics.invalidValueCount("malformed"));
            assertEquals(3.0, metrics.invalidValueCount("wrong_symbol"));
            assertEquals(3 * 3.0, metrics.invalidValueCount("implausible"));
            assertEquals(3.0, metrics.invalidValueCount("future"));
            assertEquals(3.0, metrics.invalidValueCount("expired"));
            assertEquals(3 * 11.0, metrics.mockCount("invalid_value"));
            // One WARN per key (rate-limited), none at ERROR, no stack trace anywhere.
            List<String> warnings = readerLog.linesAt("WARN");
            assertEquals(11, warnings.size(), String.join("\n", warnings));
            assertTrue(warnings.stream().anyMatch(w -> w.contains("tick:latest:JJJUSDT") && w.contains("implausible: a crossed book")));
            assertTrue(warnings.stream().anyMatch(w -> w.contains("tick:latest:CCCUSDT") && w.contains("wrong_symbol")));
            assertEquals(List.of(), responsesLog.linesAt("ERROR"));
        }
    }

    @Test
    void aForeignDataSetIsReplacedByWhatTheGatewayKnowsAndNeverHoldsTheSymbol() throws Exception {
        TestRedis.flush();
        try (RawBinanceServer binance = new RawBinanceServer();
                RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", binance.url(),
                        "binance.symbols", "AAAUSDT,BBBUSDT", "redis.reconcile-interval", "200"))) {
            await("connected", Duration.ofSeconds(20), () -> binance.open().size() == 1);
            binance.broadcast(Frames.bookTicker("AAAUSDT", 700, "40.00"));
            await("stored", Duration.ofSeconds(10), () -> "40.01".equals(price(gateway)));
            try (Jedis redis = TestRedis.client()) {
                String ours = redis.get(LatestTickStore.EPOCH_KEY);
                redis.flushAll();
                redis.set(LatestTickStore.EPOCH_KEY, "someone-elses-dump");
                redis.hset("tick:seq:AAAUSDT", "bookTicker", "9000000000000");
                redis.set("tick:latest:AAAUSDT", "{\"symbol\":\"AAAUSDT\",\"stream\":\"bookTicker\",\"price\":\"1234.5\","
                        + "\"update_id\":9000000000000,\"received_at\":" + System.currentTimeMillis()
                        + ",\"source\":\"binance\"}");
                await("the gateway's own tick is back", Duration.ofSeconds(5), () -> "40.01".equals(price(gateway)));
                assertTrue(redis.ttl("tick:seq:AAAUSDT") > 0, "the guard has a TTL again");
                assertEquals("someone-elses-dump", redis.get(LatestTickStore.EPOCH_KEY));
                assertFalse(ours.equals(redis.get(LatestTickStore.EPOCH_KEY)));
            }
            binance.broadcast(Frames.bookTicker("AAAUSDT", 701, "40.10"));
            await("the next live tick is stored at once", Duration.ofSeconds(5), () -> "40.11".equals(price(gateway)));
        }
    }

    private static String price(RunningGateway gateway) {
        try {
            return gateway.getJson("/api/v1/tickers/AAAUSDT").get("data").get(0).get("price").asText();
        } catch (Exception e) {
            return "";
        }
    }

    private static String tick(String symbol, String receivedAt) {
        return "{\"symbol\":\"" + symbol + "\",\"exchange\":\"binance\",\"native_symbol\":\"" + symbol
                + "\",\"market\":\"spot\",\"base_asset\":\"" + symbol.substring(0, 3) + "\",\"quote_asset\":\"USDT\","
                + "\"stream\":\"bookTicker\",\"price\":\"1.5\",\"bid\":\"1.4\",\"bid_qty\":\"1\",\"ask\":\"1.6\","
                + "\"ask_qty\":\"1\",\"update_id\":7,\"event_time\":null,\"received_at\":" + receivedAt
                + ",\"source\":\"binance\"}";
    }
}
