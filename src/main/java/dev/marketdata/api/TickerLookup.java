package dev.marketdata.api;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.annotation.JsonRawValue;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The REST answer being built: one slot per requested symbol in request order, filled from Redis where
 * a live tick exists, left empty for the mock enricher otherwise.
 */
public class TickerLookup {

    /** A live entry as stored in Redis (plus age_ms), written into the answer without parsing it again. */
    public record RawEntry(@JsonValue @JsonRawValue String json) {
    }

    private final Map<String, Object> entries = new LinkedHashMap<>();
    private final Set<String> invalid = new HashSet<>();
    private boolean redisAvailable = true;

    public TickerLookup(List<String> symbols) {
        for (String symbol : symbols) {
            entries.put(symbol, null);
        }
    }

    /** @param entry a {@link RawEntry} or a map (mock entries) */
    public void put(String symbol, Object entry) {
        entries.put(symbol, entry);
    }

    public List<String> missing() {
        List<String> out = new ArrayList<>();
        entries.forEach((symbol, entry) -> {
            if (entry == null) {
                out.add(symbol);
            }
        });
        return out;
    }

    public boolean hasMissing() {
        return entries.containsValue(null);
    }

    public List<Object> entries() {
        return new ArrayList<>(entries.values());
    }

    public boolean redisAvailable() {
        return redisAvailable;
    }

    /** Redis held a value for the symbol that is not a tick of it: the slot stays empty. */
    public void invalid(String symbol) {
        invalid.add(symbol);
    }

    /** Why the slot of a missing symbol is empty: {@code cache_miss}, {@code invalid_value} or {@code redis_unavailable}. */
    public String missReason(String symbol) {
        if (!redisAvailable) {
            return "redis_unavailable";
        }
        return invalid.contains(symbol) ? "invalid_value" : "cache_miss";
    }

    public void redisUnavailable() {
        this.redisAvailable = false;
    }
}
