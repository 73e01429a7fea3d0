package dev.marketdata.pipeline;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

import dev.marketdata.binance.ReconnectBackoff;
import dev.marketdata.model.MarketTick;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
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
 *
 * <p>Redis outages lose nothing: while Redis cannot be reached, ingest goes on and the newest tick per
 * symbol and stream kind is kept here (conflated, so bounded by the number of symbols). {@link #reconcile()},
 * run periodically, notices Redis is back (retrying with backoff meanwhile), writes those ticks through
 * the same guard, and re-seeds Redis from what this process last wrote if Redis came back empty (its
 * {@code tick:epoch} marker is gone), each with the TTL it has left. Stopping flushes what is pending.
 */
public class LatestTickStore implements Service {

    public static final String BEAN = "latestTickStore";
    public static final String KEY_PREFIX = "tick:latest:";
    public static final String SEQ_PREFIX = "tick:seq:";
    /** A key without TTL that disappears only when Redis loses its data. */
    public static final String EPOCH_KEY = "tick:epoch";
    /** Exchange property: {@link System#nanoTime()} when the frame arrived at the WebSocket consumer. */
    public static final String RECEIVED_NANOS = "marketdata.receivedNanos";
    private static final Logger LOG = LoggerFactory.getLogger(LatestTickStore.class);

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

    public enum Result { STORED, STALE, PENDING }

    /** A tick as written (or to be written), with when, for the TTL it has left. */
    private record Written(MarketTick tick, String json, long at) {
    }

    private final StringRedisTemplate redis;
    private final Set<String> symbols;
    private final int ttlSeconds;
    private final Map<String, Long> storedSequence = new ConcurrentHashMap<>();
    private final Map<String, Written> pending = new ConcurrentHashMap<>();
    private final Map<String, Written> lastWritten = new ConcurrentHashMap<>();
    private final IngestMetrics metrics;
    private final FreshnessTracker freshness;
    private final LongSupplier clock;
    private final RateLimitedLog outageLog = new RateLimitedLog(LOG, 30_000);
    private final ReconnectBackoff retry = new ReconnectBackoff(250, 5_000);
    private final String epoch = UUID.randomUUID().toString();
    private volatile boolean redisUp = true;
    private volatile long nextRetryAt;
    private volatile boolean epochMarked;
    private final java.util.concurrent.atomic.AtomicBoolean stopped = new java.util.concurrent.atomic.AtomicBoolean();

    public LatestTickStore(StringRedisTemplate redis, Collection<String> symbols, int ttlSeconds, IngestMetrics metrics,
            FreshnessTracker freshness) {
        this(redis, symbols, ttlSeconds, metrics, freshness, System::currentTimeMillis);
    }

    public LatestTickStore(StringRedisTemplate redis, Collection<String> symbols, int ttlSeconds, IngestMetrics metrics,
            FreshnessTracker freshness, LongSupplier clock) {
        this.redis = redis;
        this.symbols = Set.copyOf(symbols);
        this.ttlSeconds = ttlSeconds;
        this.metrics = metrics;
        this.freshness = freshness;
        this.clock = clock;
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
        String guardKey = guardKey(tick);
        long sequence = tick.sequence();
        Long known = storedSequence.get(guardKey);
        if (known != null && known >= sequence) {
            metrics.droppedStale();
            return Result.STALE;
        }
        Written written = new Written(tick, TickJson.write(tick), clock.getAsLong());
        if (!redisUp) {
            conflate(guardKey, written);
            return Result.PENDING;
        }
        Result result;
        try {
            result = write(guardKey, written, ttlSeconds);
        } catch (DataAccessException e) {
            redisFailed("write", e);
            conflate(guardKey, written);
            return Result.PENDING;
        }
        if (receivedNanos != null) {
            metrics.ingestLatency(System.nanoTime() - receivedNanos);
        }
        return result;
    }

    private Result write(String guardKey, Written written, int ttl) {
        MarketTick tick = written.tick();
        Long stored = redis.execute(STORE_IF_NEWER, List.of(key(tick.symbol()), SEQ_PREFIX + tick.symbol()),
                tick.stream().configName(), Long.toString(tick.sequence()), written.json(), Integer.toString(ttl));
        if (stored == null || stored == 0L) {
            metrics.droppedStale();
            return Result.STALE;
        }
        storedSequence.merge(guardKey, tick.sequence(), Math::max);
        lastWritten.merge(guardKey, written, (old, now) -> now.tick().sequence() >= old.tick().sequence() ? now : old);
        metrics.stored(tick.symbol());
        freshness.stored(tick.symbol(), tick.receivedAt());
        return Result.STORED;
    }

    private void conflate(String guardKey, Written written) {
        pending.merge(guardKey, written, (old, now) -> now.tick().sequence() > old.tick().sequence() ? now : old);
    }

    /**
     * Run periodically: while Redis is down, retry with backoff; once it answers, write the pending ticks,
     * and re-seed it if it came back empty.
     */
    public void reconcile() {
        long now = clock.getAsLong();
        if (!redisUp && now < nextRetryAt) {
            return;
        }
        try {
            boolean emptied = epochMarked && !Boolean.TRUE.equals(redis.hasKey(EPOCH_KEY));
            markEpoch();
            if (!redisUp) {
                redisUp = true;
                retry.reset();
                LOG.info("Redis is reachable again; writing {} pending tick(s)", pending.size());
            }
            if (emptied) {
                reseed();
            }
            flushPending();
        } catch (DataAccessException e) {
            redisFailed("write", e);
        }
    }

    private void markEpoch() {
        redis.opsForValue().setIfAbsent(EPOCH_KEY, epoch);
        epochMarked = true;
    }

    private void reseed() {
        long now = clock.getAsLong();
        int seeded = 0;
        List<Map.Entry<String, Written>> byTime = new ArrayList<>(lastWritten.entrySet());
        byTime.sort(Comparator.comparingLong(e -> e.getValue().at()));
        for (Map.Entry<String, Written> e : byTime) {
            int left = ttlSeconds - (int) ((now - e.getValue().at()) / 1000);
            if (left > 0 && write(e.getKey(), e.getValue(), left) == Result.STORED) {
                seeded++;
            }
        }
        LOG.warn("Redis came back without the gateway's keys (restarted without persistence, or a failover): "
                + "re-seeded {} tick(s) with the TTL each had left", seeded);
    }

    private void flushPending() {
        for (Map.Entry<String, Written> e : pending.entrySet()) {
            Written w = e.getValue();
            int left = ttlSeconds - (int) ((clock.getAsLong() - w.at()) / 1000);
            if (left > 0) {
                write(e.getKey(), w, left);
            }
            pending.remove(e.getKey(), w);
        }
    }

    private void redisFailed(String operation, RuntimeException e) {
        metrics.redisError(operation);
        if (redisUp) {
            redisUp = false;
            LOG.warn("Redis unreachable ({}): ingest goes on, keeping the newest tick per symbol in memory until "
                    + "it is back", TickPipelineRoutes.rootMessage(e));
        } else {
            outageLog.warn("outage", "Redis still unreachable ({} tick(s) pending): {}", pending.size(),
                    TickPipelineRoutes.rootMessage(e));
        }
        nextRetryAt = clock.getAsLong() + retry.nextDelay();
    }

    public boolean redisUp() {
        return redisUp;
    }

    public int pendingCount() {
        return pending.size();
    }

    /** The JSON of the newest tick this process holds for the symbol (written or pending); null if none. */
    public String lastKnown(String symbol) {
        Written best = null;
        for (Map<String, Written> source : List.of(lastWritten, pending)) {
            for (Written w : source.values()) {
                if (w.tick().symbol().equals(symbol) && (best == null || w.at() > best.at())) {
                    best = w;
                }
            }
        }
        return best == null ? null : best.json();
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

    @Override
    public void start() {
        stopped.set(false);
        try {
            markEpoch();
        } catch (DataAccessException e) {
            redisFailed("write", e);
        }
    }

    /** Graceful shutdown: what ingest received while Redis was away is written before the process exits. */
    @Override
    public void stop() {
        // Camel may stop a bound service more than once; flush once.
        if (!stopped.compareAndSet(false, true) || pending.isEmpty()) {
            return;
        }
        try {
            flushPending();
            LOG.info("Flushed the pending ticks to Redis on shutdown");
        } catch (DataAccessException e) {
            LOG.warn("Could not flush {} pending tick(s) to Redis on shutdown: {}", pending.size(),
                    TickPipelineRoutes.rootMessage(e));
        }
    }

    private static String guardKey(MarketTick tick) {
        return tick.symbol() + '|' + tick.stream().configName();
    }

    // Keys are only ever built from symbols we follow: nothing unvalidated reaches Redis.
    private void requireFollowed(String symbol) {
        if (!symbols.contains(symbol)) {
            throw new IllegalArgumentException("not a configured symbol");
        }
    }
}
