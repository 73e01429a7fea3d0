package dev.marketdata.pipeline;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marketdata.model.RejectReason;
import dev.marketdata.support.CapturedLog;
import dev.marketdata.support.Frames;
import dev.marketdata.support.RawBinanceServer;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The freezes one bad frame used to cause, sent by the stand-in on a live connection: an update id of
 * 2^63-1, update ids that go backwards (a venue restart), a miniTicker from a day in the future, and a
 * frame whose payload names another symbol than its stream. Meanwhile valid frames keep coming every 100 ms;
 * each symbol must show a live value again within {@code tick.sequence-reset-after} (here 2 s) plus a
 * little, be shown as held in health and JMX meanwhile, and be logged once.
 */
class HostileFeedIT {

    private static final long RESET_AFTER = 2_000;
    /** The reset bound plus one frame interval, one reconcile of the writer and room for a busy 2-core machine. */
    private static final long LIVE_AGAIN_WITHIN = RESET_AFTER + 1_500;

    @Test
    void noStoredValueFreezesASymbolThatReceivesValidFrames() throws Exception {
        TestRedis.flush();
        try (RawBinanceServer binance = new RawBinanceServer();
                CapturedLog storeLog = new CapturedLog(LatestTickStore.class);
                RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", binance.url(),
                        "binance.symbols", "AAAUSDT,BBBUSDT,CCCUSDT,DDDUSDT,EEEUSDT",
                        "binance.streams", "bookTicker,miniTicker",
                        "tick.sequence-reset-after", RESET_AFTER + "ms"))) {
            IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
            await("connected", Duration.ofSeconds(20), () -> binance.open().size() == 1);
            binance.broadcast(Frames.bookTicker("AAAUSDT", 100, "10.00"));
            binance.broadcast(Frames.bookTicker("BBBUSDT", 5_000_000, "20.00"));
            binance.broadcast(Frames.miniTicker("CCCUSDT", System.currentTimeMillis(), "30.00"));
            await("the first ticks are served", Duration.ofSeconds(10), () -> price(gateway, "AAAUSDT").equals("10.01")
                    && price(gateway, "BBBUSDT").equals("20.01") && price(gateway, "CCCUSDT").equals("30.00"));

            // The hostile frames: a huge update id, then ids from a restarted sequence, a tick from tomorrow, and
            // DDDUSDT's payload on EEEUSDT's stream.
            binance.broadcast(Frames.bookTicker("AAAUSDT", Long.MAX_VALUE, "66.00"));
            binance.broadcast(Frames.miniTicker("CCCUSDT", System.currentTimeMillis() + 86_400_000L, "99.00"));
            binance.broadcast("{\"stream\":\"eeeusdt@bookTicker\",\"data\":{\"u\":5,\"s\":\"DDDUSDT\",\"b\":\"1.00\","
                    + "\"B\":\"1\",\"a\":\"1.02\",\"A\":\"1\"}}");
            await("the huge id is stored (it is the newest so far)", Duration.ofSeconds(10),
                    () -> price(gateway, "AAAUSDT").equals("66.01"));
            long hostileAt = System.currentTimeMillis();

            Map<String, Long> liveAgainAfter = new ConcurrentHashMap<>();
            boolean sawHeld = false;
            long u = 101;
            while (liveAgainAfter.size() < 3 && System.currentTimeMillis() - hostileAt < LIVE_AGAIN_WITHIN + 5_000) {
                u++;
                binance.broadcast(Frames.bookTicker("AAAUSDT", u, "11." + u % 100));
                binance.broadcast(Frames.bookTicker("BBBUSDT", u, "21." + u % 100));
                binance.broadcast(Frames.miniTicker("CCCUSDT", System.currentTimeMillis(), "31." + u % 100));
                java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
                long since = System.currentTimeMillis() - hostileAt;
                if (!liveAgainAfter.containsKey("AAAUSDT") && updateId(gateway, "AAAUSDT") < 1_000_000) {
                    liveAgainAfter.put("AAAUSDT", since);
                }
                if (!liveAgainAfter.containsKey("BBBUSDT") && updateId(gateway, "BBBUSDT") < 1_000_000) {
                    liveAgainAfter.put("BBBUSDT", since);
                }
                if (!liveAgainAfter.containsKey("CCCUSDT") && price(gateway, "CCCUSDT").startsWith("31.")) {
                    liveAgainAfter.put("CCCUSDT", since);
                }
                sawHeld |= gateway.getJson("/api/v1/health").get("data").get("freshness").get("held_symbols").toString()
                        .contains("\"AAAUSDT:bookTicker\"");
            }
            assertEquals(3, liveAgainAfter.size(), "live again: " + liveAgainAfter);
            assertTrue(liveAgainAfter.get("AAAUSDT") >= RESET_AFTER - 200 && liveAgainAfter.get("AAAUSDT") <= LIVE_AGAIN_WITHIN,
                    "AAAUSDT live again after " + liveAgainAfter.get("AAAUSDT") + " ms");
            assertTrue(liveAgainAfter.get("BBBUSDT") <= LIVE_AGAIN_WITHIN, "BBBUSDT after " + liveAgainAfter.get("BBBUSDT"));
            // A future event time is rejected at the door: it never held anything.
            assertTrue(liveAgainAfter.get("CCCUSDT") <= 1_000, "CCCUSDT after " + liveAgainAfter.get("CCCUSDT"));
            assertTrue(sawHeld, "health named AAAUSDT:bookTicker as held while it was");

            assertEquals(1.0, metrics.rejectedCount(RejectReason.FUTURE_EVENT_TIME));
            assertEquals(1.0, metrics.rejectedCount(RejectReason.STREAM_MISMATCH));
            assertEquals(2.0, metrics.sequenceResetCount(IngestMetrics.RESET_REGRESSION));
            JsonNode freshness = gateway.getJson("/api/v1/health").get("data").get("freshness");
            assertEquals(2, freshness.get("sequence_resets").asInt());
            assertEquals(2L, gateway.bean(dev.marketdata.feed.VenueFeed.BINANCE_BEAN, dev.marketdata.feed.VenueFeed.class)
                    .getSequenceResets());
            // Logged, once per reset and rate-limited: not once per refused frame.
            assertEquals(1, storeLog.linesAt("WARN").stream().filter(l -> l.contains("sequence went back")).count(),
                    String.join("\n", storeLog.lines()));
            try (Jedis redis = TestRedis.client()) {
                assertFalse(redis.exists("tick:latest:DDDUSDT"), "the mismatched payload was not stored");
                assertTrue(redis.ttl("tick:seq:AAAUSDT") > 0);
            }
        }
    }

    private static JsonNode entry(RunningGateway gateway, String symbol) {
        try {
            return gateway.getJson("/api/v1/tickers/" + symbol).get("data").get(0);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static String price(RunningGateway gateway, String symbol) {
        return entry(gateway, symbol).get("price").asText();
    }

    private static long updateId(RunningGateway gateway, String symbol) {
        return entry(gateway, symbol).path("update_id").asLong(Long.MAX_VALUE);
    }
}
