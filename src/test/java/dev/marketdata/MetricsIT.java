package dev.marketdata;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marketdata.model.RejectReason;
import dev.marketdata.pipeline.QualityMonitor;
import dev.marketdata.support.BinanceStandIn;
import dev.marketdata.support.PrometheusScrape;
import dev.marketdata.support.RecordedFrames;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * /observe/metrics: every documented gateway meter is there right after start, at zero, and after a
 * replay of the recorded frames the counters are exactly what was sent.
 */
class MetricsIT {

    private static final List<String> FRAME_KINDS = List.of("bookTicker", "ticker", "miniTicker", "depth",
            "aggTrade", "trade", "kline", "avgPrice", "rollingWindow", "control", "other");

    /** The gateway's own series besides the one tick-age series per symbol (the README's cardinality figure). */
    private static final int GATEWAY_SERIES = 206;
    private static List<String> frames;
    private static Map<String, JsonNode> newest;
    private static List<String> symbols;
    private static BinanceStandIn standIn;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        // The project's own recording, so that this runs on any clone; XRPUSDT is in none of its frames.
        frames = RecordedFrames.demo();
        newest = RecordedFrames.newestBookTickers(frames);
        symbols = new ArrayList<>(newest.keySet());
        symbols.add("XRPUSDT");
        TestRedis.flush();
        standIn = new BinanceStandIn(List.of());
        gateway = RunningGateway.start(Map.of("binance.ws.url", standIn.url(),
                "binance.symbols", String.join(",", symbols)));
        await("the gateway connected", Duration.ofSeconds(20), () -> standIn.connectedClients() == 1);
    }

    @AfterAll
    static void stop() throws Exception {
        RunningGateway.closeAll(gateway, standIn);
    }

    @Test
    void everyMeterIsThereAtStartAndTheCountsMatchAReplay() throws Exception {
        PrometheusScrape atStart = scrape();
        for (String kind : FRAME_KINDS) {
            assertEquals(0.0, atStart.value("marketdata_frames_received_total", "kind", kind), kind);
            assertEquals(0.0, atStart.value("marketdata_frames_ignored_total", "kind", kind), kind);
        }
        assertEquals(0.0, atStart.value("marketdata_ticks_stored_total"));
        for (String symbol : symbols) {
            assertTrue(atStart.value("marketdata_tick_age_seconds", "exchange", "binance", "symbol", symbol).isNaN(), symbol);
        }
        for (String reason : List.of("cache_miss", "invalid_value", "redis_unavailable")) {
            assertEquals(0.0, atStart.value("marketdata_rest_mock_entries_total", "reason", reason), reason);
        }
        for (String problem : List.of("malformed", "wrong_symbol", "implausible", "expired", "future")) {
            assertEquals(0.0, atStart.value("marketdata_rest_invalid_values_total", "problem", problem), problem);
        }
        for (String reason : List.of("regression", "unreadable_guard")) {
            assertEquals(0.0, atStart.value("marketdata_sequence_resets_total", "reason", reason), reason);
        }
        for (QualityMonitor.Kind kind : QualityMonitor.Kind.values()) {
            assertEquals(0.0, atStart.value("marketdata_quality_alerts_total", "kind", kind.tag()));
        }
        for (RejectReason reason : RejectReason.values()) {
            assertEquals(0.0, atStart.value("marketdata_ticks_rejected_total", "reason", reason.tag()), reason.tag());
        }
        for (String operation : List.of("write", "read", "health")) {
            assertEquals(0.0, atStart.value("marketdata_redis_errors_total", "operation", operation));
        }
        for (String endpoint : List.of("tickers", "ticker", "best", "health", "openapi")) {
            for (String status : List.of("200", "400", "404", "500", "503")) {
                assertEquals(true, atStart.value("marketdata_rest_requests_total", "endpoint", endpoint, "status", status) != null);
            }
        }
        assertEquals(0.0, atStart.value("marketdata_ticks_dropped_stale_total"));
        assertEquals(0.0, atStart.value("marketdata_ticks_conflated_total"));
        assertEquals(0.0, atStart.value("marketdata_rest_cache_hits_total"));
        assertEquals(0.0, atStart.value("marketdata_rest_cache_misses_total"));
        assertEquals(1.0, atStart.value("marketdata_websocket_connects_total", "exchange", "binance"));
        assertEquals(0.0, atStart.value("marketdata_websocket_disconnects_total", "exchange", "binance"));
        assertEquals(1.0, atStart.value("marketdata_websocket_reconnect_attempts_total", "exchange", "binance"));
        assertEquals(1.0, atStart.value("marketdata_websocket_connected", "exchange", "binance"));
        // The one connect so far, counted in the budget this instance shares through Redis (flushed before the start).
        assertEquals(1.0, atStart.value("marketdata_connect_budget_used", "exchange", "binance"));
        assertEquals(0.0, atStart.value("marketdata_ingest_latency_seconds_count"));
        assertEquals(0.0, atStart.value("marketdata_ingest_latency_seconds_bucket", "le", "+Inf"));
        // The push API's meters, before any client.
        assertEquals(0.0, atStart.value("marketdata_stream_clients"));
        assertEquals(0.0, atStart.value("marketdata_stream_subscriptions"));
        assertEquals(0.0, atStart.value("marketdata_stream_messages_sent_total"));
        assertEquals(0.0, atStart.value("marketdata_stream_conflated_total"));
        assertEquals(0.0, atStart.value("marketdata_stream_ticks_older_total"));
        for (String reason : List.of("slow", "unread_replies", "flood", "refused")) {
            assertEquals(0.0, atStart.value("marketdata_stream_clients_dropped_total", "reason", reason));
        }
        // Kafka's, with Kafka off (the default): at zero, and nothing of it runs (no route, no Kafka component).
        assertEquals(0.0, atStart.value("marketdata_kafka_ticks_sent_total"));
        assertEquals(0.0, atStart.value("marketdata_kafka_send_failures_total"));
        assertEquals(0.0, atStart.value("marketdata_kafka_pending"));
        for (String reason : List.of("superseded", "stopped")) {
            assertEquals(0.0, atStart.value("marketdata_kafka_ticks_dropped_total", "reason", reason));
        }
        assertEquals(null, gateway.context().getRoute("kafka-ticks"));
        assertEquals(null, gateway.context().hasComponent("kafka"));
        // Camel's own meters are there too.
        assertTrue(atStart.value("camel_exchanges_total", "camelContext", "market-data", "kind", "CamelRoute",
                "routeId", "binance-ingest", "eventType", "context") != null
                || atStart.samples().keySet().stream().anyMatch(k -> k.startsWith("camel_exchanges_total")));

        // Bounded cardinality: the only per-symbol series is the tick age; everything else is a fixed set.
        List<String> ours = atStart.samples().keySet().stream().filter(k -> k.startsWith("marketdata_")).toList();
        assertEquals(symbols.size(), ours.stream().filter(k -> k.contains("symbol=")).count());
        assertEquals(GATEWAY_SERIES + symbols.size(), ours.size(), String.join("\n", ours));

        standIn.broadcast(frames);
        await("every frame was processed", Duration.ofSeconds(30),
                () -> sum(scrapeQuietly(), "marketdata_frames_received_total") == frames.size());
        long bookTickerFrames = RecordedFrames.count(frames, "@bookTicker");
        await("every tick settled", Duration.ofSeconds(30), () -> {
            PrometheusScrape s = scrapeQuietly();
            return sum(s, "marketdata_ticks_stored_total") + s.value("marketdata_ticks_dropped_stale_total")
                    + s.value("marketdata_ticks_conflated_total") == bookTickerFrames;
        });
        for (int i = 0; i < 3; i++) {
            assertEquals(200, gateway.status("/api/v1/tickers"));
        }
        String first = newest.keySet().iterator().next().toLowerCase();
        assertEquals(200, gateway.status("/api/v1/tickers/" + first));
        assertEquals(200, gateway.status("/api/v1/tickers/" + first));
        assertEquals(400, gateway.status("/api/v1/tickers/NOPE*"));
        assertEquals(404, gateway.status("/api/v1/tickers/DOGEUSDT"));

        PrometheusScrape after = scrape();
        assertEquals(0.0, after.value("marketdata_kafka_ticks_sent_total"));
        assertEquals(null, gateway.context().hasComponent("kafka"));
        long bookTickers = RecordedFrames.count(frames, "@bookTicker");
        assertEquals((double) bookTickers, after.value("marketdata_frames_received_total", "kind", "bookTicker"));
        assertEquals((double) RecordedFrames.count(frames, "@depth@100ms"), after.value("marketdata_frames_received_total", "kind", "depth"));
        assertEquals((double) RecordedFrames.count(frames, "@depth@100ms"), after.value("marketdata_frames_ignored_total", "kind", "depth"));
        assertEquals((double) RecordedFrames.count(frames, "@aggTrade"), after.value("marketdata_frames_ignored_total", "kind", "aggTrade"));
        assertEquals((double) RecordedFrames.count(frames, "@kline_1m"), after.value("marketdata_frames_ignored_total", "kind", "kline"));
        assertEquals(0.0, sum(after, "marketdata_ticks_rejected_total"));
        assertEquals((double) bookTickers, sum(after, "marketdata_ticks_stored_total")
                + after.value("marketdata_ticks_dropped_stale_total") + after.value("marketdata_ticks_conflated_total"));

        double latencies = after.value("marketdata_ingest_latency_seconds_count");
        assertTrue(latencies >= sum(after, "marketdata_ticks_stored_total") && latencies <= bookTickers,
                "one latency per Redis write: " + latencies);
        assertEquals(3.0, after.value("marketdata_rest_requests_total", "endpoint", "tickers", "status", "200"));
        assertEquals(2.0, after.value("marketdata_rest_requests_total", "endpoint", "ticker", "status", "200"));
        assertEquals(1.0, after.value("marketdata_rest_requests_total", "endpoint", "ticker", "status", "400"));
        assertEquals(1.0, after.value("marketdata_rest_requests_total", "endpoint", "ticker", "status", "404"));
        assertEquals(3.0, after.value("marketdata_rest_mock_entries_total", "reason", "cache_miss"));
        assertEquals(3.0 * newest.size() + 2, after.value("marketdata_rest_cache_hits_total"));
        assertEquals(3.0, after.value("marketdata_rest_cache_misses_total"));
        double age = after.value("marketdata_tick_age_seconds", "exchange", "binance", "symbol", first.toUpperCase());
        assertTrue(age >= 0 && age < 30, "age " + age);
    }

    private static double sum(PrometheusScrape scrape, String name) {
        return scrape.samples().entrySet().stream().filter(e -> e.getKey().startsWith(name + "{"))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    private static PrometheusScrape scrape() throws Exception {
        var response = gateway.send("/observe/metrics");
        assertEquals(200, response.statusCode());
        return new PrometheusScrape(response.body());
    }

    private static PrometheusScrape scrapeQuietly() {
        try {
            return scrape();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
