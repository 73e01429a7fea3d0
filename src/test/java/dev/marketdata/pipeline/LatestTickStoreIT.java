package dev.marketdata.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.StreamKind;
import dev.marketdata.support.TestRedis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import redis.clients.jedis.Jedis;

/**
 * The newer-than guard against a real Redis, including two gateway processes writing the same keys, and
 * the conflation of pending ticks. The writer threads are not started: {@code flush()} writes on the test's
 * thread, so each step is exact.
 */
class LatestTickStoreIT {

    private static final List<String> SYMBOLS = List.of("BTCUSDT", "ETHUSDT");
    private JedisConnectionFactory factory;
    private LatestTickStore processA;
    private LatestTickStore processB;
    private IngestMetrics metricsA;
    private IngestMetrics metricsB;

    @BeforeEach
    void connect() {
        TestRedis.flush();
        factory = new JedisConnectionFactory(new RedisStandaloneConfiguration(TestRedis.host(), TestRedis.port()));
        factory.afterPropertiesSet();
        factory.start();
        StringRedisTemplate template = new StringRedisTemplate(factory);
        metricsA = new IngestMetrics(new SimpleMeterRegistry(), SYMBOLS);
        metricsB = new IngestMetrics(new SimpleMeterRegistry(), SYMBOLS);
        // Two stores with their own local state stand for two gateway processes sharing one Redis.
        processA = new LatestTickStore(template, SYMBOLS, 30, metricsA, new FreshnessTracker(SYMBOLS, System::currentTimeMillis));
        processB = new LatestTickStore(template, SYMBOLS, 30, metricsB, new FreshnessTracker(SYMBOLS, System::currentTimeMillis));
    }

    @AfterEach
    void close() {
        factory.destroy();
    }

    @Test
    void storesPlainJsonWithTheTtl() throws Exception {
        processA.store(book("BTCUSDT", 10, "100.5"));
        processA.flush();
        assertEquals(1.0, metricsA.storedCount("BTCUSDT"));
        try (Jedis redis = TestRedis.client()) {
            JsonNode json = TickJson.mapper().readTree(redis.get("tick:latest:BTCUSDT"));
            assertEquals("100.5", json.get("bid").textValue());
            assertEquals(10, json.get("update_id").longValue());
            long ttl = redis.ttl("tick:latest:BTCUSDT");
            assertTrue(ttl > 25 && ttl <= 30, "ttl " + ttl);
        }
    }

    @Test
    void anOlderTickNeverReplacesANewerOneEvenFromAnotherProcess() throws Exception {
        processA.store(book("BTCUSDT", 20, "101"));
        processA.flush();
        processB.store(book("BTCUSDT", 19, "99"));
        processB.flush();
        processB.store(book("BTCUSDT", 20, "99"));
        processB.flush();
        assertEquals(LatestTickStore.Result.STALE, processA.store(book("BTCUSDT", 5, "98")));
        assertEquals(2.0, metricsB.droppedStaleCount());
        processB.store(book("BTCUSDT", 21, "102"));
        processB.flush();
        processA.store(book("BTCUSDT", 20, "103"));
        processA.flush();
        assertEquals(1.0, metricsA.storedCount("BTCUSDT"));
        assertEquals(1.0, metricsB.storedCount("BTCUSDT"));
        try (Jedis redis = TestRedis.client()) {
            JsonNode json = TickJson.mapper().readTree(redis.get("tick:latest:BTCUSDT"));
            assertEquals(21, json.get("update_id").longValue());
            assertEquals("102", json.get("bid").textValue());
        }
    }

    @Test
    void pendingTicksAreConflatedNewestFirstWhateverTheOrder() throws Exception {
        for (long u : new long[] { 5, 9, 7, 8, 6 }) {
            processA.store(book("ETHUSDT", u, Long.toString(u)));
        }
        // 9 survives; 5 was replaced by 9 (conflated); 7, 8 and 6 came after 9 and are older (stale).
        assertEquals(1.0, metricsA.conflatedCount());
        assertEquals(3.0, metricsA.droppedStaleCount());
        processA.flush();
        assertEquals(1.0, metricsA.storedCount("ETHUSDT"));
        try (Jedis redis = TestRedis.client()) {
            assertEquals("9", TickJson.mapper().readTree(redis.get("tick:latest:ETHUSDT")).get("bid").textValue());
        }
    }

    @Test
    void eachStreamKindIsOrderedByItsOwnSequence() throws Exception {
        processA.store(book("ETHUSDT", 900, "10"));
        processA.flush();
        // A ticker's sequence is its event time, a different number line than the book's update id.
        processA.store(ticker("ETHUSDT", 50, "11"));
        processA.flush();
        processB.store(book("ETHUSDT", 899, "9"));
        processB.flush();
        assertEquals(1.0, metricsB.droppedStaleCount());
        processB.store(book("ETHUSDT", 901, "12"));
        processB.flush();
        try (Jedis redis = TestRedis.client()) {
            assertEquals("12", TickJson.mapper().readTree(redis.get("tick:latest:ETHUSDT")).get("bid").textValue());
        }
    }

    @Test
    void readsEverySymbolInOneCallAndRefusesUnfollowedKeys() {
        processA.store(book("ETHUSDT", 1, "10"));
        processA.flush();
        List<String> values = processA.readAll(List.of("BTCUSDT", "ETHUSDT"));
        assertNull(values.get(0));
        assertTrue(values.get(1).contains("\"bid\":\"10\""));
        assertThrows(IllegalArgumentException.class, () -> processA.readAll(Arrays.asList("BTCUSDT", "DOGE*")));
        assertThrows(IllegalArgumentException.class, () -> processA.store(book("XRPUSDT", 1, "1")));
    }

    static MarketTick book(String symbol, long u, String bid) {
        BigDecimal b = new BigDecimal(bid);
        return new MarketTick(symbol, "X", "USDT", StreamKind.BOOK_TICKER, b, b, BigDecimal.ONE, b, BigDecimal.ONE,
                null, null, null, null, null, null, null, u, null, System.currentTimeMillis(), "binance");
    }

    static MarketTick ticker(String symbol, long eventTime, String last) {
        BigDecimal p = new BigDecimal(last);
        return new MarketTick(symbol, "X", "USDT", StreamKind.TICKER, p, p, BigDecimal.ONE, p, BigDecimal.ONE,
                p, p, p, BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ZERO, 7L, eventTime,
                System.currentTimeMillis(), "binance");
    }
}
