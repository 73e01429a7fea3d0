package dev.marketdata.pipeline;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * When each followed symbol last got a stored tick (its receive time). Feeds the tick-age gauges, the
 * freshness health check, the feed MBean and the stale-symbol alert.
 */
public class FreshnessTracker {

    public static final String BEAN = "freshnessTracker";

    private volatile List<String> symbols;
    private volatile java.util.Set<String> followed;
    private final Map<String, Long> lastUpdate = new ConcurrentHashMap<>();
    /** When each symbol followed since start-up began to be followed: its age counts from then. */
    private final Map<String, Long> followedSince = new ConcurrentHashMap<>();
    private final LongSupplier clock;
    private final long startedAt;

    public FreshnessTracker(List<String> symbols, LongSupplier clock) {
        this.symbols = List.copyOf(symbols);
        this.followed = java.util.Set.copyOf(symbols);
        this.clock = clock;
        this.startedAt = clock.getAsLong();
    }

    /**
     * The followed symbols from now on: an added one is young (its age counts from now, so it is not stale before
     * it had a chance), a removed one is forgotten.
     */
    public synchronized void follow(List<String> keys) {
        long now = clock.getAsLong();
        java.util.Set<String> next = new java.util.HashSet<>(keys);
        java.util.Set<String> before = new java.util.HashSet<>(symbols);
        for (String key : keys) {
            if (!before.contains(key)) {
                followedSince.put(key, now);
            }
        }
        for (String key : symbols) {
            if (!next.contains(key)) {
                followedSince.remove(key);
                lastUpdate.remove(key);
            }
        }
        symbols = List.copyOf(keys);
        followed = java.util.Set.copyOf(next);
    }

    /** Since when a symbol added while running has been followed (its stored value before then is not its own); 0 otherwise. */
    public long followedSince(String symbol) {
        Long since = followedSince.get(symbol);
        return since == null ? 0 : since;
    }

    public void stored(String symbol, long receivedAt) {
        if (!followed.contains(symbol)) {
            // Written for a symbol removed meanwhile: nothing to track.
            return;
        }
        lastUpdate.merge(symbol, receivedAt, Math::max);
    }

    /** Receive time of the newest stored tick, or null when none was stored by this process yet. */
    public Long lastUpdate(String symbol) {
        return lastUpdate.get(symbol);
    }

    /** Milliseconds since the newest stored tick; since start-up when there was none. */
    public long ageMillis(String symbol) {
        Long last = lastUpdate.get(symbol);
        return Math.max(0, clock.getAsLong() - (last == null ? followedSince.getOrDefault(symbol, startedAt) : last));
    }

    /** Seconds since the newest stored tick, NaN while the symbol has had none. */
    public double ageSeconds(String symbol) {
        Long last = lastUpdate.get(symbol);
        return last == null ? Double.NaN : Math.max(0, clock.getAsLong() - last) / 1000.0;
    }

    public List<String> symbols() {
        return symbols;
    }

    /** The followed symbols with no stored tick within the window, in configured order. */
    public List<String> staleSymbols(long windowMillis) {
        return symbols.stream().filter(s -> ageMillis(s) > windowMillis).toList();
    }

    public Map<String, Long> lastUpdates() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String symbol : symbols) {
            Long last = lastUpdate.get(symbol);
            out.put(symbol, last == null ? 0L : last);
        }
        return out;
    }

    public Map<String, Long> agesMillis() {
        Map<String, Long> out = new LinkedHashMap<>();
        for (String symbol : symbols) {
            out.put(symbol, lastUpdate.containsKey(symbol) ? ageMillis(symbol) : -1L);
        }
        return out;
    }
}
