package dev.marketdata.api;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.LongSupplier;

import dev.marketdata.GatewaySettings;
import dev.marketdata.pipeline.IngestMetrics;
import dev.marketdata.pipeline.LatestTickStore;
import dev.marketdata.pipeline.RateLimitedLog;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads tickers for the REST API. The symbol from the path is checked before anything else: a malformed
 * one is a 400, a well-formed one we do not follow a 404, and only a configured symbol ever becomes a
 * Redis key. The list is read in one round trip. When Redis cannot be reached the slots stay empty and
 * the mock enricher fills them; the client never sees the Redis error.
 */
public class TickerReader {

    public static final String BEAN = "tickerReader";
    private static final Logger LOG = LoggerFactory.getLogger(TickerReader.class);
    private static final String RECEIVED_AT = "\"received_at\":";
    private static final int MAX_SHOWN = 40;

    private final LatestTickStore store;
    private final List<String> symbols;
    private final Set<String> followed;
    private final LongSupplier clock;
    private final RateLimitedLog redisLog = new RateLimitedLog(LOG, 10_000);
    private final ApiMetrics metrics;
    private final IngestMetrics ingestMetrics;

    public TickerReader(LatestTickStore store, List<String> symbols, LongSupplier clock, ApiMetrics metrics,
            IngestMetrics ingestMetrics) {
        this.store = store;
        this.metrics = metrics;
        this.ingestMetrics = ingestMetrics;
        this.symbols = List.copyOf(symbols);
        this.followed = Set.copyOf(symbols);
        this.clock = clock;
    }

    public TickerLookup readAll(@Header(Exchange.HTTP_QUERY) String query) {
        rejectQuery(query);
        return read(symbols);
    }

    public TickerLookup readOne(@Header("symbol") String raw, @Header(Exchange.HTTP_QUERY) String query) {
        rejectQuery(query);
        return read(List.of(checkSymbol(raw)));
    }

    /** The API takes no query parameters: an unknown one is a client error, not something to ignore. */
    static void rejectQuery(String query) {
        if (query != null && !query.isEmpty()) {
            throw new ApiException(400, "UNKNOWN_PARAMETER", "this endpoint takes no query parameters");
        }
    }

    public boolean hasMissing(TickerLookup lookup) {
        return lookup.hasMissing();
    }

    String checkSymbol(String raw) {
        String symbol = raw == null ? "" : raw.trim().toUpperCase(Locale.ROOT);
        if (!GatewaySettings.SYMBOL.matcher(symbol).matches()) {
            throw new ApiException(400, "INVALID_SYMBOL",
                    "symbol must be 2-20 letters and digits, got '" + shown(raw) + "'");
        }
        if (!followed.contains(symbol)) {
            throw new ApiException(404, "UNKNOWN_SYMBOL", "symbol " + symbol + " is not configured on this gateway");
        }
        return symbol;
    }

    private TickerLookup read(List<String> wanted) {
        TickerLookup lookup = new TickerLookup(wanted);
        long now = clock.getAsLong();
        // While the store knows Redis is down, do not make every request wait for a timeout.
        if (!store.redisUp()) {
            return fromMemory(lookup, wanted, now);
        }
        List<String> values;
        try {
            values = store.readAll(wanted);
        } catch (RuntimeException e) {
            ingestMetrics.redisError("read");
            redisLog.warn("read", "Redis read failed, answering from the last known ticks or mock entries: {}",
                    e.getClass().getSimpleName());
            return fromMemory(lookup, wanted, now);
        }
        int hits = 0;
        for (int i = 0; i < wanted.size(); i++) {
            String json = values.get(i);
            TickerLookup.RawEntry entry = json == null ? null : entry(json, now, false);
            if (entry != null) {
                lookup.put(wanted.get(i), entry);
                hits++;
            }
        }
        metrics.lookups(hits, wanted.size() - hits);
        return lookup;
    }

    /** Redis cannot answer: the newest ticks this process holds, marked {@code _last_known}; the rest stay empty. */
    private TickerLookup fromMemory(TickerLookup lookup, List<String> wanted, long now) {
        lookup.redisUnavailable();
        metrics.lookups(0, wanted.size());
        for (String symbol : wanted) {
            String json = store.lastKnown(symbol);
            TickerLookup.RawEntry entry = json == null ? null : entry(json, now, true);
            if (entry != null) {
                lookup.put(symbol, entry);
            }
        }
        return lookup;
    }

    /**
     * The stored JSON with {@code age_ms} (and {@code _last_known}) added, by splicing rather than parsing
     * and writing it again: the gateway wrote it, as an object ending in '}', with {@code received_at}.
     * Anything else is treated as a miss rather than shown half-read.
     */
    static TickerLookup.RawEntry entry(String json, long now, boolean lastKnown) {
        int end = json.lastIndexOf('}');
        int at = json.indexOf(RECEIVED_AT);
        if (!json.startsWith("{") || end < 0 || at < 0 || json.contains("\"_mock\"")) {
            return null;
        }
        int from = at + RECEIVED_AT.length();
        int to = from;
        while (to < json.length() && Character.isDigit(json.charAt(to))) {
            to++;
        }
        if (to == from) {
            return null;
        }
        long age = Math.max(0, now - Long.parseLong(json, from, to, 10));
        StringBuilder sb = new StringBuilder(json.length() + 40).append(json, 0, end).append(",\"age_ms\":").append(age);
        if (lastKnown) {
            sb.append(",\"_last_known\":true");
        }
        return new TickerLookup.RawEntry(sb.append('}').toString());
    }

    private static String shown(String raw) {
        if (raw == null) {
            return "";
        }
        String printable = raw.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= MAX_SHOWN ? printable : printable.substring(0, MAX_SHOWN) + "...";
    }
}
