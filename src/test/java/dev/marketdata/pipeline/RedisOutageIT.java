package dev.marketdata.pipeline;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.feed.VenueFeed;
import dev.marketdata.support.RawBinanceServer;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Redis stopped mid-stream and restarted empty: ingest never stops, the API answers from the last known
 * ticks, health degrades and recovers, and afterwards Redis holds the newest tick of every symbol, also of
 * symbols whose last tick came before the outage.
 */
class RedisOutageIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SYMBOLS = List.of("BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT");
    private final Map<String, Long> newest = new HashMap<>();
    private long u = 5_000;

    @BeforeEach
    void needsAStoppableRedis() {
        Assumptions.assumeTrue(TestRedis.embedded(), "needs the embedded Redis it can stop (REDIS_URL is set)");
        TestRedis.flush();
    }

    @Test
    void nothingIsLostAcrossAnOutageAndAnEmptyRestart() throws Exception {
        try (RawBinanceServer binance = new RawBinanceServer();
                RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", binance.url(),
                        "binance.symbols", String.join(",", SYMBOLS), "redis.reconcile-interval", "200"))) {
            IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
            LatestTickStore store = gateway.bean(LatestTickStore.BEAN, LatestTickStore.class);
            await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
            send(binance, metrics, List.of("BTCUSDT", "ETHUSDT", "SOLUSDT", "XRPUSDT"), 3);
            awaitStored(metrics, 12);

            try {
                TestRedis.stop();
                // During the outage: BTC, ETH, SOL tick again, BNB ticks for the first time, XRP stays silent.
                send(binance, metrics, List.of("BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT"), 5);
                // The writer finds Redis gone on its next write, after the pipeline has handed it the ticks.
                await("the writer finds Redis down", Duration.ofSeconds(10), () -> !store.redisUp());
                assertEquals(4, store.pendingCount());
                JsonNode health = gateway.getJson("/api/v1/health").get("data");
                assertEquals("degraded", health.get("status").asText());
                JsonNode btc = gateway.getJson("/api/v1/tickers/btcusdt").get("data").get(0);
                assertTrue(btc.get("_last_known").asBoolean());
                assertEquals((long) newest.get("BTCUSDT"), btc.get("update_id").asLong());
                assertFalse(btc.get("_mock").asBoolean());
            } finally {
                TestRedis.restart();
            }
            await("Redis holds the newest tick of every symbol again", Duration.ofSeconds(20), this::redisHoldsNewest);
            try (Jedis redis = TestRedis.client()) {
                for (String symbol : SYMBOLS) {
                    long ttl = redis.ttl("tick:latest:" + symbol);
                    assertTrue(ttl > 0 && ttl <= 60, symbol + " ttl " + ttl);
                }
            }
            await("healthy again", Duration.ofSeconds(20), () -> "healthy".equals(status(gateway)));
            assertEquals(0, store.pendingCount());
            // Ingest never stopped: one connection all along, and every frame was received.
            assertEquals(1, binance.connections().size());
            assertEquals(1L, gateway.bean(VenueFeed.BINANCE_BEAN, VenueFeed.class).getConnects());
            assertEquals(32.0, metrics.framesReceivedCount());
        }
    }

    @Test
    void ticksReceivedWhileRedisIsDownAreFlushedOnShutdown() throws Exception {
        RawBinanceServer binance = new RawBinanceServer();
        RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", binance.url(),
                "binance.symbols", String.join(",", SYMBOLS), "redis.reconcile-interval", "3600000"));
        try {
            IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
            await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
            TestRedis.stop();
            send(binance, metrics, List.of("BTCUSDT", "ETHUSDT"), 4);
            TestRedis.restart();
        } finally {
            gateway.close();
            binance.close();
        }
        assertTrue(redisHoldsNewest(), "the pending ticks were written on shutdown");
    }

    private void send(RawBinanceServer binance, IngestMetrics metrics, List<String> symbols, int rounds) {
        double before = metrics.framesReceivedCount();
        int n = 0;
        for (int r = 0; r < rounds; r++) {
            for (String symbol : symbols) {
                long id = ++u;
                newest.put(symbol, id);
                binance.broadcast("{\"stream\":\"" + symbol.toLowerCase() + "@bookTicker\",\"data\":{\"u\":" + id
                        + ",\"s\":\"" + symbol + "\",\"b\":\"10.00\",\"B\":\"1.00\",\"a\":\"10.02\",\"A\":\"2.00\"}}");
                n++;
            }
        }
        int sent = n;
        await("the frames were processed", Duration.ofSeconds(20), () -> metrics.framesReceivedCount() == before + sent);
    }

    private static void awaitStored(IngestMetrics metrics, int n) {
        await(n + " settled", Duration.ofSeconds(20), () -> metrics.settledCount(SYMBOLS) == n);
    }

    private boolean redisHoldsNewest() {
        try (Jedis redis = TestRedis.client()) {
            for (Map.Entry<String, Long> e : newest.entrySet()) {
                String json = redis.get("tick:latest:" + e.getKey());
                if (json == null || JSON.readTree(json).get("update_id").asLong() != e.getValue()) {
                    return false;
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
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
