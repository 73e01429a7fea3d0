package dev.marketdata.api;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * REST-side meters, registered at start-up: requests by endpoint and status, cache hits and misses, mock
 * entries served by reason, values read from Redis that were not served by problem. Every tag comes from a
 * fixed list, so the number of series does not grow with the symbols.
 */
public class ApiMetrics {

    public static final String BEAN = "apiMetrics";
    static final List<String> ENDPOINTS = List.of("tickers", "ticker", "best", "health", "openapi");
    static final List<Integer> STATUSES = List.of(200, 400, 404, 500, 503);
    static final List<String> MOCK_REASONS = List.of("cache_miss", "invalid_value", "redis_unavailable");
    static final List<String> INVALID_PROBLEMS = List.of("malformed", "wrong_symbol", "implausible", "expired", "future");

    private final MeterRegistry registry;
    private final Map<String, Counter> requests = new ConcurrentHashMap<>();
    private final Map<String, Counter> mocks = new ConcurrentHashMap<>();
    private final Map<String, Counter> invalidValues = new ConcurrentHashMap<>();
    private final Counter hits;
    private final Counter misses;

    public ApiMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (String endpoint : ENDPOINTS) {
            for (int status : STATUSES) {
                requests.put(endpoint + status, counter(endpoint, status));
            }
        }
        for (String reason : MOCK_REASONS) {
            mocks.put(reason, Counter.builder("marketdata.rest.mock.entries")
                    .description("Mock entries served in place of a live tick, by why there was none").tag("reason", reason)
                    .register(registry));
        }
        for (String problem : INVALID_PROBLEMS) {
            invalidValues.put(problem, Counter.builder("marketdata.rest.invalid.values")
                    .description("Values read from Redis that were not a tick of their symbol and were answered as a miss")
                    .tag("problem", problem).register(registry));
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

    public void mockServed(String reason) {
        mocks.get(reason).increment();
    }

    public void invalidValue(String problem) {
        invalidValues.get(problem).increment();
    }

    public double invalidValueCount(String problem) {
        return invalidValues.get(problem).count();
    }

    public void lookups(int hitCount, int missCount) {
        hits.increment(hitCount);
        misses.increment(missCount);
    }

    public double requestCount(String endpoint, int status) {
        Counter counter = requests.get(endpoint + status);
        return counter == null ? 0 : counter.count();
    }

    public double mockCount(String reason) {
        return mocks.get(reason).count();
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
