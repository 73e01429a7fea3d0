package dev.marketdata.api;

import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.marketdata.model.Instrument;
import dev.marketdata.model.Venue;
import org.apache.camel.AggregationStrategy;
import org.apache.camel.Exchange;

/**
 * Fills the tickers Redis could not give (a miss, or Redis down) with mock entries, as a Camel content
 * enricher: {@link #mockEntries} is the resource, {@link #aggregate} merges it into the answer. Every
 * mock entry carries {@code "_mock": true}; the price is {@code mock.price.<SYMBOL>} when configured,
 * else the plainly synthetic 1.00000000.
 */
public class MockTickerEnricher implements AggregationStrategy {

    public static final String BEAN = "mockTickerEnricher";
    static final BigDecimal SYNTHETIC_PRICE = new BigDecimal("1.00000000");

    private volatile Map<String, BigDecimal> mockPrices;
    private volatile Map<String, Instrument> instruments;
    private final ApiMetrics metrics;

    /**
     * @param mockPrices  per followed key, its reference price
     * @param instruments every followed instrument: a mock entry names its venue, symbol and assets as configured
     */
    public MockTickerEnricher(Map<String, BigDecimal> mockPrices, java.util.List<Instrument> instruments, ApiMetrics metrics) {
        this.mockPrices = Map.copyOf(mockPrices);
        follow(instruments);
        this.metrics = metrics;
    }

    /** The followed instruments from now on (an added symbol is served as a mock entry until its first tick). */
    public void follow(java.util.List<Instrument> followed) {
        Map<String, Instrument> byKey = new java.util.HashMap<>();
        followed.forEach(i -> byKey.putIfAbsent(i.key(), i));
        this.instruments = Map.copyOf(byKey);
    }

    /** {@code mock.price.*}, changed at run time. */
    public void mockPrices(Map<String, BigDecimal> prices) {
        this.mockPrices = Map.copyOf(prices);
    }

    /** The resource side of the enricher: a mock entry for each empty slot. */
    public Map<String, Map<String, Object>> mockEntries(TickerLookup lookup) {
        Map<String, Map<String, Object>> mocks = new LinkedHashMap<>();
        for (String symbol : lookup.missing()) {
            mocks.put(symbol, mockEntry(symbol, lookup.missReason(symbol)));
        }
        return mocks;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Exchange aggregate(Exchange original, Exchange resource) {
        TickerLookup lookup = original.getMessage().getBody(TickerLookup.class);
        Map<String, Map<String, Object>> mocks = resource.getMessage().getBody(Map.class);
        if (lookup != null && mocks != null) {
            mocks.forEach((symbol, entry) -> {
                lookup.put(symbol, entry);
                metrics.mockServed((String) entry.get("mock_reason"));
            });
        }
        return original;
    }

    /** A mock entry for a followed key, one per (exchange, symbol). */
    Map<String, Object> mockEntry(String key, String reason) {
        BigDecimal price = mockPrices.getOrDefault(key, SYNTHETIC_PRICE);
        Instrument i = instruments.get(key);
        if (i == null) {
            i = Instrument.parse(Venue.BINANCE, key);
        }
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("symbol", i.symbol());
        entry.put("exchange", i.venue().id());
        entry.put("native_symbol", i.nativeSymbol());
        entry.put("market", i.market().tag());
        entry.put("base_asset", i.base());
        entry.put("quote_asset", i.quote());
        entry.put("stream", null);
        entry.put("price", price.toPlainString());
        entry.put("bid", price.toPlainString());
        entry.put("bid_qty", "0");
        entry.put("ask", price.toPlainString());
        entry.put("ask_qty", "0");
        for (String field : StoredTickCheck.DAY_FIELDS) {
            entry.put(field, null);
        }
        entry.put("update_id", null);
        entry.put("event_time", null);
        entry.put("received_at", null);
        entry.put("source", "mock");
        entry.put("age_ms", null);
        entry.put("mock_reason", reason);
        entry.put("_mock", true);
        entry.put("_last_known", false);
        entry.put("_clock_ahead", false);
        return entry;
    }
}
