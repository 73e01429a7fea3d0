package dev.marketdata.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The REST answer being built: one slot per requested symbol in request order, filled from Redis where
 * a live tick exists, left empty for the mock enricher otherwise.
 */
public class TickerLookup {

    private final Map<String, Map<String, Object>> entries = new LinkedHashMap<>();
    private boolean redisAvailable = true;

    public TickerLookup(List<String> symbols) {
        for (String symbol : symbols) {
            entries.put(symbol, null);
        }
    }

    public void put(String symbol, Map<String, Object> entry) {
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

    public List<Map<String, Object>> entries() {
        return new ArrayList<>(entries.values());
    }

    public boolean redisAvailable() {
        return redisAvailable;
    }

    public void redisUnavailable() {
        this.redisAvailable = false;
    }
}
