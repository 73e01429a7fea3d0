package dev.marketdata.api;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marketdata.pipeline.IngestMetrics;
import dev.marketdata.support.Frames;
import dev.marketdata.support.RawBinanceServer;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * One JSON contract for clients: every ticker entry has the same fields in the same order, whether live
 * (bookTicker or miniTicker), mock or last-known, with null where a value is absent and the flags always
 * present; health components have the same fields in every answer.
 */
class JsonContractIT {

    static final List<String> ENTRY_FIELDS = List.of("symbol", "exchange", "native_symbol", "market", "base_asset", "quote_asset", "stream", "price", "bid",
            "bid_qty", "ask", "ask_qty", "open_24h", "high_24h", "low_24h", "volume_24h", "quote_volume_24h",
            "price_change_24h", "price_change_percent_24h", "update_id", "event_time", "received_at", "source", "age_ms",
            "mock_reason", "_mock", "_last_known", "_clock_ahead");

    @Test
    void everyEntryHasTheSameFieldsLiveMockOrLastKnown() throws Exception {
        Assumptions.assumeTrue(TestRedis.embedded(), "needs the embedded Redis it can stop (REDIS_URL is set)");
        TestRedis.flush();
        try (RawBinanceServer binance = new RawBinanceServer();
                RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", binance.url(),
                        "binance.symbols", "AAAUSDT,BBBUSDT,CCCUSDT", "binance.streams", "bookTicker,miniTicker"))) {
            IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
            await("connected", Duration.ofSeconds(20), () -> binance.open().size() == 1);
            binance.broadcast(Frames.bookTicker("AAAUSDT", 5));
            binance.broadcast(Frames.miniTicker("BBBUSDT", System.currentTimeMillis(), "30.5"));
            await("both stored", Duration.ofSeconds(20),
                    () -> metrics.storedCount("AAAUSDT") == 1 && metrics.storedCount("BBBUSDT") == 1);
            JsonNode live = gateway.getJson("/api/v1/tickers").get("data");
            for (JsonNode entry : live) {
                assertEquals(ENTRY_FIELDS, fields(entry), entry.toString());
            }
            assertEquals("bookTicker", live.get(0).get("stream").asText());
            assertEquals("miniTicker", live.get(1).get("stream").asText());
            // A live tick without a book (a miniTicker) is left out of the consolidated best, and says why.
            JsonNode best = gateway.getJson("/api/v1/best/BBBUSDT").get("data");
            assertEquals("null", best.get("bid").toString());
            assertEquals("no_book", best.at("/excluded/0/reason").asText());
            assertEquals("AAAUSDT", gateway.getJson("/api/v1/best/AAAUSDT").at("/data/bid/symbol").asText());
            assertEquals("cache_miss", live.get(2).get("mock_reason").asText());
            JsonNode health = gateway.getJson("/api/v1/health");
            assertEquals(List.of("success", "data", "timestamp"), fields(health));
            assertEquals(List.of("status", "version", "redis", "feed", "feeds", "freshness", "alerts", "alerts_count", "config", "stream",
                    "cluster"), fields(health.get("data")));
            assertEquals(List.of("service", "instance", "leads", "leaders"), fields(health.get("data").get("cluster")));
            assertEquals(List.of("binance"), fields(health.get("data").get("feeds")));
            assertEquals(fields(health.get("data").get("feed")), fields(health.get("data").get("feeds").get("binance")));
            assertEquals(List.of("status", "mode", "server", "error"), fields(health.get("data").get("redis")));
            // Without sentinels: redis.host:redis.port, as configured.
            assertEquals("standalone", health.at("/data/redis/mode").asText());
            assertEquals(TestRedis.host() + ":" + TestRedis.port(), health.at("/data/redis/server").asText());
            assertEquals(List.of("status", "role", "leader", "connected", "endpoint", "proxy", "connection_age_s", "last_frame_age_ms",
                    "connects", "failed_connects", "ingest_suspended", "last_error"), fields(health.get("data").get("feed")));
            assertEquals(List.of("status", "stale_symbols", "stale_count", "stale_after_s", "held_symbols", "held_count",
                    "sequence_resets"), fields(health.get("data").get("freshness")));
            assertEquals(true, health.get("data").get("freshness").get("stale_symbols").isArray());
            try {
                TestRedis.stop();
                await("Redis seen down", Duration.ofSeconds(20),
                        () -> !gateway.bean(dev.marketdata.pipeline.LatestTickStore.BEAN,
                                dev.marketdata.pipeline.LatestTickStore.class).redisUp());
                for (JsonNode entry : gateway.getJson("/api/v1/tickers").get("data")) {
                    assertEquals(ENTRY_FIELDS, fields(entry), entry.toString());
                }
                assertEquals(true, gateway.getJson("/api/v1/tickers/aaausdt").get("data").get(0).get("_last_known").asBoolean());
            } finally {
                TestRedis.restart();
            }
        }
    }

    private static List<String> fields(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
