package dev.marketdata.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marketdata.model.Market;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.StreamKind;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import redis.clients.jedis.Jedis;

/**
 * The newer-than guard against a real Redis, including two gateway processes writing the same keys, the
 * conflation of pending ticks, the bound on how long a stored sequence can hold a symbol, poisoned guards
 * and the data-set epoch. The writer threads are not started: {@code flush()} and {@code reconcile()} run
 * on the test's thread, and the clock (receive times included) is the test's, so each step is exact.
 */
class LatestTickStoreIT {

    private static final List<String> SYMBOLS = List.of("BTCUSDT", "ETHUSDT");
    private static final long RESET_AFTER = 5_000;
    private static final AtomicLong NOW = new AtomicLong();
    private JedisConnectionFactory factory;
    private LatestTickStore processA;
    private LatestTickStore processB;
    private IngestMetrics metricsA;
    private IngestMetrics metricsB;

    @BeforeEach
    void connect() {
        TestRedis.flush();
        factory = TestRedis.connectionFactory();
        StringRedisTemplate template = new StringRedisTemplate(factory);
        NOW.set(System.currentTimeMillis());
        metricsA = new IngestMetrics(new SimpleMeterRegistry(), SYMBOLS);
        metricsB = new IngestMetrics(new SimpleMeterRegistry(), SYMBOLS);
        // Two stores with their own local state stand for two gateway processes sharing one Redis.
        processA = store(template, metricsA);
        processB = store(template, metricsB);
    }

    private static LatestTickStore store(StringRedisTemplate template, IngestMetrics metrics) {
        return new LatestTickStore(template, SYMBOLS, new LatestTickStore.Options(30, RESET_AFTER, 1_000), metrics,
                new FreshnessTracker(SYMBOLS, NOW::get), NOW::get);
    }

    @AfterEach
    void close() {
        factory.destroy();
    }

    /**
     * Issue 13's fan-out: with a channel set and a push API listening (the key it keeps), each writer batch publishes the ticks it stored (and only those),
     * from whichever gateway stored them, in store order, with the key, sequence and receive time a reader
     * orders them by; a reset is marked so that a reader does not refuse it as older; the refused are not published;
     * a Binance tick's mirror key (its other name) is published as stored under that name.
     */
    @Test
    void storedTicksArePublishedInStoreOrderFromEveryGateway() throws Exception {
        StringRedisTemplate template = new StringRedisTemplate(factory);
        LatestTickStore a = new LatestTickStore(template, SYMBOLS, new LatestTickStore.Options(30, RESET_AFTER, 1_000, true,
                "tick:updates"), metricsA, new FreshnessTracker(SYMBOLS, NOW::get), NOW::get);
        LatestTickStore b = new LatestTickStore(template, SYMBOLS, new LatestTickStore.Options(30, RESET_AFTER, 1_000, true,
                "tick:updates"), metricsB, new FreshnessTracker(SYMBOLS, NOW::get), NOW::get);
        List<TickUpdates.Update> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        int[] malformed = new int[1];
        java.util.concurrent.CountDownLatch subscribed = new java.util.concurrent.CountDownLatch(1);
        redis.clients.jedis.BinaryJedisPubSub listener = new redis.clients.jedis.BinaryJedisPubSub() {
            @Override
            public void onMessage(byte[] channel, byte[] message) {
                received.addAll(TickUpdates.decode(message, malformed));
            }

            @Override
            public void onSubscribe(byte[] channel, int count) {
                subscribed.countDown();
            }
        };
        Thread subscriber = new Thread(() -> {
            try (Jedis jedis = TestRedis.client()) {
                jedis.subscribe(listener, "tick:updates".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        });
        subscriber.start();
        try {
            assertTrue(subscribed.await(10, java.util.concurrent.TimeUnit.SECONDS));
            // Nobody announced listening: stored, not published (ingest pays nothing for a push API nobody uses).
            a.store(book("BTCUSDT", 9, "99.5"));
            a.flush();
            assertEquals("99.5", TickJson.read(TestRedis.get("tick:latest:BTCUSDT")).bid().toPlainString());
            try (Jedis jedis = TestRedis.client()) {
                jedis.setex(TickUpdates.LISTENING_KEY, 30, "1");
            }
            a.store(book("BTCUSDT", 10, "100.5"));
            a.store(book("ETHUSDT", 3, "2000"));
            a.flush();
            // Each gateway publishes from a thread of its own: across gateways the order is the order their
            // messages reach Redis, so each is awaited before the next store here.
            RunningGateway.await("a's batch published", java.time.Duration.ofSeconds(10), () -> main(received).size() >= 2);
            b.store(book("BTCUSDT", 8, "99"));   // older: refused in Redis, not published
            b.flush();
            b.store(book("BTCUSDT", 11, "101"));
            b.flush();
            RunningGateway.await("b's batch published", java.time.Duration.ofSeconds(10), () -> main(received).size() >= 3);
            NOW.addAndGet(RESET_AFTER);
            a.store(book("BTCUSDT", 2, "102"));  // lower, past the bound: stored as a reset, marked R
            a.flush();
            RunningGateway.await("four published", java.time.Duration.ofSeconds(10), () -> main(received).size() >= 4);
            RunningGateway.await("the last one's mirror", java.time.Duration.ofSeconds(10), () -> !received.get(received.size() - 1)
                    .key().equals("BTCUSDT"));
            assertEquals(4, main(received).size(), received.toString());
            assertEquals(0, malformed[0]);
            // Each Binance tick under its other name too (here binance:X-USDT, the test ticks' assets being X and USDT),
            // as a gateway following that name reads it, through that key's own guard.
            List<String> mirrored = received.stream().filter(u -> u.key().startsWith("binance:")).map(u -> u.key() + "#" + u.sequence()
                    + (u.reset() ? "R" : "") + "=" + TickJson.read(u.json()).symbol()).toList();
            assertEquals("binance:X-USDT#2R=X-USDT", mirrored.get(mirrored.size() - 1), mirrored.toString());
            assertEquals(List.of("X-USDT"), mirrored.stream().map(m -> m.substring(m.indexOf('=') + 1)).distinct().toList());
            // One batch's ticks in the order the writer sent them (any), batches in the order they were stored.
            List<String> shown = main(received).stream().map(u -> u.key() + "#" + u.sequence()
                    + (u.reset() ? "R" : "") + "=" + TickJson.read(u.json()).bid().toPlainString()).toList();
            assertEquals(java.util.Set.of("BTCUSDT#10=100.5", "ETHUSDT#3=2000"), java.util.Set.copyOf(shown.subList(0, 2)));
            assertEquals(List.of("BTCUSDT#11=101", "BTCUSDT#2R=102"), shown.subList(2, 4));
            assertEquals(received.size(), received.stream().filter(u -> u.receivedAt() == TickJson.read(u.json()).receivedAt()
                    && u.key().equals(TickJson.read(u.json()).key())).count());
        } finally {
            listener.unsubscribe();
            subscriber.join(10_000);
        }
    }

    private static List<TickUpdates.Update> main(List<TickUpdates.Update> received) {
        return received.stream().filter(u -> !u.key().startsWith("binance:")).toList();
    }

    /** The script goes once and is then named by its SHA-1; a Redis that lost it (restart, SCRIPT FLUSH) gets it again. */
    @Test
    void aRedisThatLostTheScriptIsGivenItAgain() throws Exception {
        processA.store(book("BTCUSDT", 10, "100.5"));
        processA.flush();
        try (Jedis redis = TestRedis.client()) {
            redis.scriptFlush();
        }
        processA.store(book("BTCUSDT", 11, "100.6"));
        processA.flush();
        assertEquals(2.0, metricsA.storedCount("BTCUSDT"));
        try (Jedis redis = TestRedis.client()) {
            assertEquals("100.6", TickJson.mapper().readTree(redis.get("tick:latest:BTCUSDT")).get("bid").textValue());
            // The guard still holds: an older tick after the reload is refused.
            redis.scriptFlush();
        }
        processA.store(book("BTCUSDT", 9, "99"));
        processA.flush();
        processB.store(book("BTCUSDT", 9, "99"));
        processB.flush();
        assertEquals(2.0, metricsA.storedCount("BTCUSDT"));
        assertEquals(0.0, metricsB.storedCount("BTCUSDT"));
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
    void readsEverySymbolInOneCallAndAnswersAMissForUnfollowedKeys() {
        processA.store(book("ETHUSDT", 1, "10"));
        processA.flush();
        List<String> values = processA.readAll(List.of("BTCUSDT", "ETHUSDT"));
        assertNull(values.get(0));
        assertTrue(values.get(1).contains("\"bid\":\"10\""));
        // Not followed (never, or no longer: a symbol removed while its request was on its way): a miss, and no key
        // is built from it, even one Redis holds a value under.
        try (Jedis redis = TestRedis.client()) {
            redis.set("tick:latest:DOGE*", "{}");
            assertEquals(Arrays.asList(null, values.get(1), null), processA.readAll(Arrays.asList("BTCUSDT", "ETHUSDT", "DOGE*")));
        }
        assertThrows(IllegalArgumentException.class, () -> processA.store(book("XRPUSDT", 1, "1")));
    }

    @Test
    void aHugeSequenceHoldsTheSymbolOnlyUntilTheResetBound() throws Exception {
        long t0 = NOW.get();
        processA.store(book("BTCUSDT", Long.MAX_VALUE, "66"));
        processA.flush();
        for (long dt : new long[] { 100, 1_500, 4_999 }) {
            NOW.set(t0 + dt);
            assertEquals(LatestTickStore.Result.STALE, processA.store(book("BTCUSDT", 101 + dt, "10")), "at +" + dt + " ms");
        }
        assertEquals(List.of("BTCUSDT:bookTicker"), processA.heldSymbols());
        NOW.set(t0 + RESET_AFTER);
        assertEquals(LatestTickStore.Result.PENDING, processA.store(book("BTCUSDT", 5_200, "11")));
        processA.flush();
        assertEquals(5_200, storedUpdateId("BTCUSDT"));
        assertEquals(1.0, metricsA.sequenceResetCount(IngestMetrics.RESET_REGRESSION));
        assertEquals(List.of(), processA.heldSymbols());
        // From the reset on, the new sequence orders the symbol as usual.
        NOW.addAndGet(10);
        processA.store(book("BTCUSDT", 5_201, "12"));
        processA.flush();
        assertEquals(5_201, storedUpdateId("BTCUSDT"));
        assertEquals(1.0, metricsA.sequenceResetCount());
    }

    @Test
    void aSequenceThatGoesBackIsRefusedAsOutOfOrderThenTakenAsAResetEvenWhenAnotherProcessHoldsIt() throws Exception {
        long t0 = NOW.get();
        processB.store(book("ETHUSDT", 5_000_000, "20"));
        processB.flush();
        // Process A knows nothing locally: Redis's guard refuses, within the bound.
        NOW.set(t0 + 4_000);
        processA.store(book("ETHUSDT", 10, "21"));
        processA.flush();
        assertEquals(5_000_000, storedUpdateId("ETHUSDT"));
        assertEquals(1.0, metricsA.droppedStaleCount());
        NOW.set(t0 + 5_000);
        processA.store(book("ETHUSDT", 11, "21"));
        processA.flush();
        assertEquals(11, storedUpdateId("ETHUSDT"));
        assertEquals(1.0, metricsA.sequenceResetCount(IngestMetrics.RESET_REGRESSION));
        // Out-of-order within the bound is still refused: newest wins.
        NOW.set(t0 + 5_100);
        processB.store(book("ETHUSDT", 10, "19"));
        processB.flush();
        assertEquals(11, storedUpdateId("ETHUSDT"));
    }

    /** A venue that says its sequence starts again (Bybit's u=1) is believed at once, in this process and in Redis. */
    @Test
    void aResetTheVenueAnnouncesIsStoredAtOnce() throws Exception {
        long t0 = NOW.get();
        processB.store(book("ETHUSDT", 18_521_288, "20"));
        processB.flush();
        NOW.set(t0 + 100);
        // Not announced: a lower sequence within the bound is out of order.
        processA.store(book("ETHUSDT", 1, "21"));
        processA.flush();
        assertEquals(18_521_288, storedUpdateId("ETHUSDT"));
        // Announced: stored, by the other process too, and counted as a reset.
        assertEquals(LatestTickStore.Result.PENDING, processA.store(book("ETHUSDT", 1, "21"), true));
        processA.flush();
        assertEquals(1, storedUpdateId("ETHUSDT"));
        assertEquals(1.0, metricsA.sequenceResetCount(IngestMetrics.RESET_REGRESSION));
        // The sequence goes on from the reset; each gateway learns of a reset from its own connection to the venue.
        NOW.set(t0 + 200);
        processA.store(book("ETHUSDT", 2, "22"));
        processA.flush();
        assertEquals(2, storedUpdateId("ETHUSDT"));
        assertEquals(LatestTickStore.Result.PENDING, processB.store(book("ETHUSDT", 3, "23"), true));
        processB.flush();
        assertEquals(3, storedUpdateId("ETHUSDT"));
    }

    /**
     * Two venues' ticks of one symbol never share a key: Binance keeps its original keys, every other venue's
     * are named by exchange and symbol; each has its own newer-than guard.
     */
    @Test
    void eachVenueHasItsOwnKeysAndGuard() throws Exception {
        List<String> followed = List.of("BTCUSDT", "okx:BTC-USDT", "bybit:BTC-USDT-PERP");
        IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry(), followed);
        LatestTickStore store = new LatestTickStore(new StringRedisTemplate(factory), followed,
                new LatestTickStore.Options(30, RESET_AFTER, 1_000), metrics, new FreshnessTracker(followed, NOW::get), NOW::get);
        BigDecimal p = new BigDecimal("100");
        MarketTick okx = new MarketTick("BTC-USDT", "okx", "BTC-USDT", Market.SPOT, "BTC", "USDT", StreamKind.BOOK_TICKER, p,
                p, BigDecimal.ONE, p, BigDecimal.ONE, null, null, null, null, null, null, null, 7L, NOW.get(), NOW.get(), "okx");
        MarketTick bybit = new MarketTick("BTC-USDT-PERP", "bybit", "BTCUSDT", Market.PERP, "BTC", "USDT",
                StreamKind.BOOK_TICKER, p, p, BigDecimal.ONE, p, BigDecimal.ONE, null, null, null, null, null, null, null, 3L,
                NOW.get(), NOW.get(), "bybit");
        store.store(book("BTCUSDT", 9, "99"));
        store.store(okx);
        store.store(bybit);
        store.flush();
        try (Jedis redis = TestRedis.client()) {
            assertTrue(redis.get("tick:latest:BTCUSDT").contains("\"update_id\":9"));
            assertTrue(redis.get("tick:latest:okx:BTC-USDT").contains("\"exchange\":\"okx\""));
            assertTrue(redis.get("tick:latest:bybit:BTC-USDT-PERP").contains("\"native_symbol\":\"BTCUSDT\""));
            // OKX's book top is ordered by event time, then seqId (Venue.bookSequence).
            assertEquals(String.valueOf(okx.eventTime() * 1_000_000L + 7), redis.hget("tick:seq:okx:BTC-USDT", "bookTicker"));
            assertEquals("3", redis.hget("tick:seq:bybit:BTC-USDT-PERP", "bookTicker"));
        }
        // A lower sequence on Bybit is refused by Bybit's guard only; OKX's is untouched.
        assertEquals(LatestTickStore.Result.STALE, store.store(new MarketTick("BTC-USDT-PERP", "bybit", "BTCUSDT", Market.PERP,
                "BTC", "USDT", StreamKind.BOOK_TICKER, p, p, BigDecimal.ONE, p, BigDecimal.ONE, null, null, null, null, null, null,
                null, 2L, NOW.get(), NOW.get(), "bybit")));
        // A venue's tick of a key not followed never reaches Redis.
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> store.store(new MarketTick("ETH-USDT",
                "okx", "ETH-USDT", Market.SPOT, "ETH", "USDT", StreamKind.BOOK_TICKER, p, p, BigDecimal.ONE, p, BigDecimal.ONE,
                null, null, null, null, null, null, null, 1L, NOW.get(), NOW.get(), "okx")));
    }

    @Test
    void guardsNoGatewayWritesAreReplacedAndGetTheTtl() throws Exception {
        try (Jedis redis = TestRedis.client()) {
            // A huge sequence without its receive time and without a TTL, as a foreign dump would hold it.
            redis.hset("tick:seq:BTCUSDT", "bookTicker", "9223372036854775807");
            // A guard of another type altogether.
            redis.set("tick:seq:ETHUSDT", "garbage");
            processA.store(book("BTCUSDT", 7, "10"));
            processA.store(book("ETHUSDT", 8, "10"));
            processA.flush();
            assertEquals(7, storedUpdateId("BTCUSDT"));
            assertEquals(8, storedUpdateId("ETHUSDT"));
            assertEquals(2.0, metricsA.sequenceResetCount(IngestMetrics.RESET_UNREADABLE_GUARD));
            for (String symbol : SYMBOLS) {
                long ttl = redis.ttl("tick:seq:" + symbol);
                assertTrue(ttl > 25 && ttl <= 30, symbol + " guard ttl " + ttl);
            }
            // A receive time in the future (another gateway's clock ahead, or forged) counts from the first
            // refusal: it holds the symbol for the bound, not for a day, nor for the bound plus the skew.
            long t0 = NOW.get();
            redis.hset("tick:seq:BTCUSDT", Map.of("bookTicker", "999999", "bookTicker@", Long.toString(t0 + 86_400_000L)));
            processB.store(book("BTCUSDT", 9, "11"));
            processB.flush();
            NOW.set(t0 + RESET_AFTER - 1);
            processB.store(book("BTCUSDT", 10, "11"));
            processB.flush();
            assertEquals(7, storedUpdateId("BTCUSDT"));
            NOW.set(t0 + RESET_AFTER);
            processB.store(book("BTCUSDT", 11, "11"));
            processB.flush();
            assertEquals(11, storedUpdateId("BTCUSDT"));
            assertEquals(1.0, metricsB.sequenceResetCount(IngestMetrics.RESET_REGRESSION));
        }
    }

    @Test
    void gatewaysSharingRedisAgreeOnTheEpochAndOnlyAChangedDataSetIsReseeded() throws Exception {
        // The first reconcile adopts the epoch (the first process creates it), as start() does.
        processA.reconcile();
        processB.reconcile();
        processA.store(book("BTCUSDT", 100, "10"));
        processA.flush();
        try (Jedis redis = TestRedis.client()) {
            String epoch = redis.get("tick:epoch");
            redis.del("tick:latest:BTCUSDT");
            processA.reconcile();
            processB.reconcile();
            // Both adopted the epoch the first one created: nothing looked foreign, nothing was written again.
            assertEquals(epoch, redis.get("tick:epoch"));
            assertNull(redis.get("tick:latest:BTCUSDT"));

            // Redis now holds someone else's data set: another epoch, a guard with a huge sequence and no TTL,
            // a wrong price.
            redis.flushAll();
            redis.set("tick:epoch", "someone-elses-dump");
            redis.hset("tick:seq:BTCUSDT", "bookTicker", "9000000000000");
            redis.set("tick:latest:BTCUSDT", "{\"symbol\":\"BTCUSDT\",\"stream\":\"bookTicker\",\"price\":\"1234.5\","
                    + "\"update_id\":9000000000000,\"received_at\":" + NOW.get() + ",\"source\":\"binance\"}");
            NOW.addAndGet(200);
            processA.reconcile();
            assertEquals(100, storedUpdateId("BTCUSDT"));
            assertEquals("10", TickJson.mapper().readTree(redis.get("tick:latest:BTCUSDT")).get("price").textValue());
            assertTrue(redis.ttl("tick:seq:BTCUSDT") > 0);
            assertEquals("someone-elses-dump", redis.get("tick:epoch"));
            // The next live tick is stored as usual, in both processes.
            processB.reconcile();
            processB.store(book("BTCUSDT", 101, "10.5"));
            processB.flush();
            assertEquals(101, storedUpdateId("BTCUSDT"));

            // An epoch of another type would fail every read of it: it is replaced, Redis is not taken for down.
            redis.del("tick:epoch");
            redis.hset("tick:epoch", "not", "ours");
            processA.reconcile();
            assertTrue(processA.redisUp());
            assertEquals("string", redis.type("tick:epoch"));
            assertEquals(101, storedUpdateId("BTCUSDT"));
        }
    }

    private static long storedUpdateId(String symbol) throws Exception {
        try (Jedis redis = TestRedis.client()) {
            return TickJson.mapper().readTree(redis.get("tick:latest:" + symbol)).get("update_id").longValue();
        }
    }

    static MarketTick book(String symbol, long u, String bid) {
        BigDecimal b = new BigDecimal(bid);
        return new MarketTick(symbol, "binance", symbol, Market.SPOT, "X", "USDT", StreamKind.BOOK_TICKER, b, b, BigDecimal.ONE, b, BigDecimal.ONE,
                null, null, null, null, null, null, null, u, null, NOW.get(), "binance");
    }

    static MarketTick ticker(String symbol, long eventTime, String last) {
        BigDecimal p = new BigDecimal(last);
        return new MarketTick(symbol, "binance", symbol, Market.SPOT, "X", "USDT", StreamKind.TICKER, p, p, BigDecimal.ONE, p, BigDecimal.ONE,
                p, p, p, BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ZERO, BigDecimal.ZERO, 7L, eventTime,
                NOW.get(), "binance");
    }
}
