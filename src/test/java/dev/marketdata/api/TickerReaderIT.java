package dev.marketdata.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import dev.marketdata.pipeline.FreshnessTracker;
import dev.marketdata.pipeline.IngestMetrics;
import dev.marketdata.pipeline.LatestTickStore;
import dev.marketdata.support.TestRedis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import redis.clients.jedis.Jedis;

/**
 * The reader against a real Redis with the test's clock: a value that passed once is not parsed again while
 * it is unchanged, but its age is judged on every read, so a value without TTL that nobody updates stops
 * being served once it is older than a key lives.
 */
class TickerReaderIT {

    private static final List<String> SYMBOLS = List.of("BTCUSDT");
    private final AtomicLong now = new AtomicLong(System.currentTimeMillis());
    private JedisConnectionFactory factory;
    private TickerReader reader;
    private ApiMetrics metrics;

    @BeforeEach
    void connect() {
        TestRedis.flush();
        factory = TestRedis.connectionFactory();
        IngestMetrics ingest = new IngestMetrics(new SimpleMeterRegistry(), SYMBOLS);
        LatestTickStore store = new LatestTickStore(new StringRedisTemplate(factory), SYMBOLS,
                new LatestTickStore.Options(60, 5_000, 1_000), ingest, new FreshnessTracker(SYMBOLS, now::get), now::get);
        metrics = new ApiMetrics(new SimpleMeterRegistry());
        reader = new TickerReader(store, SYMBOLS.stream().map(s -> dev.marketdata.model.Instrument.parse(dev.marketdata.model.Venue.BINANCE, s)).toList(), now::get, metrics, ingest, new StoredTickCheck.Limits(65_000, 5_000));
    }

    @AfterEach
    void close() {
        factory.destroy();
    }

    /**
     * A tick written by an earlier version (before venues, and before every 24h field was always written) is
     * still served during its TTL, with every field of the contract in its order: rewritten, not spliced.
     */
    @Test
    void aTickOfAnEarlierVersionIsServedInTheOneShape() throws Exception {
        String legacy = "{\"symbol\":\"BTCUSDT\",\"base_asset\":\"BTC\",\"quote_asset\":\"USDT\","
                + "\"stream\":\"bookTicker\",\"price\":\"10\",\"bid\":\"9.9\",\"bid_qty\":\"1\",\"ask\":\"10.1\","
                + "\"ask_qty\":\"1\",\"update_id\":5,\"event_time\":null,\"received_at\":" + now.get()
                + ",\"source\":\"binance\"}";
        com.fasterxml.jackson.databind.JsonNode entry = servedInContractOrder(legacy);
        assertEquals("binance", entry.get("exchange").asText());
        assertEquals("BTCUSDT", entry.get("native_symbol").asText());
        assertEquals("spot", entry.get("market").asText());
        assertEquals("10", entry.get("price").asText());
        assertTrue(entry.get("open_24h").isNull());
        // Present but not of the vocabulary: not a tick this gateway wrote.
        try (Jedis redis = TestRedis.client()) {
            redis.set("tick:latest:BTCUSDT", legacy.replace("{\"symbol\":\"BTCUSDT\",", "{\"symbol\":\"BTCUSDT\",\"exchange\":\"nasdaq\","));
        }
        assertEquals(List.of("BTCUSDT"), reader.readOne("BTCUSDT", null).missing());
        assertEquals(1.0, metrics.invalidValueCount("malformed"));
        // Venue fields that do not agree with the symbol, or only some of them, or an empty base asset.
        String venue = "{\"symbol\":\"BTCUSDT\",\"exchange\":\"binance\",\"native_symbol\":\"BTCUSDT\",\"market\":\"spot\",";
        List<String> refused = List.of(
                legacy.replace("{\"symbol\":\"BTCUSDT\",", venue.replace("\"native_symbol\":\"BTCUSDT\"", "\"native_symbol\":\"ETHUSDT\"")),
                legacy.replace("{\"symbol\":\"BTCUSDT\",", venue.replace("\"market\":\"spot\"", "\"market\":\"perp\"")),
                legacy.replace("{\"symbol\":\"BTCUSDT\",", "{\"symbol\":\"BTCUSDT\",\"market\":\"perp\","),
                legacy.replace("\"base_asset\":\"BTC\"", "\"base_asset\":\"\""),
                // Another venue's source, with the venue fields or without them (a tick of before there were venues
                // is Binance's).
                legacy.replace("{\"symbol\":\"BTCUSDT\",", venue).replace("\"source\":\"binance\"", "\"source\":\"okx\""),
                legacy.replace("\"source\":\"binance\"", "\"source\":\"okx\""));
        for (String value : refused) {
            try (Jedis redis = TestRedis.client()) {
                redis.set("tick:latest:BTCUSDT", value);
            }
            assertEquals(List.of("BTCUSDT"), reader.readOne("BTCUSDT", null).missing(), value);
        }
        assertEquals(7.0, metrics.invalidValueCount("malformed"));
        // The same tick with its venue fields in agreement is served.
        try (Jedis redis = TestRedis.client()) {
            redis.set("tick:latest:BTCUSDT", legacy.replace("{\"symbol\":\"BTCUSDT\",", venue));
        }
        assertEquals(List.of(), reader.readOne("BTCUSDT", null).missing());
    }

    /** Found by a breaker: values of the right types that are still not a tick of the symbol, or not in its order. */
    @Test
    void assetsOfAnotherSymbolImplausible24hFieldsAndAnotherOrderAreNotServedAsStored() throws Exception {
        String tick = "{\"symbol\":\"BTCUSDT\",\"exchange\":\"binance\",\"native_symbol\":\"BTCUSDT\",\"market\":\"spot\","
                + "\"base_asset\":\"BTC\",\"quote_asset\":\"USDT\",\"stream\":\"miniTicker\",\"price\":\"10\",\"bid\":null,"
                + "\"bid_qty\":null,\"ask\":null,\"ask_qty\":null,\"open_24h\":\"9\",\"high_24h\":\"11\",\"low_24h\":\"8\","
                + "\"volume_24h\":\"1\",\"quote_volume_24h\":\"10\",\"price_change_24h\":\"1\",\"price_change_percent_24h\":null,"
                + "\"update_id\":null,\"event_time\":" + (now.get() - 5) + ",\"received_at\":" + now.get() + ",\"source\":\"binance\"}";
        List<String> refused = List.of(
                tick.replace("\"base_asset\":\"BTC\",\"quote_asset\":\"USDT\"", "\"base_asset\":\"ETH\",\"quote_asset\":\"EUR\""),
                tick.replace("\"exchange\":\"binance\",\"native_symbol\":\"BTCUSDT\",\"market\":\"spot\",", "")
                        .replace("\"base_asset\":\"BTC\",\"quote_asset\":\"USDT\"", "\"base_asset\":\"DOGE\",\"quote_asset\":\"\""),
                tick.replace("\"low_24h\":\"8\"", "\"low_24h\":\"12\""),
                tick.replace("\"event_time\":" + (now.get() - 5), "\"event_time\":0"));
        for (String value : refused) {
            try (Jedis redis = TestRedis.client()) {
                redis.set("tick:latest:BTCUSDT", value);
            }
            assertEquals(List.of("BTCUSDT"), reader.readOne("BTCUSDT", null).missing(), value);
        }
        // The same tick with its fields in another order: served, in the one order.
        String reversed = "{\"source\":\"binance\"," + tick.substring(1, tick.indexOf(",\"source\""))
                .replace("\"symbol\":\"BTCUSDT\",", "") + ",\"symbol\":\"BTCUSDT\"}";
        servedInContractOrder(reversed);
    }

    /** Stores the value, reads it through the reader and checks it is served with the contract's fields in order. */
    private com.fasterxml.jackson.databind.JsonNode servedInContractOrder(String value) throws Exception {
        try (Jedis redis = TestRedis.client()) {
            redis.set("tick:latest:BTCUSDT", value);
        }
        TickerLookup lookup = reader.readOne("BTCUSDT", null);
        assertEquals(List.of(), lookup.missing());
        com.fasterxml.jackson.databind.JsonNode entry = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(((TickerLookup.RawEntry) lookup.entries().get(0)).json());
        List<String> names = new java.util.ArrayList<>();
        entry.fieldNames().forEachRemaining(names::add);
        assertEquals(JsonContractIT.ENTRY_FIELDS, names);
        return entry;
    }

    @Test
    void anUnchangedValueIsJudgedByItsAgeOnEveryRead() {
        try (Jedis redis = TestRedis.client()) {
            redis.set("tick:latest:BTCUSDT", "{\"symbol\":\"BTCUSDT\",\"exchange\":\"binance\",\"native_symbol\":\"BTCUSDT\",\"market\":\"spot\",\"base_asset\":\"BTC\",\"quote_asset\":\"USDT\","
                    + "\"stream\":\"bookTicker\",\"price\":\"10\",\"bid\":\"9.9\",\"bid_qty\":\"1\",\"ask\":\"10.1\","
                    + "\"ask_qty\":\"1\",\"update_id\":5,\"event_time\":null,\"received_at\":" + now.get()
                    + ",\"source\":\"binance\"}");
        }
        TickerLookup fresh = reader.readOne("btcusdt", null);
        assertEquals(List.of(), fresh.missing());
        assertTrue(((TickerLookup.RawEntry) fresh.entries().get(0)).json().contains(",\"age_ms\":0,"));
        now.addAndGet(65_000);
        assertEquals(List.of(), reader.readOne("BTCUSDT", null).missing());
        now.addAndGet(1);
        TickerLookup old = reader.readOne("BTCUSDT", null);
        assertEquals(List.of("BTCUSDT"), old.missing());
        assertEquals("invalid_value", old.missReason("BTCUSDT"));
        assertEquals(1.0, metrics.invalidValueCount("expired"));
        assertNull(old.entries().get(0));
    }
}
