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

/** The newer-than guard against a real Redis, including two gateway processes writing the same keys. */
class LatestTickStoreIT {

    private JedisConnectionFactory factory;
    private LatestTickStore processA;
    private LatestTickStore processB;

    @BeforeEach
    void connect() {
        TestRedis.flush();
        factory = new JedisConnectionFactory(new RedisStandaloneConfiguration(TestRedis.host(), TestRedis.port()));
        factory.afterPropertiesSet();
        factory.start();
        StringRedisTemplate template = new StringRedisTemplate(factory);
        List<String> symbols = List.of("BTCUSDT", "ETHUSDT");
        // Two stores with their own local caches stand for two gateway processes sharing one Redis.
        processA = new LatestTickStore(template, symbols, 30, new IngestMetrics(new SimpleMeterRegistry(), symbols),
                new FreshnessTracker(symbols, System::currentTimeMillis));
        processB = new LatestTickStore(template, symbols, 30, new IngestMetrics(new SimpleMeterRegistry(), symbols),
                new FreshnessTracker(symbols, System::currentTimeMillis));
    }

    @AfterEach
    void close() {
        factory.destroy();
    }

    @Test
    void storesPlainJsonWithTheTtl() throws Exception {
        assertEquals(LatestTickStore.Result.STORED, processA.store(book("BTCUSDT", 10, "100.5")));
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
        assertEquals(LatestTickStore.Result.STORED, processA.store(book("BTCUSDT", 20, "101")));
        assertEquals(LatestTickStore.Result.STALE, processB.store(book("BTCUSDT", 19, "99")));
        assertEquals(LatestTickStore.Result.STALE, processB.store(book("BTCUSDT", 20, "99")));
        assertEquals(LatestTickStore.Result.STALE, processA.store(book("BTCUSDT", 5, "98")));
        assertEquals(LatestTickStore.Result.STORED, processB.store(book("BTCUSDT", 21, "102")));
        assertEquals(LatestTickStore.Result.STALE, processA.store(book("BTCUSDT", 20, "103")));
        try (Jedis redis = TestRedis.client()) {
            JsonNode json = TickJson.mapper().readTree(redis.get("tick:latest:BTCUSDT"));
            assertEquals(21, json.get("update_id").longValue());
            assertEquals("102", json.get("bid").textValue());
        }
    }

    @Test
    void eachStreamKindIsOrderedByItsOwnSequence() throws Exception {
        assertEquals(LatestTickStore.Result.STORED, processA.store(book("ETHUSDT", 900, "10")));
        // A ticker's sequence is its event time, a different number line than the book's update id.
        assertEquals(LatestTickStore.Result.STORED, processA.store(ticker("ETHUSDT", 50, "11")));
        assertEquals(LatestTickStore.Result.STALE, processB.store(book("ETHUSDT", 899, "9")));
        assertEquals(LatestTickStore.Result.STORED, processB.store(book("ETHUSDT", 901, "12")));
        try (Jedis redis = TestRedis.client()) {
            assertEquals("12", TickJson.mapper().readTree(redis.get("tick:latest:ETHUSDT")).get("bid").textValue());
        }
    }

    @Test
    void readsEverySymbolInOneCallAndRefusesUnfollowedKeys() {
        processA.store(book("ETHUSDT", 1, "10"));
        List<String> values = processA.readAll(List.of("BTCUSDT", "ETHUSDT"));
        assertNull(values.get(0));
        assertTrue(values.get(1).contains("\"bid\":\"10\""));
        assertThrows(IllegalArgumentException.class, () -> processA.readAll(Arrays.asList("BTCUSDT", "DOGE*")));
        assertThrows(IllegalArgumentException.class, () -> processA.store(book("XRPUSDT", 1, "1")));
    }

    static MarketTick book(String symbol, long u, String bid) {
        BigDecimal b = new BigDecimal(bid);
        return new MarketTick(symbol, "X", "USDT", StreamKind.BOOK_TICKER, b, b, BigDecimal.ONE, b, BigDecimal.ONE,
                null, null, null, null, null, null, null, u, null, 1L, "binance");
    }

    static MarketTick ticker(String symbol, long eventTime, String last) {
        BigDecimal p = new BigDecimal(last);
        return new MarketTick(symbol, "X", "USDT", StreamKind.TICKER, p, p, BigDecimal.ONE, p, BigDecimal.ONE,
                p, p, p, BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ZERO, 7L, eventTime, 1L, "binance");
    }
}
