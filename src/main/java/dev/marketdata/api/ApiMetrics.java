package dev.marketdata.api;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * REST-side meters, registered at start-up: requests by endpoint and status, cache hits and misses, mock
 * entries served by symbol. Endpoints and statuses come from fixed lists; symbols only from configuration.
 */
public class ApiMetrics {

    public static final String BEAN = "apiMetrics";
    static final List<String> ENDPOINTS = List.of("tickers", "ticker", "health");
    static final List<Integer> STATUSES = List.of(200, 400, 404, 500, 503);

    private final MeterRegistry registry;
    private final Map<String, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Counter> mocks = new ConcurrentHashMap<>();
    private final Counter hits;
    private final Counter misses;

    public ApiMetrics(MeterRegistry registry, List<String> symbols) {
        this.registry = registry;
        for (String endpoint : ENDPOINTS) {
            for (int status : STATUSES) {
                requests.put(endpoint + status, counter(endpoint, status));
            }
        }
        for (String symbol : symbols) {
            mocks.put(symbol, Counter.builder("marketdata.rest.mock.entries")
                    .description("Mock entries served in place of a live tick, by symbol").tag("symbol", symbol)
                    .register(registry));
        }
        hits = Counter.builder("marketdata.rest.cache.hits")
                .description("Ticker lookups answered from Redis").register(registry);
        misses = Counter.builder("marketdata.rest.cache.misses")
                .description("Ticker lookups Redis could not answer (no key, or Redis down)").register(registry);
    }

    public void request(String endpoint, int status) {
        String name = ENDPOINTS.contains(endpoint) ? endpoint : "other";
        requests.computeIfAbsent(name + status, k -> counter(name, status)).increment();
    }

    public void mockServed(String symbol) {
        Counter counter = mocks.get(symbol);
        if (counter != null) {
            counter.increment();
        }
    }

    public void lookups(int hitCount, int missCount) {
        hits.increment(hitCount);
        misses.increment(missCount);
    }

    public double requestCount(String endpoint, int status) {
        Counter counter = requests.get(endpoint + status);
        return counter == null ? 0 : counter.count();
    }

    public double mockCount(String symbol) {
        Counter counter = mocks.get(symbol);
        return counter == null ? 0 : counter.count();
    }

    public double hitCount() {
        return hits.count();
    }

    public double missCount() {
        return misses.count();
    }

    private Counter counter(String endpoint, int status) {
        return Counter.builder("marketdata.rest.requests")
                .description("REST API answers, by endpoint and HTTP status")
                .tag("endpoint", endpoint).tag("status", Integer.toString(status)).register(registry);
    }
}
