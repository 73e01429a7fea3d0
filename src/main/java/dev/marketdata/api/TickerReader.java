package dev.marketdata.api;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;

import dev.marketdata.model.Instrument;
import dev.marketdata.model.Venue;
import dev.marketdata.pipeline.IngestMetrics;
import dev.marketdata.pipeline.LatestTickStore;
import dev.marketdata.feed.RateLimitedLog;
import org.apache.camel.Exchange;
import org.apache.camel.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads tickers for the REST API. The symbol from the path is checked before anything else: a malformed
 * one is a 400, a well-formed one we do not follow a 404, and only a configured symbol ever becomes a
 * Redis key. The list is read in one round trip. Every value read is checked ({@link StoredTickCheck})
 * before it is served; one that is not a tick of its symbol is a miss. When Redis cannot be reached the
 * slots stay empty (or hold this process's last known ticks) and the mock enricher fills the rest; the
 * client never sees a Redis error.
 */
public class TickerReader {

    /** The last value of a symbol that passed {@link StoredTickCheck}, its receive time and the fields it lacks. */
    private record Checked(String json, long receivedAt, String served) {
    }


    public static final String BEAN = "tickerReader";
    private static final Logger LOG = LoggerFactory.getLogger(TickerReader.class);
    private static final String RECEIVED_AT = "\"received_at\":";
    private static final int MAX_SHOWN = 40;

    /**
     * The lookups of one state of the followed set, built once per change: every /tickers/{symbol} and
     * /best/{symbol} request looks its symbol up here.
     *
     * @param instruments       every followed instrument, in configured order (venue by venue, as {@code exchanges} lists them)
     * @param byNormalized      the followed instruments of each normalized name, in configured order
     * @param binanceNormalized a configured Binance symbol (BTCUSDT) to its normalized name
     */
    private record Index(List<Instrument> instruments, List<String> keys, Map<String, List<Instrument>> byNormalized,
            Map<String, String> binanceNormalized, Map<String, Instrument> byKey, List<String> venues) {

        static Index of(List<Instrument> instruments) {
            Map<String, List<Instrument>> byName = new java.util.LinkedHashMap<>();
            Map<String, String> binanceNames = new java.util.HashMap<>();
            Map<String, Instrument> keyed = new java.util.HashMap<>();
            for (Instrument i : instruments) {
                byName.computeIfAbsent(i.normalized(), k -> new ArrayList<>()).add(i);
                if (i.venue() == Venue.BINANCE) {
                    binanceNames.putIfAbsent(i.nativeSymbol(), i.normalized());
                }
                keyed.putIfAbsent(i.key(), i);
            }
            byName.replaceAll((name, list) -> List.copyOf(list));
            return new Index(List.copyOf(instruments), instruments.stream().map(Instrument::key).toList(), Map.copyOf(byName),
                    Map.copyOf(binanceNames), Map.copyOf(keyed), instruments.stream().map(i -> i.venue().id()).distinct().toList());
        }
    }

    private final LatestTickStore store;
    private volatile Index index;
    private final LongSupplier clock;
    /** Binance's form, or BASE-QUOTE[-PERP]; checked before any case folding. */
    private static final Pattern RAW_SYMBOL = Pattern.compile("[A-Za-z0-9]{2,20}|[A-Za-z0-9]{1,15}-[A-Za-z0-9]{1,15}(-[Pp][Ee][Rr][Pp])?");
    private static final Pattern EXCHANGE_ID = Pattern.compile("[A-Za-z]{1,20}");
    private final RateLimitedLog redisLog = new RateLimitedLog(LOG, 10_000);
    private final RateLimitedLog invalidLog = new RateLimitedLog(LOG, 60_000);
    private final Map<String, Checked> checked = new ConcurrentHashMap<>();
    private volatile StoredTickCheck.Limits storedLimits;
    /** Since when a symbol added while running has been followed; a value stored before then is not its own. */
    private volatile java.util.function.ToLongFunction<String> followedSince = key -> 0;
    private final ApiMetrics metrics;
    private final IngestMetrics ingestMetrics;

    public TickerReader(LatestTickStore store, List<Instrument> instruments, LongSupplier clock, ApiMetrics metrics,
            IngestMetrics ingestMetrics, StoredTickCheck.Limits storedLimits) {
        this.store = store;
        this.metrics = metrics;
        this.ingestMetrics = ingestMetrics;
        this.index = Index.of(instruments);
        this.clock = clock;
        this.storedLimits = storedLimits;
    }

    /** The followed instruments from now on: a removed symbol is a 404 at once, an added one is served at once. */
    public void follow(List<Instrument> instruments) {
        Index next = Index.of(instruments);
        index = next;
        checked.keySet().removeIf(key -> !next.byKey().containsKey(key));
    }

    /** Where a symbol added while running says since when it is followed ({@link dev.marketdata.pipeline.FreshnessTracker}). */
    public void followedSince(java.util.function.ToLongFunction<String> since) {
        this.followedSince = since;
    }

    /** {@code tick.ttl.seconds} or {@code quality.max-skew-ms} changed at run time. */
    public void limits(StoredTickCheck.Limits limits) {
        this.storedLimits = limits;
    }

    /** Every followed (exchange, symbol), in configured order; {@code ?exchange=<id>} keeps one venue's. */
    public TickerLookup readAll(@Header(Exchange.HTTP_QUERY) String query) {
        String exchange = exchangeFilter(query);
        return read(exchange == null ? index.keys() : select(i -> i.venue().id().equals(exchange)));
    }

    /**
     * One entry per venue that carries the symbol ({@code BTC-USDT}, or Binance's {@code BTCUSDT} for the same
     * instrument), in configured order; {@code ?exchange=<id>} keeps one venue's.
     */
    public TickerLookup readOne(@Header("symbol") String raw, @Header(Exchange.HTTP_QUERY) String query) {
        String exchange = exchangeFilter(query);
        List<String> wanted = keysOf(raw, exchange);
        return read(wanted);
    }

    /** The followed keys of a requested symbol (and venue), or the API error saying why there are none. */
    List<String> keysOf(String raw, String exchange) {
        String normalized = normalized(checkSymbol(raw));
        List<String> wanted = new ArrayList<>(2);
        for (Instrument i : index.byNormalized().getOrDefault(normalized, List.of())) {
            if (exchange == null || i.venue().id().equals(exchange)) {
                wanted.add(i.key());
            }
        }
        if (wanted.isEmpty()) {
            throw new ApiException(404, "UNKNOWN_SYMBOL", "symbol " + normalized + " is not configured on this gateway"
                    + (exchange == null ? "" : " for " + exchange));
        }
        return wanted;
    }

    /** The instrument of a followed key. */
    Instrument instrument(String key) {
        Instrument instrument = index.byKey().get(key);
        return instrument != null ? instrument : Instrument.parse(Venue.of(dev.marketdata.model.MarketTick.exchangeOfKey(key)),
                dev.marketdata.model.MarketTick.symbolOfKey(key));
    }

    private List<String> select(java.util.function.Predicate<Instrument> which) {
        return index.instruments().stream().filter(which).map(Instrument::key).toList();
    }

    /**
     * The normalized name a requested symbol stands for: itself when in BASE-QUOTE form; for Binance's form, the
     * name of the configured Binance instrument it is, else the split by the known quote assets (so BTCUSDT asks
     * for BTC-USDT on every venue).
     */
    private String normalized(String symbol) {
        if (symbol.indexOf('-') >= 0) {
            return symbol;
        }
        String binance = index.binanceNormalized().get(symbol);
        if (binance != null) {
            return binance;
        }
        // Binance not enabled (or not carrying it): BTCUSDT still names BTC-USDT by the known quote assets.
        String[] assets = dev.marketdata.model.SymbolAssets.split(symbol);
        return assets[1].isEmpty() ? symbol : assets[0] + "-" + assets[1];
    }

    /**
     * The only query parameter the ticker endpoints take: {@code exchange}, an enabled venue's id. Anything else
     * is a client error, not something to ignore.
     */
    String exchangeFilter(String query) {
        if (query == null || query.isEmpty()) {
            return null;
        }
        String exchange = null;
        for (String pair : query.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decoded(eq < 0 ? pair : pair.substring(0, eq));
            if (!"exchange".equals(name)) {
                throw new ApiException(400, "UNKNOWN_PARAMETER", "the only query parameter taken here is exchange, got '"
                        + shown(name) + "'");
            }
            if (exchange != null) {
                throw new ApiException(400, "INVALID_EXCHANGE", "exchange is given more than once");
            }
            exchange = exchange(eq < 0 ? "" : decoded(pair.substring(eq + 1)));
        }
        return exchange;
    }

    /** An enabled venue's id as a client gave it (query or push API), lower-cased; else INVALID_EXCHANGE. */
    String exchange(String value) {
        List<String> enabled = index.venues();
        // Checked in ASCII before case folding, as symbols are.
        if (value == null || !EXCHANGE_ID.matcher(value).matches() || !enabled.contains(value.toLowerCase(Locale.ROOT))) {
            throw new ApiException(400, "INVALID_EXCHANGE", "exchange must be one of " + String.join(", ", enabled)
                    + ", got '" + shown(value) + "'");
        }
        return value.toLowerCase(Locale.ROOT);
    }

    /**
     * A tick another part of the system says was stored (the push API's channel), checked as a value read from
     * Redis is: its entry with its age, or null when it is not a tick of the key, or was stored before the key was
     * followed again.
     */
    public TickerLookup.RawEntry pushed(String key, String json, long now) {
        if (index.byKey().get(key) == null) {
            return null;
        }
        Checked valid = checked(key, json, now);
        if (valid == null || valid.receivedAt() < followedSince.applyAsLong(key)) {
            return null;
        }
        return entry(valid.served(), valid.receivedAt(), now, false);
    }

    /** A query value as sent, percent-decoded; null when its escapes do not decode. */
    private static String decoded(String raw) {
        try {
            return java.net.URLDecoder.decode(raw, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
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

    /**
     * The path segment exactly as decoded, checked before any case folding: folding first would let
     * {@code %00} (trimmed away) or {@code ſ} (upper-cased to S) pass as a symbol.
     */
    String checkSymbol(String raw) {
        if (raw == null || !RAW_SYMBOL.matcher(raw).matches()) {
            throw new ApiException(400, "INVALID_SYMBOL", "symbol must be BASE-QUOTE[-PERP] or 2-20 letters and digits, got '" + shown(raw) + "'");
        }
        return raw.toUpperCase(Locale.ROOT);
    }

    /**
     * The receive time of the tick Redis holds for each of the keys, where it holds a valid one stored since the key
     * was followed: what an instance that does not ingest a venue judges its freshness by. Throws when Redis fails.
     */
    public Map<String, Long> storedReceivedAt(List<String> keys) {
        List<String> values = store.readAll(keys);
        long now = clock.getAsLong();
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            String json = values.get(i);
            if (json == null || index.byKey().get(key) == null) {
                continue;
            }
            Checked valid = checked(key, json, now);
            if (valid != null && valid.receivedAt() >= followedSince.applyAsLong(key)) {
                out.put(key, valid.receivedAt());
            }
        }
        return out;
    }

    /** The entries of followed keys, checked, with why a slot is empty; for the consolidated best price. */
    public TickerLookup readKeys(List<String> wanted) {
        return read(wanted);
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
            String symbol = wanted.get(i);
            String json = values.get(i);
            if (json == null) {
                continue;
            }
            Checked valid = checked(symbol, json, now);
            if (valid == null) {
                lookup.invalid(symbol);
                continue;
            }
            if (valid.receivedAt() < followedSince.applyAsLong(symbol)) {
                // Stored before the symbol was (re)added: not its tick since it is followed again; a mock until one comes.
                continue;
            }
            lookup.put(symbol, entry(valid.served(), valid.receivedAt(), now, false));
            hits++;
        }
        metrics.lookups(hits, wanted.size() - hits);
        return lookup;
    }

    /**
     * The receive time of a stored value that is a tick of the symbol, or null (counted and logged, at most
     * once a minute per key) when it is not. The last value that passed is remembered per symbol, so a value
     * read again unchanged is not parsed again; its receive time is checked against the clock every time.
     */
    private Checked checked(String symbol, String json, long now) {
        Checked last = checked.get(symbol);
        boolean seen = last != null && last.json().equals(json);
        StoredTickCheck.Outcome outcome = seen
                ? StoredTickCheck.checkTime(last.receivedAt(), now, storedLimits.windowMillis())
                : StoredTickCheck.check(json, symbol, now, storedLimits);
        if (outcome.valid()) {
            if (seen) {
                return last;
            }
            Checked valid = new Checked(json, outcome.receivedAt(),
                    outcome.canonical() == null ? json : outcome.canonical());
            checked.put(symbol, valid);
            return valid;
        }
        metrics.invalidValue(outcome.problem().tag());
        invalidLog.warn(LatestTickStore.key(symbol), "Redis value of {} is not a tick this gateway serves ({}: {}); "
                + "answered as a miss", LatestTickStore.key(symbol), outcome.problem().tag(), outcome.detail());
        return null;
    }

    /** Redis cannot answer: the newest ticks this process holds, marked {@code _last_known}; the rest stay empty. */
    private TickerLookup fromMemory(TickerLookup lookup, List<String> wanted, long now) {
        lookup.redisUnavailable();
        metrics.lookups(0, wanted.size());
        for (String symbol : wanted) {
            String json = store.lastKnown(symbol);
            if (json != null) {
                lookup.put(symbol, entry(json, receivedAt(json), now, true));
            }
        }
        return lookup;
    }

    /**
     * A checked tick with the entry's own fields added ({@code age_ms}, {@code mock_reason}, {@code _mock},
     * {@code _last_known}, {@code _clock_ahead}), by splicing rather than
     * parsing and writing it again: it is one JSON object of the tick's own fields, so inserting before its
     * closing brace is safe. A receive time ahead of this gateway's clock (another gateway's clock runs ahead)
     * shows age 0 and {@code "_clock_ahead": true} rather than passing for fresh.
     */
    static TickerLookup.RawEntry entry(String json, long receivedAt, long now, boolean lastKnown) {
        int end = json.lastIndexOf('}');
        StringBuilder sb = new StringBuilder(json.length() + 120).append(json, 0, end)
                .append(",\"age_ms\":").append(Math.max(0, now - receivedAt))
                .append(",\"mock_reason\":null,\"_mock\":false,\"_last_known\":").append(lastKnown)
                .append(",\"_clock_ahead\":").append(receivedAt > now);
        return new TickerLookup.RawEntry(sb.append('}').toString());
    }

    /** The receive time in JSON this process wrote itself. */
    private static long receivedAt(String json) {
        int from = json.indexOf(RECEIVED_AT) + RECEIVED_AT.length();
        int to = from;
        while (to < json.length() && Character.isDigit(json.charAt(to))) {
            to++;
        }
        return Long.parseLong(json, from, to, 10);
    }

    private static String shown(String raw) {
        if (raw == null) {
            return "";
        }
        String printable = raw.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= MAX_SHOWN ? printable : printable.substring(0, MAX_SHOWN) + "...";
    }
}
