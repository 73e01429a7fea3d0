package dev.marketdata.cluster;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.marketdata.feed.RateLimitedLog;
import dev.marketdata.feed.SharedConnectWindow;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;

/**
 * The connect budget every instance on one Redis shares: per venue and scope (the egress name, or the proxy a
 * connection goes through), a sorted set {@code connect:budget:<venue>:<scope>} of the connects booked in the
 * venue's window, each scored with Redis' own time (so the instances' clocks do not matter) and named
 * {@code <instance>:<n>}. One Lua script trims what left the window, books a connect if fewer than the limit are
 * left, or answers how long until the oldest leaves; the key expires with its newest connect.
 * <p>
 * A key nobody but a gateway writes can still hold anything: another type (replaced), entries not in the
 * gateway's form or booked later than Redis' now (removed: a time far ahead would never leave the window and
 * would hold every connect back for good). Each repair is logged, at most once a minute per key.
 * <p>
 * Redis is asked on a thread of its own, never on the caller's (a Vert.x event loop), and an answer that does
 * not come within {@code timeoutMillis} completes the future with a {@link java.util.concurrent.TimeoutException}.
 */
public final class RedisConnectBudget implements SharedConnectWindow, AutoCloseable {

    public static final String KEY_PREFIX = "connect:budget:";
    /** The commands the script runs, for an ACL: on {@code connect:budget:*}. */
    public static final String REQUIRED_COMMANDS = "EVAL, EVALSHA, TIME, TYPE, DEL, ZADD, ZREM, ZRANGE, ZCARD, ZREMRANGEBYSCORE "
            + "and PEXPIRE";
    private static final String PROBE_VENUE = "_startup_probe_";
    /** A booking this far past Redis' now is not one of ours (a replica's clock may be a little behind). */
    static final long AHEAD_TOLERANCE_MILLIS = 1_000;
    private static final Logger LOG = LoggerFactory.getLogger(RedisConnectBudget.class);
    /** Connects are rare (hundreds per 5 minutes at most): a queue this long is never full unless Redis hangs. */
    private static final int QUEUE = 1_000;

    /*
     * KEYS[1] the budget; ARGV[1] limit, ARGV[2] window (ms), ARGV[3] the connect's name ('' only counts),
     * ARGV[4] the most entries a key of ours may hold, ARGV[5] the tolerance for times ahead (ms).
     * Returns {wait ms (0: booked), connects in the window, entries removed as foreign, 1 if the key was replaced}.
     */
    private static final String SCRIPT = """
            local key = KEYS[1]
            local limit = tonumber(ARGV[1])
            local window = tonumber(ARGV[2])
            local t = redis.call('TIME')
            local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
            local replaced = 0
            local removed = 0
            local kind = redis.call('TYPE', key)['ok']
            if kind ~= 'zset' and kind ~= 'none' then
              redis.call('DEL', key)
              replaced = 1
            end
            redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%.0f', now - window))
            removed = removed + redis.call('ZREMRANGEBYSCORE', key,
              '(' .. string.format('%.0f', now + tonumber(ARGV[5])), '+inf')
            local count = redis.call('ZCARD', key)
            if count > tonumber(ARGV[4]) then
              redis.call('DEL', key)
              removed = removed + count
            elseif count > 0 then
              local members = redis.call('ZRANGE', key, 0, -1)
              for i = 1, #members do
                if not string.match(members[i], '^%x+:%d+$') then
                  redis.call('ZREM', key, members[i])
                  removed = removed + 1
                end
              end
            end
            local used = redis.call('ZCARD', key)
            if ARGV[3] == '' then
              return {0, used, removed, replaced}
            end
            if used < limit then
              redis.call('ZADD', key, string.format('%.0f', now), ARGV[3])
              redis.call('PEXPIRE', key, window)
              return {0, used + 1, removed, replaced}
            end
            local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
            local wait = tonumber(oldest[2]) + window - now
            if wait < 1 then
              wait = 1
            end
            return {wait, used, removed, replaced}
            """;

    @SuppressWarnings("rawtypes")
    private static final DefaultRedisScript<List> BUDGET = new DefaultRedisScript<>(SCRIPT, List.class);

    private final StringRedisTemplate redis;
    private final long timeoutMillis;
    private final ThreadPoolExecutor executor;
    /** Names this process's bookings apart from every other instance's. */
    private final String instance;
    private final AtomicLong bookings = new AtomicLong();
    private final RateLimitedLog repairs = new RateLimitedLog(LOG, 60_000);

    /** @param timeoutMillis how long a caller waits for Redis before it goes on without it ({@code redis.timeout-ms}) */
    public RedisConnectBudget(StringRedisTemplate redis, long timeoutMillis) {
        this.redis = redis;
        this.timeoutMillis = timeoutMillis;
        byte[] id = new byte[8];
        new SecureRandom().nextBytes(id);
        this.instance = HexFormat.of().formatHex(id);
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread thread = new Thread(r, "connect-budget");
            thread.setDaemon(true);
            return thread;
        });
    }

    public static String key(String venue, String scope) {
        return KEY_PREFIX + venue + ":" + scope;
    }

    @Override
    public String name(String venue, String scope) {
        return key(venue, scope);
    }

    @Override
    public CompletableFuture<Answer> reserve(String venue, String scope, int limit, long windowMillis) {
        return ask(key(venue, scope), limit, windowMillis, instance + ":" + bookings.incrementAndGet());
    }

    @Override
    public CompletableFuture<Answer> peek(String venue, String scope, int limit, long windowMillis) {
        return ask(key(venue, scope), limit, windowMillis, "");
    }

    /**
     * Runs the script as a booking does (twice on a probe key with a limit of one: booked, then refused) and deletes
     * the key, on the caller's thread: an ACL that does not let the gateway's user do so fails here, at start-up,
     * not on every connect. Throws what Redis threw.
     */
    public void probe() {
        String key = key(PROBE_VENUE, instance);
        run(key, 1, 1_000, instance + ":0");
        run(key, 1, 1_000, instance + ":1");
        redis.delete(key);
    }

    private CompletableFuture<Answer> ask(String key, int limit, long windowMillis, String booking) {
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                if (answer.isDone()) {
                    // Given up on while it waited its turn: booking now would count a connect nobody makes.
                    return;
                }
                try {
                    answer.complete(run(key, limit, windowMillis, booking));
                } catch (RuntimeException e) {
                    answer.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException e) {
            answer.completeExceptionally(e);
        }
        return answer.orTimeout(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    private Answer run(String key, int limit, long windowMillis, String booking) {
        // A key of ours never holds more than the limit; far more is someone else's, and not worth scanning.
        long most = 4L * limit + 100;
        List<?> reply = redis.execute(BUDGET, List.of(key), Integer.toString(limit), Long.toString(windowMillis), booking,
                Long.toString(most), Long.toString(AHEAD_TOLERANCE_MILLIS));
        if (reply == null || reply.size() != 4 || !reply.stream().allMatch(Long.class::isInstance)) {
            throw new IllegalStateException("the connect budget script answered " + reply);
        }
        long removed = (Long) reply.get(2);
        if ((Long) reply.get(3) == 1) {
            repairs.warn(key, "Connect budget {} held a value of another type, not a gateway's connects: replaced it", key);
        } else if (removed > 0) {
            repairs.warn(key, "Connect budget {} held {} entries no gateway writes (foreign names, or booked ahead of Redis' "
                    + "clock): removed them", key, removed);
        }
        return new Answer((Long) reply.get(0), (int) (long) (Long) reply.get(1));
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
