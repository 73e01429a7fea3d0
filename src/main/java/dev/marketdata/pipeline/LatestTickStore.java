package dev.marketdata.pipeline;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import dev.marketdata.model.MarketTick;
import org.apache.camel.ExchangeProperty;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;
import org.springframework.data.redis.core.script.RedisScript;

/**
 * Keeps the newest tick per symbol in Redis under {@code tick:latest:{SYMBOL}} as plain JSON with a TTL.
 *
 * <p>Frames reach us on several worker threads in no particular order, and more than one gateway may
 * write the same Redis, so the newer-than guard runs inside Redis: a Lua script keeps the highest
 * sequence seen per symbol and stream kind in {@code tick:seq:{SYMBOL}} and refuses anything not above
 * it. A local map of what this process already stored skips the round trip for ticks that are plainly old.
 */
public class LatestTickStore {

    public static final String BEAN = "latestTickStore";
    public static final String KEY_PREFIX = "tick:latest:";
    public static final String SEQ_PREFIX = "tick:seq:";
    /** Exchange property: {@link System#nanoTime()} when the frame arrived at the WebSocket consumer. */
    public static final String RECEIVED_NANOS = "marketdata.receivedNanos";

    /** KEYS: latest, seq. ARGV: stream kind, sequence, json, ttl seconds. Returns 1 stored, 0 stale. */
    static final RedisScript<Long> STORE_IF_NEWER = new DefaultRedisScript<>("""
            local last = redis.call('HGET', KEYS[2], ARGV[1])
            if last and tonumber(last) >= tonumber(ARGV[2]) then
              return 0
            end
            redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[4])
            redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
            redis.call('EXPIRE', KEYS[2], ARGV[4])
            return 1
            """, Long.class);

    public enum Result { STORED, STALE }

    private final StringRedisTemplate redis;
    private final Set<String> symbols;
    private final int ttlSeconds;
    private final String ttlArg;
    private final Map<String, Long> storedSequence = new ConcurrentHashMap<>();
    private final IngestMetrics metrics;
    private final FreshnessTracker freshness;

    public LatestTickStore(StringRedisTemplate redis, Collection<String> symbols, int ttlSeconds, IngestMetrics metrics,
            FreshnessTracker freshness) {
        this.redis = redis;
        this.metrics = metrics;
        this.freshness = freshness;
        this.symbols = Set.copyOf(symbols);
        this.ttlSeconds = ttlSeconds;
        this.ttlArg = Integer.toString(ttlSeconds);
    }

    public static String key(String symbol) {
        return KEY_PREFIX + symbol;
    }

    public Result store(MarketTick tick) {
        return store(tick, null);
    }

    /**
     * @param receivedNanos {@link System#nanoTime()} when the frame arrived, for the ingest latency
     *                      timer; null when unknown
     */
    public Result store(MarketTick tick, @ExchangeProperty(RECEIVED_NANOS) Long receivedNanos) {
        requireFollowed(tick.symbol());
        String guardKey = tick.symbol() + '|' + tick.stream().configName();
        long sequence = tick.sequence();
        Long known = storedSequence.get(guardKey);
        if (known != null && known >= sequence) {
            metrics.droppedStale();
            return Result.STALE;
        }
        Long stored = redis.execute(STORE_IF_NEWER, List.of(key(tick.symbol()), SEQ_PREFIX + tick.symbol()),
                tick.stream().configName(), Long.toString(sequence), TickJson.write(tick), ttlArg);
        if (receivedNanos != null) {
            metrics.ingestLatency(System.nanoTime() - receivedNanos);
        }
        if (stored == null || stored == 0L) {
            metrics.droppedStale();
            return Result.STALE;
        }
        storedSequence.merge(guardKey, sequence, Math::max);
        metrics.stored(tick.symbol());
        freshness.stored(tick.symbol(), tick.receivedAt());
        return Result.STORED;
    }

    /** The stored JSON for each symbol, in order, null where Redis has none; one round trip (MGET). */
    public List<String> readAll(List<String> wanted) {
        List<String> keys = new ArrayList<>(wanted.size());
        for (String symbol : wanted) {
            requireFollowed(symbol);
            keys.add(key(symbol));
        }
        List<String> values = redis.opsForValue().multiGet(keys);
        if (values == null) {
            throw new IllegalStateException("Redis MGET returned nothing");
        }
        return values;
    }

    public int ttlSeconds() {
        return ttlSeconds;
    }

    // Keys are only ever built from symbols we follow: nothing unvalidated reaches Redis.
    private void requireFollowed(String symbol) {
        if (!symbols.contains(symbol)) {
            throw new IllegalArgumentException("not a configured symbol");
        }
    }
}
