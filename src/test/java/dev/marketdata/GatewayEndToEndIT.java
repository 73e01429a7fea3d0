package dev.marketdata;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.pipeline.IngestMetrics;
import dev.marketdata.support.BinanceStandIn;
import dev.marketdata.support.LoopbackProxy;
import dev.marketdata.support.RecordedFrames;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import redis.clients.jedis.Jedis;

/**
 * The whole path for real: recorded Binance frames from a WebSocket stand-in, through a SOCKS5 proxy
 * with user/password, into a real Redis, out of the REST API.
 */
@EnabledIf(value = "dev.marketdata.support.RecordedFrames#available", disabledReason = RecordedFrames.MISSING)
class GatewayEndToEndIT {

    private static final String SYMBOLS = "NKNUSDT,BLZETH,LRCBTC,RUNEEUR,SOLUSDT";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static List<String> frames;
    private static Map<String, JsonNode> newest;
    private static BinanceStandIn standIn;
    private static LoopbackProxy socks;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        frames = RecordedFrames.load(RecordedFrames.SPOT);
        newest = RecordedFrames.newestBookTickers(frames);
        TestRedis.flush();
        standIn = new BinanceStandIn(frames);
        socks = new LoopbackProxy(LoopbackProxy.Kind.SOCKS5, "dev", "s3cret-pw");
        gateway = RunningGateway.start(Map.of(
                "binance.ws.url", standIn.url(),
                "binance.symbols", SYMBOLS.toLowerCase(),
                "binance.proxies", socks.url("dev", "s3cret-pw"),
                "tick.ttl.seconds", "45"));
        IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
        await("every recorded frame was processed", Duration.ofSeconds(30),
                () -> metrics.framesReceivedCount() == frames.size());
        long bookTickers = RecordedFrames.count(frames, "@bookTicker");
        await("every bookTicker was written, dropped as stale or conflated", Duration.ofSeconds(30),
                () -> metrics.settledCount(List.of(SYMBOLS.split(","))) == bookTickers);
    }

    @AfterAll
    static void stop() throws Exception {
        RunningGateway.closeAll(gateway, standIn, socks);
    }

    @Test
    void theConnectionWentThroughTheSocksProxyWithTheCombinedStreamList() {
        assertEquals(List.of("127.0.0.1:" + standIn.port()), socks.tunnels());
        assertEquals(0, socks.authFailures());
        assertEquals(List.of("/stream?streams=nknusdt@bookTicker/blzeth@bookTicker/lrcbtc@bookTicker"
                + "/runeeur@bookTicker/solusdt@bookTicker"), decoded(standIn.requestUris()));
    }

    @Test
    void redisHoldsTheNewestTickPerSymbolAsPlainJsonWithTheTtl() throws Exception {
        // The recording has bookTicker frames for three of its four symbols (RUNEEUR has only depth).
        assertEquals(java.util.Set.of("NKNUSDT", "BLZETH", "LRCBTC"), newest.keySet());
        try (Jedis redis = TestRedis.client()) {
            for (Map.Entry<String, JsonNode> e : newest.entrySet()) {
                String raw = redis.get("tick:latest:" + e.getKey());
                JsonNode stored = JSON.readTree(raw);
                JsonNode sent = e.getValue();
                assertEquals(sent.get("u").asLong(), stored.get("update_id").asLong(), e.getKey());
                assertEquals(sent.get("b").asText(), stored.get("bid").asText());
                assertEquals(sent.get("B").asText(), stored.get("bid_qty").asText());
                assertEquals(sent.get("a").asText(), stored.get("ask").asText());
                assertEquals(sent.get("A").asText(), stored.get("ask_qty").asText());
                assertEquals("binance", stored.get("source").asText());
                long ttl = redis.ttl("tick:latest:" + e.getKey());
                assertTrue(ttl > 30 && ttl <= 45, "TTL was " + ttl);
            }
            assertEquals(null, redis.get("tick:latest:SOLUSDT"));
            assertEquals(null, redis.get("tick:latest:RUNEEUR"));
        }
    }

    @Test
    void countsMatchTheRecording() throws Exception {
        IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
        assertEquals(RecordedFrames.count(frames, "@depth@100ms"), (long) metrics.ignoredCount("depth"));
        assertEquals(RecordedFrames.count(frames, "@aggTrade"), (long) metrics.ignoredCount("aggTrade"));
        assertEquals(RecordedFrames.count(frames, "@kline_1m"), (long) metrics.ignoredCount("kline"));
        long bookTickers = RecordedFrames.count(frames, "@bookTicker");
        double stored = 0;
        for (String symbol : SYMBOLS.split(",")) {
            stored += metrics.storedCount(symbol);
        }
        // Every bookTicker frame was stored, dropped as older than one already stored, or conflated.
        assertEquals(bookTickers, (long) (stored + metrics.droppedStaleCount() + metrics.conflatedCount()));
    }

    @Test
    void restServesLiveTicksAndMarksTheNeverStreamedSymbolAsMock() throws Exception {
        JsonNode body = gateway.getJson("/api/v1/tickers");
        assertTrue(body.get("success").asBoolean());
        List<String> order = new ArrayList<>();
        body.get("data").forEach(entry -> order.add(entry.get("symbol").asText()));
        assertEquals(List.of(SYMBOLS.split(",")), order);
        for (JsonNode entry : body.get("data")) {
            String symbol = entry.get("symbol").asText();
            if (!newest.containsKey(symbol)) {
                assertTrue(entry.get("_mock").asBoolean(), symbol + " never streamed a bookTicker: mock");
                assertEquals("cache_miss", entry.get("mock_reason").asText());
                continue;
            }
            JsonNode sent = newest.get(symbol);
            assertFalse(entry.get("_mock").asBoolean(), symbol + " is live: _mock false");
            assertFalse(entry.get("_last_known").asBoolean());
            assertEquals(sent.get("b").asText(), entry.get("bid").asText());
            assertEquals(sent.get("a").asText(), entry.get("ask").asText());
            assertEquals(sent.get("u").asLong(), entry.get("update_id").asLong());
            assertTrue(entry.get("age_ms").isIntegralNumber());
        }
        JsonNode one = gateway.getJson("/api/v1/tickers/lrcbtc");
        assertEquals(1, one.get("data").size());
        assertEquals("LRC", one.get("data").get(0).get("base_asset").asText());
        assertEquals("BTC", one.get("data").get(0).get("quote_asset").asText());
        assertEquals(newest.get("LRCBTC").get("u").asLong(), one.get("data").get(0).get("update_id").asLong());
    }

    @Test
    void badSymbolsGetJsonErrorsAndNeverBecomeRedisKeys() throws Exception {
        var invalid = gateway.send("/api/v1/tickers/NOT*VALID");
        assertEquals(400, invalid.statusCode());
        JsonNode body = JSON.readTree(invalid.body());
        assertFalse(body.get("success").asBoolean());
        assertEquals("INVALID_SYMBOL", body.get("error").get("code").asText());
        assertEquals("symbol must be BASE-QUOTE[-PERP] or 2-20 letters and digits, got 'NOT*VALID'", body.get("error").get("message").asText());
        assertEquals(400, gateway.status("/api/v1/tickers/B"));
        var unknown = gateway.send("/api/v1/tickers/dogeusdt");
        assertEquals(404, unknown.statusCode());
        assertEquals("UNKNOWN_SYMBOL", JSON.readTree(unknown.body()).get("error").get("code").asText());
        assertEquals("application/json", unknown.headers().firstValue("Content-Type").orElse(""));
        try (Jedis redis = TestRedis.client()) {
            // Each symbol's original key (as configured) and its venue key beside it, and the connect budget of the
            // loopback proxy the gateway connected through, and its announcement that it leads Binance; nothing from the
            // bad requests.
            assertEquals(java.util.Set.of("tick:latest:NKNUSDT", "tick:latest:BLZETH", "tick:latest:LRCBTC",
                    "tick:latest:binance:NKN-USDT", "tick:latest:binance:BLZ-ETH", "tick:latest:binance:LRC-BTC",
                    "tick:seq:NKNUSDT", "tick:seq:BLZETH", "tick:seq:LRCBTC", "tick:seq:binance:NKN-USDT",
                    "tick:seq:binance:BLZ-ETH", "tick:seq:binance:LRC-BTC", "tick:epoch",
                    "connect:budget:binance:default@127.0.0.1:" + socks.port(), "cluster:leader:binance"), redis.keys("*"));
            // The venue key holds the same tick, named as that key's symbol: a gateway following BTC-USDT reads it.
            assertEquals(redis.get("tick:latest:NKNUSDT").replace("{\"symbol\":\"NKNUSDT\"", "{\"symbol\":\"NKN-USDT\""),
                    redis.get("tick:latest:binance:NKN-USDT"));
        }
    }

    @Test
    void healthIsHealthyWhileRedisAndTheFeedAreUp() throws Exception {
        JsonNode health = gateway.getJson("/api/v1/health");
        assertEquals("healthy", health.get("data").get("status").asText());
        assertEquals("up", health.get("data").get("redis").get("status").asText());
        assertEquals("up", health.get("data").get("feed").get("status").asText());
        assertEquals("socks5://dev:***@127.0.0.1:" + socks.port(), health.get("data").get("feed").get("proxy").asText());
        assertFalse(health.toString().contains("s3cret-pw"));
    }

    static List<String> decoded(List<String> uris) {
        return uris.stream().map(u -> java.net.URLDecoder.decode(u, java.nio.charset.StandardCharsets.UTF_8)).toList();
    }
}
