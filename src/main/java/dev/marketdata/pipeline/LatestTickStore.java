package dev.marketdata.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import dev.marketdata.binance.ReconnectBackoff;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.StreamKind;
import org.apache.camel.ExchangeProperty;
import org.apache.camel.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.connection.ReturnType;
import org.springframework.data.redis.core.RedisCallback;

/**
 * Keeps the newest tick per symbol in Redis under {@code tick:latest:{SYMBOL}} as plain JSON with a TTL.
 *
 * <p>Frames reach us on several worker threads in no particular order, and more than one gateway may
 * write the same Redis, so the newer-than guard runs inside Redis: a Lua script keeps the highest
 * sequence seen per symbol and stream kind in {@code tick:seq:{SYMBOL}} and refuses anything not above
 * it. A local map of what this process already stored skips the round trip for ticks that are plainly old.
 *
 * <p>Writes are asynchronous and conflated: {@link #store} only records the tick as the newest pending one
 * for its symbol and stream kind (replacing, and counting as conflated, an older pending one) and wakes the
 * writer thread, which sends everything pending in one pipelined batch. Under light load every tick is
 * written at once; under heavy load Redis gets the newest tick per symbol as fast as it can take it,
 * never more than one write per symbol per batch, and the ingest thread never waits for Redis.
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
    public static final String STORE_IF_NEWER_TEXT = """
            local last = redis.call('HGET', KEYS[2], ARGV[1])
            if last and tonumber(last) >= tonumber(ARGV[2]) then
              return 0
            end
            redis.call('SET', KEYS[1], ARGV[3], 'EX', ARGV[4])
            redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
            redis.call('EXPIRE', KEYS[2], ARGV[4])
            return 1
            """;

    /** STALE: not newer than what this process already wrote; PENDING: handed to the writer. */
    public enum Result { STALE, PENDING }

    /** A tick as written (or to be written), with when it arrived, for the TTL it has left and the latency. */
    private record Written(MarketTick tick, String json, long at, long receivedNanos) {
    }

    private static final byte[] SCRIPT_BYTES = STORE_IF_NEWER_TEXT.getBytes(StandardCharsets.UTF_8);

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
    private volatile Thread writer;
    private volatile boolean writing;
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
     * Queues the tick for the writer, unless it is not newer than what this process already wrote.
     *
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
        Written offered = new Written(tick, null, clock.getAsLong(), receivedNanos == null ? 0 : receivedNanos);
        Written[] loser = new Written[1];
        pending.merge(guardKey, offered, (old, now) -> {
            if (now.tick().sequence() > old.tick().sequence()) {
                loser[0] = old;
                return now;
            }
            loser[0] = now;
            return old;
        });
        if (loser[0] == offered) {
            metrics.droppedStale();
            return Result.STALE;
        }
        if (loser[0] != null) {
            metrics.conflated();
        }
        wakeWriter();
        return Result.PENDING;
    }

    private void wakeWriter() {
        Thread w = writer;
        if (w != null && redisUp) {
            LockSupport.unpark(w);
        }
    }

    /** The writer thread: sends what is pending in one pipelined batch whenever there is something. */
    private void writeLoop() {
        while (writing) {
            if (pending.isEmpty() || !redisUp) {
                LockSupport.parkNanos(100_000_000L);
                continue;
            }
            try {
                writeBatch(drain());
            } catch (RuntimeException e) {
                LOG.warn("Tick writer: {}", TickPipelineRoutes.rootMessage(e));
            }
        }
    }

    private List<Map.Entry<String, Written>> drain() {
        List<Map.Entry<String, Written>> batch = new ArrayList<>();
        for (Map.Entry<String, Written> e : pending.entrySet()) {
            if (pending.remove(e.getKey(), e.getValue())) {
                batch.add(Map.entry(e.getKey(), e.getValue()));
            }
        }
        return batch;
    }

    /** Writes the batch in one pipelined round trip; on failure puts it back (newest wins) and marks Redis down. */
    private void writeBatch(List<Map.Entry<String, Written>> batch) {
        if (batch.isEmpty()) {
            return;
        }
        long now = clock.getAsLong();
        List<Map.Entry<String, Written>> live = new ArrayList<>(batch.size());
        List<String> json = new ArrayList<>(batch.size());
        List<Integer> ttls = new ArrayList<>(batch.size());
        for (Map.Entry<String, Written> e : batch) {
            int left = ttlSeconds - (int) ((now - e.getValue().at()) / 1000);
            if (left > 0) {
                live.add(e);
                json.add(e.getValue().json() != null ? e.getValue().json() : TickJson.write(e.getValue().tick()));
                ttls.add(left);
            }
        }
        List<Object> results;
        try {
            results = redis.executePipelined((RedisCallback<Object>) connection -> {
                for (int i = 0; i < live.size(); i++) {
                    MarketTick tick = live.get(i).getValue().tick();
                    connection.scriptingCommands().eval(SCRIPT_BYTES, ReturnType.INTEGER, 2,
                            bytes(KEY_PREFIX + tick.symbol()), bytes(SEQ_PREFIX + tick.symbol()),
                            bytes(tick.stream().configName()), bytes(Long.toString(tick.sequence())),
                            bytes(json.get(i)), bytes(Integer.toString(ttls.get(i))));
                }
                return null;
            });
        } catch (RuntimeException e) {
            // Spring translates most Redis failures, but a broken pooled connection can surface untranslated.
            for (Map.Entry<String, Written> entry : batch) {
                pending.merge(entry.getKey(), entry.getValue(),
                        (old, back) -> back.tick().sequence() > old.tick().sequence() ? back : old);
            }
            redisFailed("write", e);
            return;
        }
        long ackNanos = System.nanoTime();
        for (int i = 0; i < live.size(); i++) {
            Written w = live.get(i).getValue();
            MarketTick tick = w.tick();
            Object result = results.get(i);
            if (w.receivedNanos() != 0) {
                metrics.ingestLatency(ackNanos - w.receivedNanos());
            }
            if (result instanceof Long stored && stored == 1L) {
                storedSequence.merge(live.get(i).getKey(), tick.sequence(), Math::max);
                lastWritten.merge(live.get(i).getKey(), new Written(tick, json.get(i), w.at(), 0),
                        (old, neu) -> neu.tick().sequence() >= old.tick().sequence() ? neu : old);
                metrics.stored(tick.symbol());
                freshness.stored(tick.symbol(), tick.receivedAt());
            } else {
                metrics.droppedStale();
            }
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Run periodically: while Redis is down, retry with backoff; once it answers, let the writer send what
     * is pending, and re-seed Redis if it came back empty.
     */
    public void reconcile() {
        long now = clock.getAsLong();
        if (!redisUp && now < nextRetryAt) {
            return;
        }
        try {
            boolean emptied = epochMarked && !Boolean.TRUE.equals(redis.hasKey(EPOCH_KEY));
            markEpoch();
            if (emptied) {
                reseed();
            }
            if (!redisUp) {
                retry.reset();
                LOG.info("Redis is reachable again; writing {} pending tick(s)", pending.size());
                redisUp = true;
            }
            wakeWriter();
        } catch (DataAccessException e) {
            redisFailed("write", e);
        }
    }

    private void markEpoch() {
        redis.opsForValue().setIfAbsent(EPOCH_KEY, epoch);
        epochMarked = true;
    }

    private void reseed() {
        List<Map.Entry<String, Written>> byTime = new ArrayList<>(lastWritten.entrySet());
        byTime.sort(Comparator.comparingLong(e -> e.getValue().at()));
        // The local guard would skip these (they were written before); Redis's own guard is gone with its data.
        byTime.forEach(e -> storedSequence.remove(e.getKey()));
        writeBatch(byTime);
        LOG.warn("Redis came back without the gateway's keys (restarted without persistence, or a failover): "
                + "re-seeded {} tick(s) with the TTL each had left", byTime.size());
    }

    /** Writes everything pending now, on the calling thread (shutdown, tests). */
    public void flush() {
        writeBatch(drain());
    }

    private void redisFailed(String operation, Exception e) {
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
        for (StreamKind kind : StreamKind.values()) {
            String guardKey = symbol + '|' + kind.configName();
            for (Written w : new Written[] { lastWritten.get(guardKey), pending.get(guardKey) }) {
                if (w != null && (best == null || w.at() > best.at())) {
                    best = w;
                }
            }
        }
        return best == null ? null : best.json() != null ? best.json() : TickJson.write(best.tick());
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

    @Override
    public synchronized void start() {
        stopped.set(false);
        try {
            markEpoch();
        } catch (DataAccessException e) {
            redisFailed("write", e);
        }
        if (writer == null) {
            writing = true;
            writer = new Thread(this::writeLoop, "tick-writer");
            writer.setDaemon(true);
            writer.start();
        }
    }

    /** Graceful shutdown: what ingest received while Redis was away is written before the process exits. */
    @Override
    public void stop() {
        // Camel may stop a bound service more than once; flush once.
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        Thread w;
        synchronized (this) {
            w = writer;
            writing = false;
            writer = null;
        }
        if (w != null) {
            LockSupport.unpark(w);
            try {
                w.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (pending.isEmpty()) {
            return;
        }
        try {
            flush();
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
