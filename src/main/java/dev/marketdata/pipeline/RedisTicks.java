package dev.marketdata.pipeline;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import dev.marketdata.model.Instrument;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.Venue;
import org.springframework.data.redis.RedisSystemException;
import org.springframework.data.redis.core.RedisCallback;
import org.springframework.data.redis.core.StringRedisTemplate;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.Pipeline;

/**
 * The Redis layout, and the only class that knows it: {@code tick:latest:{key}} holds a tick's JSON with a TTL
 * (a Binance tick also under its second key, see {@link #mirror}),
 * {@code tick:seq:{key}} the newer-than guard ({@link NewestWins}, per stream kind), {@code tick:epoch} the id of
 * the data set. Writes go through the guard's Lua script, pipelined; reads are one {@code MGET}. Keys are built
 * only from followed keys ({@link MarketTick#key()}): the caller checks that.
 */
public final class RedisTicks {

    public static final String KEY_PREFIX = "tick:latest:";
    public static final String SEQ_PREFIX = "tick:seq:";
    /** Identifies the data set: created by the first gateway, adopted by every other, never expires. */
    public static final String EPOCH_KEY = "tick:epoch";
    private static final byte[] SCRIPT = NewestWins.SCRIPT.getBytes(StandardCharsets.UTF_8);
    /** The script is sent once (SCRIPT LOAD) and then named by its SHA-1: 40 bytes a write instead of 1.5 KB. */
    private static final byte[] SCRIPT_SHA = bytes(sha1(NewestWins.SCRIPT));

    /**
     * One guarded write: the tick, its JSON, the TTL it has left, and how long a lower sequence is refused
     * (0: the venue said its sequence starts again at this tick).
     */
    public record Write(MarketTick tick, String json, int ttlSeconds, long resetAfterMillis) {
    }

    private final StringRedisTemplate redis;
    private final boolean legacyKeys;
    /** Whether this process has loaded the script into the Redis it writes to; a restarted Redis has not. */
    private volatile boolean scriptLoaded;

    /**
     * @param legacyKeys {@code redis.legacy-keys}: a Binance tick of an instrument configured as {@code BTC-USDT}
     *                   is also written to {@code tick:latest:BTCUSDT}, the original contract's key
     */
    public RedisTicks(StringRedisTemplate redis, boolean legacyKeys) {
        this.redis = redis;
        this.legacyKeys = legacyKeys;
    }

    public static String key(String followedKey) {
        return KEY_PREFIX + followedKey;
    }

    /** The verdicts of a batch, and whether a push API somewhere listens ({@link TickUpdates#LISTENING_KEY}). */
    public record Stored(List<NewestWins.Verdict> verdicts, boolean listening, List<TickUpdates.Update> mirrorsStored) {
    }

    /**
     * Sends the writes in one pipelined round trip, each through the newer-than script, and returns each one's
     * {@link NewestWins.Verdict} in order (throws when Redis does not answer); and, in the same round trip after
     * the writes, whether the key a listening push API keeps is there (null: not asked). It is read after the
     * writes, so a batch read as "not listening" was stored before a push API announced itself, and so before it
     * read its snapshot. The mirror key's stored ticks come back too, for publishing.
     */
    public Stored write(List<Write> writes, long now, byte[] listeningKey) {
        byte[] nowArg = bytes(Long.toString(now));
        // A Binance tick's second key is a write of its own, through its own guard, of the tick as that key's
        // symbol names it: a gateway following that key (configured the other way) reads it as its own.
        List<MarketTick> mirrors = new ArrayList<>(writes.size());
        for (Write w : writes) {
            mirrors.add(mirror(w.tick()));
        }
        List<String> mirrorJson = new ArrayList<>(writes.size());
        for (int i = 0; i < writes.size(); i++) {
            mirrorJson.add(mirrors.get(i) == null ? null : renamed(writes.get(i), mirrors.get(i)));
        }
        List<Object> results;
        try {
            results = pipeline(writes, mirrors, mirrorJson, nowArg, listeningKey);
        } catch (RuntimeException e) {
            if (!noScript(e)) {
                throw e;
            }
            // Redis lost its scripts (a restart, a failover, SCRIPT FLUSH): the NOSCRIPT replies wrote nothing.
            scriptLoaded = false;
            results = pipeline(writes, mirrors, mirrorJson, nowArg, listeningKey);
        }
        List<NewestWins.Verdict> verdicts = new ArrayList<>(writes.size());
        // The mirror key's stored ticks too: a gateway following the instrument under that name pushes them.
        List<TickUpdates.Update> mirrorsStored = new ArrayList<>();
        int at = 0;
        for (int i = 0; i < writes.size(); i++) {
            verdicts.add(NewestWins.Verdict.ofCode((Long) results.get(at)));
            MarketTick mirror = mirrors.get(i);
            if (mirror != null) {
                NewestWins.Verdict v = NewestWins.Verdict.ofCode((Long) results.get(at + 1));
                if (v.stores()) {
                    mirrorsStored.add(new TickUpdates.Update(v != NewestWins.Verdict.NEWER, mirror.key(), mirror.sequence(),
                            mirror.receivedAt(), mirrorJson.get(i)));
                }
            }
            at += mirror == null ? 1 : 2;
        }
        return new Stored(verdicts, listeningKey != null && results.get(at) != null, mirrorsStored);
    }

    /**
     * The writes in one Jedis pipeline on the template's pooled connection. Jedis's own pipeline, not Spring's
     * {@code executePipelined}: that wraps every batch in a connection proxy and every reply in a future and a
     * converter, which cost the writer more than the writes (profiled). An error reply fails the batch as
     * Spring's pipeline did; NOSCRIPT is told by its text.
     */
    private List<Object> pipeline(List<Write> writes, List<MarketTick> mirrors, List<String> mirrorJson, byte[] nowArg,
            byte[] listeningKey) {
        if (!scriptLoaded) {
            redis.execute((RedisCallback<String>) connection -> connection.scriptingCommands().scriptLoad(SCRIPT));
            scriptLoaded = true;
        }
        return onJedis(jedis -> {
            Pipeline pipeline = jedis.pipelined();
            for (int i = 0; i < writes.size(); i++) {
                Write w = writes.get(i);
                eval(pipeline, w.tick(), w.json(), w, nowArg);
                if (mirrors.get(i) != null) {
                    eval(pipeline, mirrors.get(i), mirrorJson.get(i), w, nowArg);
                }
            }
            if (listeningKey != null) {
                pipeline.get(listeningKey);
            }
            List<Object> replies = pipeline.syncAndReturnAll();
            for (Object reply : replies) {
                if (reply instanceof RuntimeException error) {
                    throw new RedisSystemException("Redis refused a pipelined write: " + error.getMessage(), error);
                }
            }
            return replies;
        });
    }

    /**
     * Runs the work on a pooled Jedis connection of the template's factory, as Spring's template would but without
     * its per-call connection proxy; a Jedis exception comes out translated, as the template's own commands do.
     */
    private <T> T onJedis(java.util.function.Function<Jedis, T> work) {
        try {
            return redis.execute((RedisCallback<T>) connection -> work.apply((Jedis) connection.getNativeConnection()), true);
        } catch (RedisSystemException e) {
            throw e;
        } catch (RuntimeException e) {
            RuntimeException translated = redis.getConnectionFactory() == null ? null
                    : redis.getConnectionFactory().translateExceptionIfPossible(e);
            throw translated != null ? translated : e;
        }
    }

    /**
     * The mirror's JSON: the written JSON with its leading symbol swapped (a tick's JSON starts with its symbol,
     * letters, digits and '-' only), so the hot path does not write the tick again; else written afresh.
     */
    private static String renamed(Write w, MarketTick mirror) {
        String prefix = "{\"symbol\":\"" + w.tick().symbol() + "\"";
        return w.json().startsWith(prefix)
                ? "{\"symbol\":\"" + mirror.symbol() + "\"" + w.json().substring(prefix.length())
                : TickJson.write(mirror);
    }

    private static boolean noScript(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("NOSCRIPT")) {
                return true;
            }
        }
        return false;
    }

    private static String sha1(String text) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-1")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void eval(Pipeline pipeline, MarketTick tick, String json, Write w, byte[] nowArg) {
        pipeline.evalsha(SCRIPT_SHA, 2, bytes(KEY_PREFIX + tick.key()), bytes(SEQ_PREFIX + tick.key()),
                bytes(tick.stream().configName()), bytes(Long.toString(tick.sequence())), bytes(json),
                bytes(Integer.toString(w.ttlSeconds())), bytes(Long.toString(tick.receivedAt())),
                bytes(Long.toString(w.resetAfterMillis())), nowArg);
    }

    /** One PUBLISH; returns how many subscribers (over every gateway) received it. */
    public long publish(byte[] channel, byte[] message) {
        Long receivers = onJedis(jedis -> jedis.publish(channel, message));
        return receivers == null ? 0 : receivers;
    }

    /** The stored JSON of each key, in order, null where Redis has none; one round trip (MGET). */
    public List<String> readAll(List<String> followedKeys) {
        if (followedKeys.isEmpty()) {
            return List.of();
        }
        String[] keys = new String[followedKeys.size()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = KEY_PREFIX + followedKeys.get(i);
        }
        List<String> values = onJedis(jedis -> jedis.mget(keys));
        if (values == null) {
            throw new IllegalStateException("Redis MGET returned nothing");
        }
        return values;
    }

    /** Creates the epoch if Redis has none, and returns whatever Redis then holds. */
    public String adoptEpoch() {
        readEpoch();
        redis.opsForValue().setIfAbsent(EPOCH_KEY, UUID.randomUUID().toString());
        return redis.opsForValue().get(EPOCH_KEY);
    }

    /**
     * The epoch's value; a key of another type there is foreign data and is removed (it would fail every
     * read, and Redis would look down for good), reported as what was found.
     */
    public String readEpoch() {
        String type = redis.type(EPOCH_KEY).code();
        if (!"none".equals(type) && !"string".equals(type)) {
            redis.delete(EPOCH_KEY);
            return "a " + type + " key";
        }
        return redis.opsForValue().get(EPOCH_KEY);
    }

    /**
     * The {@code run_id} of the Redis server process that answers ({@code INFO server}): a new one after every restart
     * and on every other server, so a failover shows as a change even though the data set (and its epoch) was
     * replicated. Null when the Redis user may not run {@code INFO} (an ACL without {@code +info}); other failures
     * throw as every command does.
     */
    public String serverRunId() {
        String info;
        try {
            info = onJedis(jedis -> jedis.info("server"));
        } catch (org.springframework.dao.DataAccessException e) {
            Failures.Refusal refusal = Failures.redisRefusal(e);
            if (refusal != null && refusal.permission()) {
                return null;
            }
            throw e;
        }
        if (info != null) {
            for (String line : info.split("\r?\n")) {
                if (line.startsWith("run_id:")) {
                    return line.substring("run_id:".length()).trim();
                }
            }
        }
        return null;
    }

    /**
     * The second key a Binance tick is written to, as that key's symbol names it, so that both the original
     * contract's key and the venue key exist whichever way a symbol is configured: for {@code BTC-USDT} (followed
     * as {@code binance:BTC-USDT}), the tick named {@code BTCUSDT} at {@code tick:latest:BTCUSDT} while
     * {@code redis.legacy-keys} is on; for {@code BTCUSDT} (followed under the original key), the tick named
     * {@code BTC-USDT} at {@code tick:latest:binance:BTC-USDT}, when its quote asset is known. Null for every
     * other tick.
     */
    private MarketTick mirror(MarketTick tick) {
        if (!MarketTick.SOURCE_BINANCE.equals(tick.exchange())) {
            return null;
        }
        String symbol;
        if (tick.key().indexOf(':') >= 0) {
            // The original key's readers take its assets from the split by the known quote assets: a symbol whose
            // configured assets split otherwise (an unknown quote) would not read as theirs, so it gets none.
            String[] split = dev.marketdata.model.SymbolAssets.split(tick.nativeSymbol());
            if (!legacyKeys || !split[0].equals(tick.baseAsset()) || !split[1].equals(tick.quoteAsset())) {
                return null;
            }
            symbol = tick.nativeSymbol();
        } else {
            if (tick.quoteAsset() == null || tick.quoteAsset().isEmpty()) {
                return null;
            }
            symbol = tick.baseAsset() + "-" + tick.quoteAsset();
        }
        return tick.as(new Instrument(Venue.BINANCE, symbol, tick.nativeSymbol(), tick.baseAsset(), tick.quoteAsset(),
                tick.market()));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
