package dev.marketdata.pipeline;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

import dev.marketdata.feed.RateLimitedLog;
import dev.marketdata.feed.ReconnectBackoff;
import dev.marketdata.model.FrameBatch;
import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.StreamKind;
import org.apache.camel.Service;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The conflating writer: keeps the newest tick per followed key ({@code exchange:SYMBOL}) in Redis as plain JSON
 * with a TTL, through {@link RedisTicks}, the one class that knows the Redis layout.
 *
 * <p>Frames can arrive out of order (two connections overlap during a switch, several gateways write one
 * Redis), so the newer-than guard runs inside Redis: a Lua script ({@link NewestWins}) keeps per symbol and
 * stream kind the sequence and receive time of the stored tick in {@code tick:seq:{SYMBOL}} (same TTL) and
 * refuses an older tick, for a bounded time only, so that no stored value can freeze a symbol. A local
 * copy of the guards skips the round trip for ticks this process already knows to be old, under the same
 * rule, and forgets what the TTL would have removed from Redis.
 *
 * <p>Writes are asynchronous and conflated: {@link #store} only records the tick as the newest pending one
 * for its symbol and stream kind (replacing, and counting as conflated, an older pending one) and wakes the
 * writer thread, which sends everything pending in one pipelined batch. The ingest thread never waits.
 *
 * <p>Redis outages lose nothing: ingest goes on and the newest tick per symbol and stream kind is kept here
 * (bounded by the symbols). {@link #reconcile()}, run periodically, notices Redis is back (retrying with
 * backoff meanwhile) and lets the writer send them. It also checks that Redis still holds the data set
 * this gateway has been writing: {@code tick:epoch} is created once by the first gateway and adopted by
 * every other one, so gateways sharing a Redis agree on it; when it is missing or different (a restart
 * without persistence, a failover to a stranger, a foreign dump), the ticks this process wrote are written
 * again, each with the TTL it has left. The same happens when another Redis server answers than before (its
 * {@code run_id} differs, or, where the Redis user may not run {@code INFO}, its address): a Sentinel failover
 * replicates the epoch, but replication is asynchronous, so the promoted replica may lack the last ticks the old
 * master acknowledged; written again through the newest-wins script, a tick the new master has already is
 * refused as a duplicate, so the rewrite costs nothing but the round trip. Stopping flushes what is pending,
 * within a bound, and reports what could not be written.
 */
public class LatestTickStore implements Service {

    public static final String BEAN = "latestTickStore";
    public static final String KEY_PREFIX = RedisTicks.KEY_PREFIX;
    public static final String SEQ_PREFIX = RedisTicks.SEQ_PREFIX;
    /** Identifies the data set: created by the first gateway, adopted by every other, never expires. */
    public static final String EPOCH_KEY = RedisTicks.EPOCH_KEY;
    private static final Logger LOG = LoggerFactory.getLogger(LatestTickStore.class);
    /** A hold shorter than this is ordinary out-of-order delivery, not worth showing as a held symbol. */
    private static final long HOLD_SHOWN_AFTER_MILLIS = 1_000;

    /**
     * @param ttlSeconds          TTL of every key written
     * @param resetAfterMillis    {@code tick.sequence-reset-after}: how long a lower sequence is refused
     * @param shutdownFlushMillis {@code redis.shutdown-flush-timeout}: how long stopping waits for Redis
     */
    /**
     * @param legacyKeys     {@code redis.legacy-keys}: a Binance tick of an instrument configured as {@code BTC-USDT}
     *                       is also written to {@code tick:latest:BTCUSDT}, the original contract's key
     * @param publishChannel where the ticks each batch stored are published ({@link TickUpdates}), for the push
     *                       API of every gateway on this Redis; "" for none
     */
    public record Options(int ttlSeconds, long resetAfterMillis, long shutdownFlushMillis, boolean legacyKeys,
            String publishChannel) {
        public Options(int ttlSeconds, long resetAfterMillis, long shutdownFlushMillis) {
            this(ttlSeconds, resetAfterMillis, shutdownFlushMillis, true);
        }

        public Options(int ttlSeconds, long resetAfterMillis, long shutdownFlushMillis, boolean legacyKeys) {
            this(ttlSeconds, resetAfterMillis, shutdownFlushMillis, legacyKeys, "");
        }
    }

    /** STALE: not newer than what this process already wrote; PENDING: handed to the writer. */
    public enum Result { STALE, PENDING }

    /** A tick as written (or to be written), with when it arrived, for the TTL it has left and the latency. */
    private record Written(MarketTick tick, String json, long at, long receivedNanos, boolean reset) {
    }

    /** What this process knows Redis's guard holds for one symbol and stream kind. */
    private record Guard(long sequence, long receivedAt) {
    }

    /** Lower-sequence ticks being refused for one symbol and stream kind since {@code since}. */
    private record Hold(long since, long lastRefusedAt, long refused, Long heldBy) {
    }

    private final RedisTicks redis;
    private volatile Predicate<String> follows;
    private volatile Options options;
    private final Map<String, Guard> guards = new ConcurrentHashMap<>();
    private final Map<String, Hold> holds = new ConcurrentHashMap<>();
    private final Map<String, Written> pending = new ConcurrentHashMap<>();
    private final Map<String, Written> lastWritten = new ConcurrentHashMap<>();
    private final Map<String, java.util.concurrent.atomic.LongAdder> resetsByExchange = new ConcurrentHashMap<>();
    private final IngestMetrics metrics;
    private final FreshnessTracker freshness;
    private final LongSupplier clock;
    private final RateLimitedLog outageLog = new RateLimitedLog(LOG, 30_000);
    private final RateLimitedLog resetLog = new RateLimitedLog(LOG, 10_000);
    private final byte[] channel;
    private final TickPublisher publisher;
    /** Kafka, when configured: gets every tick stored under its followed key; null when off. */
    private volatile StoredTickSink alsoTo;
    private static final byte[] LISTENING = TickUpdates.LISTENING_KEY.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    private final ReconnectBackoff retry = new ReconnectBackoff(250, 5_000);
    private volatile String epoch;
    /** The Redis server last seen answering ({@link #serverIdentity}); null before one was. */
    private volatile String server;
    /** Where the connections go now (host:port; with Sentinel, the master it names); null when not known. */
    private volatile java.util.function.Supplier<String> address = () -> null;
    private volatile String addressTried;
    private final AtomicBoolean runIdRefused = new AtomicBoolean();
    private volatile boolean redisUp = true;
    private volatile long nextRetryAt;
    private volatile Thread writer;
    /** The batch the writer is sending: unconfirmed until Redis answers. */
    private volatile List<Map.Entry<String, Written>> inFlight = List.of();
    private volatile boolean writing;
    private final AtomicBoolean stopped = new AtomicBoolean();

    public LatestTickStore(StringRedisTemplate redis, Collection<String> symbols, Options options, IngestMetrics metrics,
            FreshnessTracker freshness, LongSupplier clock) {
        this.redis = new RedisTicks(redis, options.legacyKeys());
        this.channel = options.publishChannel().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        this.publisher = new TickPublisher(this.redis, channel);
        this.follows = Set.copyOf(symbols)::contains;
        this.options = options;
        this.metrics = metrics;
        this.freshness = freshness;
        this.clock = clock;
    }

    /**
     * Every tick a batch stores from now on also goes to the sink, in store order, from the writer's thread (so the
     * sink must not block). Only the tick under its followed key: a Binance tick's second key (see
     * {@link RedisTicks}) holds the same tick under Binance's other name so that Redis readers of either name find
     * it; handed on too, a downstream reader of every tick would get each Binance tick twice.
     */
    public void alsoTo(StoredTickSink sink) {
        this.alsoTo = sink;
    }

    /** Judges keys by the followed set as it is now (it changes at run time). */
    public void follow(Predicate<String> followed) {
        this.follows = followed;
    }

    /**
     * Symbols no longer followed: what this process remembers of them goes (their Redis keys expire by their TTL;
     * a re-seed does not write them again).
     */
    public void forget(Collection<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        Set<String> removed = keys instanceof Set<String> set ? set : new java.util.HashSet<>(keys);
        // One pass over each map (a guard key is KEY|stream), whatever the number removed.
        Predicate<String> ofRemoved = g -> removed.contains(g.substring(0, Math.max(0, g.lastIndexOf('|'))));
        lastWritten.keySet().removeIf(ofRemoved);
        guards.keySet().removeIf(ofRemoved);
        holds.keySet().removeIf(ofRemoved);
        // Not written after its removal either: the symbol is no longer followed, its key expires by its TTL.
        pending.keySet().removeIf(ofRemoved);
    }

    /**
     * Where the connections go now (host:port), asked on every reconcile: when it changes (Sentinel named another
     * master) Redis is tried again at once instead of after the backoff grown during the outage; and it tells
     * servers apart where the Redis user may not run {@code INFO}.
     */
    public void redisAddress(java.util.function.Supplier<String> where) {
        this.address = where;
    }

    /** {@code tick.ttl.seconds}, changed at run time: keys written from now on get the new TTL. */
    public void ttlSeconds(int seconds) {
        Options o = options;
        options = new Options(seconds, o.resetAfterMillis(), o.shutdownFlushMillis(), o.legacyKeys(), o.publishChannel());
    }

    public int ttlSeconds() {
        return options.ttlSeconds();
    }

    public static String key(String symbol) {
        return RedisTicks.key(symbol);
    }

    public Result store(MarketTick tick) {
        return store(tick, null, false);
    }

    /** @param sequenceReset see {@link #ingest} */
    public Result store(MarketTick tick, boolean sequenceReset) {
        return store(tick, null, sequenceReset);
    }

    /**
     * The pipeline's step: queues each tick of the batch for the writer, unless it is not newer than what this
     * process already wrote. The batch gives when each frame arrived, for the ingest latency timer; a tick the
     * venue marks as a sequence reset (Bybit's u=1) is stored at once even with a lower sequence, rather than
     * after the reset bound.
     */
    public FrameBatch ingestAll(FrameBatch batch) {
        return batch.apply((outcome, nanos) -> {
            if (outcome instanceof FrameOutcome.Accepted accepted) {
                if (!follows.test(accepted.tick().key())) {
                    // Validated a moment ago, removed from the followed set since: refused as the validator would now.
                    metrics.rejected(dev.marketdata.model.RejectReason.UNKNOWN_SYMBOL);
                    return outcome;
                }
                store(accepted.tick(), nanos == 0 ? null : nanos, accepted.sequenceReset());
            }
            return outcome;
        }, StepFailures.LOG_AND_DROP);
    }

    private Result store(MarketTick tick, Long receivedNanos, boolean reset) {
        requireFollowed(tick.key());
        String guardKey = guardKey(tick);
        Guard known = guards.get(guardKey);
        if (known != null && known.receivedAt() > tick.receivedAt()) {
            // The clock stepped back: the bound runs from now, not from a time that may be far ahead.
            known = new Guard(known.sequence(), tick.receivedAt());
            guards.put(guardKey, known);
        }
        if (known != null && !expired(known, tick.receivedAt())) {
            NewestWins.Verdict verdict = judge(tick, reset, known.sequence(), known.receivedAt());
            if (!verdict.stores()) {
                refused(guardKey, tick, verdict, known.sequence());
                return Result.STALE;
            }
        }
        Written offered = new Written(tick, null, clock.getAsLong(), receivedNanos == null ? 0 : receivedNanos, reset);
        Written[] loser = new Written[1];
        pending.merge(guardKey, offered, (old, now) -> {
            if (judge(now.tick(), now.reset(), old.tick().sequence(), old.tick().receivedAt()).stores()) {
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

    private NewestWins.Verdict judge(MarketTick tick, boolean reset, long storedSequence, long storedAt) {
        return NewestWins.judge(tick.sequence(), tick.receivedAt(), storedSequence, storedAt, resetAfter(reset));
    }

    /** A tick the venue marks as a sequence reset is a reset at once; any other after the configured bound. */
    private long resetAfter(boolean reset) {
        return reset ? 0 : options.resetAfterMillis();
    }

    /** Redis's key (and so its guard) expires with the TTL: a guard that old no longer holds anything. */
    private boolean expired(Guard guard, long now) {
        return now - guard.receivedAt() >= options.ttlSeconds() * 1000L;
    }

    private void refused(String guardKey, MarketTick tick, NewestWins.Verdict verdict, Long storedSequence) {
        metrics.droppedStale();
        if (verdict == NewestWins.Verdict.OLDER) {
            long at = tick.receivedAt();
            holds.merge(guardKey, new Hold(at, at, 1, storedSequence),
                    (old, now) -> new Hold(old.since(), at, old.refused() + 1, storedSequence != null ? storedSequence : old.heldBy()));
        }
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
            List<Map.Entry<String, Written>> batch = drain();
            inFlight = batch;
            try {
                writeBatch(batch);
            } catch (RuntimeException e) {
                LOG.warn("Tick writer: {}", Failures.describe(e));
            } finally {
                inFlight = List.of();
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

    /**
     * Writes the batch in one pipelined round trip; on failure puts it back (newest wins) and marks Redis
     * down. Returns whether Redis answered.
     */
    private boolean writeBatch(List<Map.Entry<String, Written>> batch) {
        if (batch.isEmpty()) {
            return true;
        }
        long now = clock.getAsLong();
        List<Map.Entry<String, Written>> live = new ArrayList<>(batch.size());
        List<String> json = new ArrayList<>(batch.size());
        List<RedisTicks.Write> writes = new ArrayList<>(batch.size());
        for (Map.Entry<String, Written> e : batch) {
            Written w = e.getValue();
            int left = options.ttlSeconds() - (int) ((now - w.at()) / 1000);
            if (left > 0) {
                live.add(e);
                String text = w.json() != null ? w.json() : TickJson.write(w.tick());
                json.add(text);
                writes.add(new RedisTicks.Write(w.tick(), text, left, resetAfter(w.reset())));
            }
        }
        List<NewestWins.Verdict> results;
        boolean listening;
        List<TickUpdates.Update> mirrorsStored;
        try {
            RedisTicks.Stored stored = redis.write(writes, now, channel.length == 0 ? null : LISTENING);
            results = stored.verdicts();
            listening = stored.listening();
            mirrorsStored = stored.mirrorsStored();
        } catch (RuntimeException e) {
            // Spring translates most Redis failures, but a broken pooled connection can surface untranslated.
            batch.forEach(this::putBack);
            redisFailed(e);
            return false;
        }
        long ackNanos = System.nanoTime();
        List<TickUpdates.Update> published = listening ? new ArrayList<>(live.size()) : null;
        StoredTickSink sink = alsoTo;
        List<StoredTickSink.Stored> handedOn = sink == null ? null : new ArrayList<>(live.size());
        for (int i = 0; i < live.size(); i++) {
            Written w = live.get(i).getValue();
            String guardKey = live.get(i).getKey();
            MarketTick tick = w.tick();
            if (w.receivedNanos() != 0) {
                metrics.ingestLatency(ackNanos - w.receivedNanos());
            }
            NewestWins.Verdict verdict = results.get(i);
            if (verdict.stores()) {
                guards.put(guardKey, new Guard(tick.sequence(), tick.receivedAt()));
                lastWritten.merge(guardKey, new Written(tick, json.get(i), w.at(), 0, false),
                        (old, neu) -> neu.tick().receivedAt() >= old.tick().receivedAt() ? neu : old);
                Hold hold = holds.remove(guardKey);
                if (verdict != NewestWins.Verdict.NEWER) {
                    sequenceReset(tick, verdict, hold);
                }
                metrics.stored(tick.key());
                freshness.stored(tick.key(), tick.receivedAt());
                if (published != null) {
                    published.add(new TickUpdates.Update(verdict != NewestWins.Verdict.NEWER, tick.key(), tick.sequence(),
                            tick.receivedAt(), json.get(i)));
                }
                if (handedOn != null) {
                    handedOn.add(new StoredTickSink.Stored(tick, json.get(i)));
                }
            } else {
                refused(guardKey, tick, verdict, null);
            }
        }
        if (published != null) {
            published.addAll(mirrorsStored);
        }
        publish(published);
        if (handedOn != null && !handedOn.isEmpty()) {
            sink.stored(handedOn);
        }
        return true;
    }

    /**
     * After the batch is stored, not inside the script (a PUBLISH a tick there cost ingest half its rate), and
     * from the publisher's thread, so the writer does not wait a round trip for it. Redis stored the ticks
     * whatever happens to the message; a lost one costs the push API one tick of each symbol, not ingest.
     */
    private void publish(List<TickUpdates.Update> stored) {
        if (stored != null && !stored.isEmpty()) {
            publisher.start();
            publisher.offer(stored);
        }
    }

    /** Back into pending, unless a newer one of its symbol and stream kind is pending already. */
    private void putBack(Map.Entry<String, Written> entry) {
        pending.merge(entry.getKey(), entry.getValue(), (old, back) ->
                judge(back.tick(), back.reset(), old.tick().sequence(), old.tick().receivedAt()).stores() ? back : old);
    }

    private void sequenceReset(MarketTick tick, NewestWins.Verdict verdict, Hold hold) {
        resetsByExchange.computeIfAbsent(tick.exchange(), k -> new java.util.concurrent.atomic.LongAdder()).increment();
        metrics.sequenceReset(verdict == NewestWins.Verdict.RESET ? IngestMetrics.RESET_REGRESSION
                : IngestMetrics.RESET_UNREADABLE_GUARD);
        String refused = hold == null ? "" : "; " + hold.refused() + " lower-sequence tick(s) had been refused for "
                + (tick.receivedAt() - hold.since()) + " ms" + (hold.heldBy() == null ? "" : " against sequence " + hold.heldBy());
        if (verdict == NewestWins.Verdict.RESET) {
            resetLog.warn("regression", "{} {}: sequence went back; stored {} as a sequence reset, the stored tick being "
                    + "older than tick.sequence-reset-after ({} ms){}", tick.key(), tick.stream().configName(),
                    tick.sequence(), options.resetAfterMillis(), refused);
        } else {
            resetLog.warn("unreadable", "{} {}: Redis held a newer-than guard no gateway writes (foreign or damaged "
                    + "data); replaced it, stored {}{}", tick.key(), tick.stream().configName(), tick.sequence(), refused);
        }
    }

    /**
     * Run periodically: while Redis is down, retry with backoff (at once when the connections now go to another
     * address: a failover); once it answers, let the writer send what is pending, and write again what this process
     * wrote if Redis no longer holds the same data set or another server answers than before.
     */
    public void reconcile() {
        long now = clock.getAsLong();
        String at = address.get();
        boolean moved = at != null && !at.equals(addressTried);
        if (!redisUp && now < nextRetryAt && !moved) {
            return;
        }
        addressTried = at;
        try {
            String known = epoch;
            String found = readEpoch();
            String before = server;
            String identity = serverIdentity(at);
            boolean sameData = known != null && known.equals(found);
            boolean otherServer = before != null && identity != null && !before.equals(identity);
            boolean answered = true;
            if (!sameData || otherServer || !redisUp) {
                // Also a write: a demoted master still answers reads but refuses this (READONLY), so it is not back.
                String adopted = adoptEpoch();
                if (known != null && !sameData) {
                    answered = reseed(known, found, adopted);
                } else if (otherServer) {
                    answered = rewriteForNewServer(before, identity);
                }
            }
            if (identity != null) {
                server = identity;
            }
            if (!answered) {
                // The rewrite failed: its ticks are pending again, Redis is down again (redisFailed said so).
                return;
            }
            if (!redisUp) {
                retry.reset();
                LOG.info("Redis is reachable again; writing {} pending tick(s)", pending.size());
                redisUp = true;
            }
            wakeWriter();
        } catch (DataAccessException e) {
            redisFailed(e);
        }
        forgetExpired(now);
    }

    /**
     * Which Redis server answers: its {@code run_id}, new with every process (a restart, a promoted replica); where
     * the Redis user may not run {@code INFO}, the address the connections go to (a failover moves it, a restart
     * in place does not). Null when neither is known.
     */
    private String serverIdentity(String at) {
        String runId = redis.serverRunId();
        if (runId != null) {
            return "run_id " + runId;
        }
        if (runIdRefused.compareAndSet(false, true)) {
            LOG.info("The Redis user may not run INFO: another server taking over (a failover) is told by its address only, "
                    + "so a Redis restarted in place that lost the last writes is not noticed; grant +info to notice it");
        }
        return at == null ? null : "address " + at;
    }

    /** Creates the epoch if Redis has none, and takes whatever Redis then holds as this gateway's. */
    String adoptEpoch() {
        String value = redis.adoptEpoch();
        epoch = value;
        return value;
    }

    private String readEpoch() {
        return redis.readEpoch();
    }

    private boolean reseed(String known, String found, String adopted) {
        List<Map.Entry<String, Written>> again = newestWritten();
        boolean answered = writeBatch(again);
        LOG.warn("Redis no longer holds this gateway's data set: {} is {} where it was '{}' (a restart without "
                + "persistence, a failover, or another data set loaded); wrote the newest {} tick(s) this gateway "
                + "holds again, each with the TTL it had left, and adopted epoch '{}'", EPOCH_KEY,
                found == null ? "missing" : "'" + shown(found) + "'", shown(known), again.size(), shown(adopted));
        return answered;
    }

    private boolean rewriteForNewServer(String before, String now) {
        List<Map.Entry<String, Written>> again = newestWritten();
        boolean answered = writeBatch(again);
        LOG.warn("Another Redis server answers now ({}, where it was {}: a failover or a restart). Replication is "
                + "asynchronous, so it may lack ticks the old one acknowledged: wrote the newest {} tick(s) this gateway "
                + "holds again, each with the TTL it had left (one it has already is refused as a duplicate)",
                shown(now), shown(before), again.size());
        return answered;
    }

    /**
     * The newest tick of every symbol and stream kind this process wrote, oldest first, to be written again (if Redis
     * does not answer, they are pending again); the local guards of the data set that is gone are forgotten.
     */
    private List<Map.Entry<String, Written>> newestWritten() {
        List<Map.Entry<String, Written>> byTime = new ArrayList<>(lastWritten.entrySet());
        byTime.sort(Comparator.comparingLong(e -> e.getValue().at()));
        // Redis's guards (if any) decide from here on.
        byTime.forEach(e -> guards.remove(e.getKey()));
        return byTime;
    }

    private void forgetExpired(long now) {
        guards.values().removeIf(g -> expired(g, now));
        holds.values().removeIf(h -> now - h.lastRefusedAt() >= options.resetAfterMillis());
    }

    /** Writes everything pending now, on the calling thread (shutdown, tests). */
    public void flush() {
        writeBatch(drain());
    }

    private void redisFailed(Exception e) {
        metrics.redisError("write");
        Failures.Refusal refusal = Failures.redisRefusal(e);
        String why = refusal != null ? refusal.describe() : Failures.describe(e);
        if (redisUp) {
            redisUp = false;
            outageLog.opened("outage");
            LOG.warn("Redis unreachable ({}): ingest goes on, keeping the newest tick per symbol in memory until "
                    + "it is back", why);
        } else {
            outageLog.warn("outage", "Redis still unreachable ({} tick(s) pending): {}", pending.size(), why);
        }
        nextRetryAt = clock.getAsLong() + retry.nextDelay();
    }

    public boolean redisUp() {
        return redisUp;
    }

    public int pendingCount() {
        return pending.size();
    }

    /** Symbols and stream kinds this process holds a tick of (written or pending), to serve while Redis is away. */
    public int lastKnownCount() {
        int held = lastWritten.size();
        for (String key : pending.keySet()) {
            if (!lastWritten.containsKey(key)) {
                held++;
            }
        }
        return held;
    }

    /** Sequence resets and replaced guards so far. */
    /** Sequence resets and replaced guards so far of one venue's ticks. */
    public long sequenceResets(String exchange) {
        java.util.concurrent.atomic.LongAdder count = resetsByExchange.get(exchange);
        return count == null ? 0 : count.sum();
    }

    public long sequenceResets() {
        return (long) metrics.sequenceResetCount();
    }

    /**
     * {@code SYMBOL:kind} whose ticks the guard has been refusing for a while (a lower sequence than the
     * stored one), in configured order; they are stored again at the latest {@code tick.sequence-reset-after}
     * after the stored tick.
     */
    public List<String> heldSymbols() {
        long now = clock.getAsLong();
        List<String> out = new ArrayList<>();
        new TreeMap<>(holds).forEach((key, hold) -> {
            if (hold.lastRefusedAt() - hold.since() >= HOLD_SHOWN_AFTER_MILLIS
                    && now - hold.lastRefusedAt() < options.resetAfterMillis()) {
                out.add(key.replace('|', ':'));
            }
        });
        return out;
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

    /** The stored JSON for each followed key, in order, null where Redis has none; one round trip (MGET). */
    public List<String> readAll(List<String> wanted) {
        // Judged once per key: the followed set may change while Redis answers.
        Predicate<String> followedNow = follows;
        boolean[] followed = new boolean[wanted.size()];
        List<String> keys = new ArrayList<>(wanted.size());
        for (int i = 0; i < wanted.size(); i++) {
            followed[i] = followedNow.test(wanted.get(i));
            if (followed[i]) {
                keys.add(wanted.get(i));
            }
        }
        if (keys.size() == wanted.size()) {
            return redis.readAll(wanted);
        }
        // A symbol removed while its request was on its way: no key is built for it, its slot is a miss.
        List<String> values = keys.isEmpty() ? List.of() : redis.readAll(keys);
        List<String> out = new ArrayList<>(wanted.size());
        int next = 0;
        for (int i = 0; i < wanted.size(); i++) {
            out.add(followed[i] ? values.get(next++) : null);
        }
        return out;
    }

    /**
     * Adopts the data set's epoch. Redis being unreachable is an outage to ride out; Redis refusing the
     * configured credentials is a setting to fix, so start-up stops with the property named.
     */
    @Override
    public synchronized void start() {
        stopped.set(false);
        try {
            adoptEpoch();
            server = serverIdentity(address.get());
        } catch (DataAccessException e) {
            Failures.Refusal refusal = Failures.redisRefusal(e);
            if (refusal != null) {
                throw refusal.atStartUp();
            }
            redisFailed(e);
        }
        if (writer == null) {
            writing = true;
            writer = new Thread(this::writeLoop, "tick-writer");
            writer.setDaemon(true);
            writer.start();
        }
    }

    /**
     * Graceful shutdown: what is pending is written if Redis answers within {@code redis.shutdown-flush-timeout};
     * otherwise one warning says, per symbol, how many of the newest ticks were not written.
     */
    @Override
    public void stop() {
        // Camel may stop a bound service more than once; flush once.
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        try {
            stopWriting();
        } finally {
            // What the last batches stored goes to the push API's clients too, if Redis takes it at once.
            publisher.stop(500);
        }
    }

    private void stopWriting() {
        // One bound for all of it: the writer's last batch and the flush. A write in flight can still take up to
        // redis.timeout-ms past it.
        long deadline = System.nanoTime() + options.shutdownFlushMillis() * 1_000_000L;
        Thread w;
        synchronized (this) {
            w = writer;
            writing = false;
            writer = null;
        }
        if (w != null) {
            LockSupport.unpark(w);
            try {
                w.join(Math.max(1, options.shutdownFlushMillis()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (w.isAlive()) {
                // Its batch is still waiting for Redis: unconfirmed, so sent again below (the guard drops a
                // duplicate) and counted if that does not succeed either.
                inFlight.forEach(this::putBack);
            }
        }
        int held = pending.size();
        if (held == 0) {
            ShutdownReport.stopped((long) metrics.storedTotal(), 0, null);
            return;
        }
        while (true) {
            boolean answered = writeBatch(drain());
            if (pending.isEmpty() || System.nanoTime() >= deadline) {
                break;
            }
            if (!answered) {
                LockSupport.parkNanos(Math.min(250_000_000L, Math.max(0, deadline - System.nanoTime())));
            }
        }
        if (pending.isEmpty()) {
            LOG.info("Flushed {} pending tick(s) to Redis on shutdown", held);
            ShutdownReport.stopped((long) metrics.storedTotal(), 0, null);
            return;
        }
        Map<String, Integer> perSymbol = new TreeMap<>();
        pending.values().forEach(p -> perSymbol.merge(p.tick().key(), 1, Integer::sum));
        StringBuilder list = new StringBuilder();
        perSymbol.forEach((symbol, n) -> list.append(list.isEmpty() ? "" : ", ").append(symbol).append(' ').append(n));
        ShutdownReport.stopped((long) metrics.storedTotal(), pending.size(), "Redis did not confirm them within "
                + "redis.shutdown-flush-timeout (" + options.shutdownFlushMillis() + " ms). Not written, newest per "
                + "symbol and stream: " + list);
    }

    private static String guardKey(MarketTick tick) {
        return tick.key() + '|' + tick.stream().configName();
    }

    private static String shown(String value) {
        String printable = Objects.toString(value, "").replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= 64 ? printable : printable.substring(0, 64) + "...";
    }

    // Keys are only ever built from symbols we follow: nothing unvalidated reaches Redis.
    private void requireFollowed(String symbol) {
        if (!follows.test(symbol)) {
            throw new IllegalArgumentException("not a configured symbol");
        }
    }
}
