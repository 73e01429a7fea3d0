package dev.marketdata.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.model.Instrument;
import dev.marketdata.model.MarketTick;
import dev.marketdata.pipeline.NewestWins;
import dev.marketdata.pipeline.TickJson;
import dev.marketdata.pipeline.TickUpdates;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.http.ServerWebSocket;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;
import redis.clients.jedis.BinaryJedisPubSub;
import redis.clients.jedis.Jedis;

/**
 * The push API's hub. Every gateway's writer publishes the ticks each batch stored on {@link #CHANNEL}
 * ({@link TickUpdates}); this hub subscribes (one connection, retried with backoff) and hands each tick to the
 * clients following its (exchange, symbol), conflated per client: a client that reads slowly gets the newest
 * tick of each, never a backlog, and one that leaves written data unread for the client timeout is closed.
 *
 * <p>Never backwards on a connection: ticks of one key reach a gateway from several writers (two gateways, a
 * snapshot read while a tick is on its way), so each client keeps the sequence and receive time of what it was
 * last given per key and judges every tick by the store's own rule ({@link NewestWins#judge}); a tick Redis
 * stored as a reset passes.
 *
 * <p>Everything a client is sent goes through one bounded queue written on the socket's event loop: ticks and
 * bests conflated by key, replies (snapshots, errors, pongs) in order and at most {@link #MAX_UNREAD_REPLIES}
 * unread, so a client that sends and never reads cannot grow the gateway's memory either.
 */
public class TickStream extends ServiceSupport implements TickStreamMXBean {

    /** The channel of database 0; pub/sub ignores the database, so another database's channel is its own. */
    public static final String CHANNEL = "tick:updates";
    /** How long the subscription may hear nothing from Redis before it is opened again; pinged at a third of it. */
    public static final int SUBSCRIPTION_READ_TIMEOUT_MILLIS = 6_000;

    /** The channel the writers of a Redis database publish on, and its push APIs listen to. */
    public static String channel(int database) {
        return database == 0 ? CHANNEL : CHANNEL + ":" + database;
    }
    public static final String BEAN = "tickStream";
    private static final Logger LOG = LoggerFactory.getLogger(TickStream.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The largest client message read; larger ones get MESSAGE_TOO_LARGE (Vert.x closes at 64 KB a frame). */
    static final int MAX_MESSAGE_CHARS = 4_096;
    /** Replies a client may leave unread before it is closed: a client sending without reading. */
    static final int MAX_UNREAD_REPLIES = 32;
    private static final byte[] LISTENING = TickUpdates.LISTENING_KEY.getBytes(StandardCharsets.UTF_8);
    private static final byte[] ONE = { '1' };
    /** The listening key's TTL; refreshed every second while any client here follows something. */
    private static final long LISTENING_SECONDS = 3;
    /** Messages taken from a client's queue at a time by its writer. */
    private static final int FLUSH_CHUNK = 128;
    /** How often changed consolidated bests are worked out and sent: a Redis read per symbol, not per tick. */
    private static final long BEST_INTERVAL_MILLIS = 100;

    /**
     * The push API's limits: clients, subscriptions a client, messages a second a client may send, how long a
     * client may leave written data unread, how often a heartbeat goes, the API keys (none: open) and the
     * browser origins taken (none: any).
     */
    public record Limits(int maxClients, int maxSubscriptionsPerClient, int maxMessagesPerSecond, long clientTimeoutMillis,
            long heartbeatMillis, Set<String> apiKeys, Set<String> allowedOrigins) {
    }

    private final RedisConnectionFactory redis;
    private final TickerReader reader;
    private final MockTickerEnricher mocks;
    private final BestPrice best;
    private final Limits limits;
    private final long resetAfterMillis;
    private final Counter sent;
    private final Counter conflated;
    private final Counter ticksReceived;
    private final Counter ticksRefused;
    private final Map<String, Counter> dropped = new ConcurrentHashMap<>();
    private final List<Client> clients = new CopyOnWriteArrayList<>();
    /** Who follows each key, and each consolidated symbol's best: the tick path looks up, never scans clients. */
    private final Map<String, Set<Client>> byKey = new ConcurrentHashMap<>();
    private final Map<String, Set<Client>> byBest = new ConcurrentHashMap<>();
    private final Set<String> bestsChanged = ConcurrentHashMap.newKeySet();
    private final AtomicLong subscriptionLosses = new AtomicLong();
    private volatile boolean running;
    /** Opens the subscription's own connection, outside the pool (see {@link #subscribeLoop}). */
    private final java.util.function.Supplier<Jedis> subscriptionConnection;
    private final String channel;
    private volatile BinaryJedisPubSub subscription;
    private volatile Jedis subscriptionJedis;
    /** When the subscription last heard from Redis (a message, a pong, its confirmation), in nanoTime. */
    private volatile long lastHeard;
    private volatile boolean subscribed;
    private Thread subscriber;
    private ScheduledExecutorService bests;

    /** A tick to push: its key, its order, whether Redis stored it as a reset, and the message. */
    record Pushed(String key, String guard, long sequence, long receivedAt, boolean reset, String message) {
    }

    /** One WebSocket client: what it follows, and what it has not been written yet. */
    final class Client {
        final ServerWebSocket socket;
        /** The socket's event loop (the one accept ran on): all writes happen there. */
        final io.vertx.core.Context context;
        final Set<String> keys = ConcurrentHashMap.newKeySet();
        /** Consolidated symbols followed, with the best bid and ask last sent for each ("" before the first). */
        final Map<String, String> bests = new ConcurrentHashMap<>();
        /** By key: a tick or best replaced by a newer one while unread; replies under keys of their own. */
        private final LinkedHashMap<String, String> pending = new LinkedHashMap<>();
        /** Per key, the sequence and receive time of the newest tick given to this client. */
        private final Map<String, long[]> given = new HashMap<>();
        /** Keys whose snapshot is being read, and the newest tick of each that came meanwhile. */
        private final Set<String> awaitingSnapshot = new java.util.HashSet<>();
        private final Map<String, Pushed> early = new HashMap<>();
        /** When the WebSocket ping not yet answered was sent (0: none outstanding). */
        private long pingSentAt;
        private int unreadReplies;
        private long replyNumber;
        private boolean flushing;
        private long fullSince;
        private boolean closed;
        private long windowStart;
        private int messagesInWindow;
        volatile long lastHeartbeat = System.currentTimeMillis();

        final Runnable hardClose;

        Client(ServerWebSocket socket, io.vertx.core.Context context, Runnable hardClose) {
            this.socket = socket;
            this.context = context;
            this.hardClose = hardClose;
        }

        /** Whether one more message from the client is within its rate this second; 0 within, 1 the first over, 2 more. */
        synchronized int rate(long now) {
            if (now - windowStart >= 1_000) {
                windowStart = now;
                messagesInWindow = 0;
            }
            int n = ++messagesInWindow;
            return n <= limits.maxMessagesPerSecond() ? 0 : n == limits.maxMessagesPerSecond() + 1 ? 1 : 2;
        }

        /**
         * Stored ticks of one channel message, in order: each dropped if not newer than what this client was given
         * of its key, else queued conflated. One lock and at most one hand-over to the event loop for all of them.
         */
        synchronized void ticks(List<Pushed> ticks) {
            boolean queued = false;
            for (Pushed t : ticks) {
                if (!keys.contains(t.key())) {
                    // Unsubscribed since the hub looked it up.
                    continue;
                }
                if (awaitingSnapshot.contains(t.key())) {
                    // Its snapshot is being read: held (the newest of each kind) until the snapshot is queued.
                    early.merge(t.guard(), t, (old, neu) -> newer(neu, old.sequence(), old.receivedAt()) ? neu : old);
                    continue;
                }
                long[] last = given.get(t.guard());
                if (last != null && !newer(t, last[0], last[1])) {
                    ticksRefused.increment();
                    continue;
                }
                if (last == null) {
                    given.put(t.guard(), new long[] { t.sequence(), t.receivedAt() });
                } else {
                    last[0] = t.sequence();
                    last[1] = t.receivedAt();
                }
                queued |= put(t.key(), t.message());
            }
            if (queued) {
                schedule();
            }
        }

        /**
         * The store's rule; a tick Redis stored as a reset passes if received after the one given (a reset is a new
         * tick: an old line marked as one is not).
         */
        private boolean newer(Pushed t, long sequence, long receivedAt) {
            return t.reset() ? t.receivedAt() >= receivedAt
                    : NewestWins.judge(t.sequence(), t.receivedAt(), sequence, receivedAt, resetAfterMillis).stores();
        }

        /** A consolidated best, conflated by symbol. */
        synchronized void best(String symbol, String message) {
            queue("best:" + symbol, message);
        }

        /** A heartbeat: one at most waits unread. */
        synchronized void heartbeat(String message) {
            queue("heartbeat", message);
        }

        /**
         * A reply (snapshot, error, pong, heartbeat), in order after what is queued. False when the client has left
         * too many unread: it is closed.
         */
        synchronized boolean reply(String message) {
            if (message == null) {
                return true;
            }
            if (unreadReplies >= MAX_UNREAD_REPLIES) {
                return false;
            }
            unreadReplies++;
            queue("#" + (replyNumber++), message);
            return true;
        }

        /**
         * The snapshot: what it holds of a key becomes what this client was given, and a queued tick of that key not
         * newer than it goes, so the client never sees a key go back after its snapshot.
         */
        synchronized boolean snapshot(Set<String> keys, Map<String, long[]> seeds, String message) {
            // Seeds by guard (key and stream kind); a queued tick of a seeded key goes: the snapshot holds its newest.
            seeds.forEach((guard, seed) -> {
                long[] last = given.get(guard);
                if (last == null || NewestWins.judge(seed[0], seed[1], last[0], last[1], resetAfterMillis).stores()) {
                    given.put(guard, seed);
                    pending.remove(guard.substring(0, guard.lastIndexOf('@')));
                }
            });
            boolean taken = reply(message);
            // What came while the snapshot was read follows it, if newer than what it holds.
            keys.forEach(awaitingSnapshot::remove);
            List<Pushed> after = new ArrayList<>();
            for (var it = early.entrySet().iterator(); it.hasNext();) {
                Pushed t = it.next().getValue();
                if (keys.contains(t.key())) {
                    after.add(t);
                    it.remove();
                }
            }
            if (taken && !after.isEmpty()) {
                ticks(after);
            }
            return taken;
        }

        /** Ticks of these keys wait (the newest of each) until their snapshot is queued: the snapshot comes first. */
        synchronized void awaitSnapshot(Set<String> keys) {
            awaitingSnapshot.addAll(keys);
        }

        /** A snapshot that could not be sent: what waited for it goes as ticks would have. */
        synchronized void snapshotFailed(Set<String> keys) {
            snapshot(keys, Map.of(), null);
        }

        /** Unsubscribed keys: nothing more of them, queued ones included. */
        synchronized void forget(Set<String> gone) {
            gone.forEach(pending::remove);
        }

        private void queue(String key, String message) {
            if (put(key, message)) {
                schedule();
            }
        }

        /** Into the queue, replacing an unread one of the key; false once the client is closed. */
        private boolean put(String key, String message) {
            if (closed) {
                return false;
            }
            if (pending.remove(key) != null) {
                conflated.increment();
            }
            pending.put(key, message);
            return true;
        }

        private void schedule() {
            if (!flushing) {
                flushing = true;
                context.runOnContext(v -> flush());
            }
        }

        /**
         * On the socket's event loop: writes what is pending while the socket takes it, up to {@link #FLUSH_CHUNK}
         * messages a lock (the socket's queue may overshoot its mark by that much, some 64 KB).
         */
        void flush() {
            List<String> out = new ArrayList<>(FLUSH_CHUNK);
            while (true) {
                out.clear();
                synchronized (this) {
                    if (pending.isEmpty() || closed) {
                        flushing = false;
                        fullSince = 0;
                        return;
                    }
                    if (socket.writeQueueFull()) {
                        if (fullSince == 0) {
                            fullSince = System.currentTimeMillis();
                        }
                        socket.drainHandler(v -> flush());
                        return;
                    }
                    var it = pending.entrySet().iterator();
                    while (it.hasNext() && out.size() < FLUSH_CHUNK) {
                        var next = it.next();
                        if (next.getKey().startsWith("#")) {
                            unreadReplies--;
                        }
                        out.add(next.getValue());
                        it.remove();
                    }
                }
                for (String message : out) {
                    socket.writeTextMessage(message);
                }
                sent.increment(out.size());
            }
        }

        /**
         * Not reading: its socket has refused writes for the client timeout, or a WebSocket ping sent that long ago is
         * unanswered. The ping is what tells: a client that stops reading leaves the kernel's buffers to fill for
         * minutes at a quiet symbol's pace, but it answers no ping, which every WebSocket stack does as it reads.
         */
        synchronized boolean tooSlow(long now) {
            return (fullSince != 0 && now - fullSince > limits.clientTimeoutMillis())
                    || (pingSentAt != 0 && now - pingSentAt > limits.clientTimeoutMillis());
        }

        /** A WebSocket ping, unless one is unanswered: one outstanding at a time. */
        synchronized void ping(long now) {
            if (pingSentAt == 0 && !closed) {
                pingSentAt = now;
                socket.writePing(io.vertx.core.buffer.Buffer.buffer("p"));
            }
        }

        synchronized void pong() {
            pingSentAt = 0;
        }

        synchronized void closed() {
            closed = true;
            pending.clear();
        }

        synchronized boolean isClosed() {
            return closed;
        }
    }

    /**
     * @param redis                  the pooled connections: the listening key
     * @param subscriptionConnection a new connection of its own for the subscription, with a read timeout (a
     *                               subscription that stops hearing from Redis is found and opened again)
     * @param channel                where this Redis's writers publish ({@link #channel(int)})
     */
    public TickStream(RedisConnectionFactory redis, java.util.function.Supplier<Jedis> subscriptionConnection, String channel,
            TickerReader reader, MockTickerEnricher mocks, BestPrice best, Limits limits, long resetAfterMillis, MeterRegistry registry) {
        this.redis = redis;
        this.subscriptionConnection = subscriptionConnection;
        this.channel = channel;
        this.reader = reader;
        this.mocks = mocks;
        this.best = best;
        this.limits = limits;
        this.resetAfterMillis = resetAfterMillis;
        Gauge.builder("marketdata.stream.clients", clients, List::size)
                .description("Push API clients connected").register(registry);
        Gauge.builder("marketdata.stream.subscriptions", this, TickStream::subscriptionCount)
                .description("Push API subscriptions ((exchange, symbol) and best), over every client").register(registry);
        sent = Counter.builder("marketdata.stream.messages.sent")
                .description("Messages written to push API clients (snapshots, ticks, bests, replies)").register(registry);
        conflated = Counter.builder("marketdata.stream.conflated")
                .description("Ticks or bests replaced by a newer one of the same key before a slow client read them").register(registry);
        ticksReceived = Counter.builder("marketdata.stream.ticks.received")
                .description("Stored ticks received from Redis for the push API (every gateway's)").register(registry);
        ticksRefused = Counter.builder("marketdata.stream.ticks.older")
                .description("Ticks not pushed to a client because it was given a newer one of the key").register(registry);
        for (String reason : List.of("slow", "unread_replies", "flood", "refused")) {
            dropped.put(reason, Counter.builder("marketdata.stream.clients.dropped")
                    .tag("reason", reason)
                    .description("Clients closed (slow: not reading; unread_replies: sending without reading; flood: pinging too fast) "
                            + "or refused at the upgrade")
                    .register(registry));
        }
    }

    /**
     * Why an upgrade to the stream is refused (a missing or wrong API key, an origin not allowed, the clients at
     * their limit), or null: checked before the WebSocket opens, answered with the API's error envelope.
     */
    public ApiException refusal(io.vertx.core.http.HttpServerRequest request) {
        if (!limits.apiKeys().isEmpty()) {
            String key = request.getHeader("X-API-Key");
            if (key == null) {
                key = request.getParam("api_key");
            }
            if (key == null || !knownKey(key)) {
                dropped.get("refused").increment();
                return new ApiException(401, "UNAUTHORIZED", "a valid API key is required (X-API-Key header or api_key parameter)");
            }
        }
        String origin = request.getHeader("Origin");
        if (origin != null && !limits.allowedOrigins().isEmpty()
                && !limits.allowedOrigins().contains(origin.toLowerCase(java.util.Locale.ROOT))) {
            dropped.get("refused").increment();
            return new ApiException(403, "ORIGIN_NOT_ALLOWED", "this origin may not open the stream");
        }
        if (clients.size() >= limits.maxClients()) {
            dropped.get("refused").increment();
            return new ApiException(503, "TOO_MANY_CLIENTS", "the stream has its " + limits.maxClients() + " clients");
        }
        return null;
    }

    /** Compared in constant time, so the time a refusal takes tells nothing of a key. */
    private boolean knownKey(String key) {
        byte[] given = key.getBytes(StandardCharsets.UTF_8);
        boolean found = false;
        for (String k : limits.apiKeys()) {
            found |= java.security.MessageDigest.isEqual(given, k.getBytes(StandardCharsets.UTF_8));
        }
        return found;
    }

    /** For health: clients, subscriptions, the Redis subscription's state and the counts. */
    public Map<String, Object> healthDetails() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("clients", clients.size());
        out.put("subscriptions", subscriptionCount());
        out.put("redis_subscribed", isRedisSubscribed());
        out.put("messages_sent", (long) sent.count());
        out.put("conflated", (long) conflated.count());
        out.put("dropped_slow", (long) (dropped.get("slow").count() + dropped.get("unread_replies").count()
                + dropped.get("flood").count()));
        return out;
    }

    private int subscriptionCount() {
        int n = 0;
        for (Client c : clients) {
            n += c.keys.size() + c.bests.size();
        }
        return n;
    }

    /** A new client on the REST port's {@code /api/v1/stream}. */
    /**
     * @param hardClose closes the TCP connection at once: a client that does not read would hold its close frame,
     *                  and with it the connection and what is queued for it, until Vert.x's closing timeout
     */
    public void accept(ServerWebSocket socket, Runnable hardClose) {
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        Client client = new Client(socket, context, hardClose);
        clients.add(client);
        socket.textMessageHandler(text -> receive(client, text));
        socket.binaryMessageHandler(b -> receive(client, null));
        socket.pongHandler(data -> client.pong());
        // Vert.x answers every ping itself, before any handler sees it: a client flooding pings and reading nothing
        // makes the gateway queue pongs for it. Pings count against the message rate; a client over it is closed at
        // once (within the rate, a client that does not read is found by its unanswered pings).
        socket.frameHandler(frame -> {
            if (frame.type() == io.vertx.core.http.WebSocketFrameType.PING && client.rate(System.currentTimeMillis()) != 0) {
                drop(client, "flood", "pings faster than stream.max-messages-per-second");
            }
        });
        long period = Math.max(50, Math.min(1_000, Math.min(limits.heartbeatMillis(), limits.clientTimeoutMillis() / 2)));
        long timer = context.owner().setPeriodic(period, id -> {
            long now = System.currentTimeMillis();
            if (client.tooSlow(now)) {
                drop(client, "slow", "client too slow: not reading");
                return;
            }
            client.ping(now);
            if (now - client.lastHeartbeat >= limits.heartbeatMillis()) {
                client.lastHeartbeat = now;
                client.heartbeat("{\"op\":\"heartbeat\",\"timestamp\":" + now + "}");
            }
        });
        socket.closeHandler(v -> {
            context.owner().cancelTimer(timer);
            leave(client);
        });
    }

    /**
     * Gone from the hub at once; its close frame waits behind what it did not read, and Vert.x cuts the
     * connection after its closing timeout if the client never reads it.
     */
    private void drop(Client client, String reason, String closeReason) {
        if (leave(client)) {
            dropped.get(reason).increment();
            LOG.info("Push API client {} closed: {}", client.socket.remoteAddress(), closeReason);
            client.socket.close((short) 1008, closeReason);
            // The close frame waits behind what the client did not read; the connection goes in a second anyway.
            client.context.owner().setTimer(1_000, id -> {
                if (!client.socket.isClosed()) {
                    client.hardClose.run();
                }
            });
        }
    }

    private boolean leave(Client client) {
        client.closed();
        client.keys.forEach(key -> unfollow(byKey, key, client));
        client.bests.keySet().forEach(symbol -> unfollow(byBest, symbol, client));
        return clients.remove(client);
    }

    private static void unfollow(Map<String, Set<Client>> index, String key, Client client) {
        index.computeIfPresent(key, (k, set) -> {
            set.remove(client);
            return set.isEmpty() ? null : set;
        });
    }

    private static void follow(Map<String, Set<Client>> index, String key, Client client) {
        index.compute(key, (k, set) -> {
            Set<Client> s = set == null ? ConcurrentHashMap.newKeySet() : set;
            s.add(client);
            return s;
        });
    }

    /**
     * On the event loop: the rate is judged here, so a flood costs nothing more; what is within it is handled on a
     * worker (it reads Redis), in the order the client sent it.
     */
    private void receive(Client client, String text) {
        int rate = client.rate(System.currentTimeMillis());
        if (rate != 0) {
            // Told once a second; what comes after is dropped unanswered, so a flood costs no replies.
            if (rate == 1) {
                error(client, "RATE_LIMITED", "at most " + limits.maxMessagesPerSecond() + " messages a second");
            }
            return;
        }
        client.context.executeBlocking(() -> {
            try {
                handle(client, text);
            } catch (RuntimeException e) {
                LOG.warn("Push API: a client message failed: {}", e.toString());
                error(client, "INTERNAL_ERROR", "the message could not be handled");
            }
            return null;
        }, true);
    }

    private void handle(Client client, String text) {
        if (text == null) {
            error(client, "INVALID_MESSAGE", "messages are JSON text, not binary");
            return;
        }
        if (text.length() > MAX_MESSAGE_CHARS) {
            error(client, "MESSAGE_TOO_LARGE", "a message is at most " + MAX_MESSAGE_CHARS + " characters");
            return;
        }
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (Exception e) {
            error(client, "INVALID_MESSAGE", "not JSON");
            return;
        }
        String op = root == null || !root.isObject() ? "" : root.path("op").asText("");
        switch (op) {
            case "ping" -> reply(client, "{\"op\":\"pong\",\"timestamp\":" + System.currentTimeMillis() + "}");
            case "subscribe", "unsubscribe" -> subscribe(client, root, op.equals("subscribe"));
            default -> error(client, "INVALID_MESSAGE", "op must be subscribe, unsubscribe or ping");
        }
    }

    private void subscribe(Client client, JsonNode root, boolean subscribe) {
        if (client.isClosed()) {
            return;
        }
        JsonNode symbols = root.path("symbols");
        JsonNode bestSymbols = root.path("best");
        JsonNode exchangeNames = root.path("exchanges");
        if ((!symbols.isMissingNode() && !symbols.isArray()) || (!bestSymbols.isMissingNode() && !bestSymbols.isArray())
                || (!exchangeNames.isMissingNode() && !exchangeNames.isArray()) || (!symbols.isArray() && !bestSymbols.isArray())) {
            error(client, "INVALID_MESSAGE", "symbols, best and exchanges are arrays of strings; symbols or best is required");
            return;
        }
        if (symbols.size() + bestSymbols.size() == 0) {
            error(client, "INVALID_MESSAGE", "symbols or best must name at least one symbol");
            return;
        }
        // Every name is checked before anything changes: a bad one refuses the whole message.
        List<String> exchanges = new ArrayList<>();
        Set<String> keys = new LinkedHashSet<>();
        Set<String> bestNames = new LinkedHashSet<>();
        try {
            for (JsonNode e : exchangeNames) {
                exchanges.add(reader.exchange(text(e)));
            }
            for (JsonNode symbol : symbols) {
                if (exchanges.isEmpty()) {
                    keys.addAll(reader.keysOf(text(symbol), null));
                } else {
                    for (String exchange : exchanges) {
                        keys.addAll(reader.keysOf(text(symbol), exchange));
                    }
                }
            }
            for (JsonNode symbol : bestSymbols) {
                bestNames.add(reader.instrument(reader.keysOf(text(symbol), null).get(0)).normalized());
            }
        } catch (ApiException e) {
            error(client, e.code(), e.getMessage());
            return;
        }
        if (!subscribe) {
            client.keys.removeAll(keys);
            keys.forEach(key -> unfollow(byKey, key, client));
            bestNames.forEach(name -> {
                client.bests.remove(name);
                unfollow(byBest, name, client);
            });
            client.forget(keys);
            client.forget(bestNames.stream().map(n -> "best:" + n).collect(java.util.stream.Collectors.toSet()));
            reply(client, unsubscribed(keys, bestNames));
            return;
        }
        Set<String> after = new java.util.HashSet<>(client.keys);
        after.addAll(keys);
        Set<String> afterBests = new java.util.HashSet<>(client.bests.keySet());
        afterBests.addAll(bestNames);
        if (after.size() + afterBests.size() > limits.maxSubscriptionsPerClient()) {
            error(client, "TOO_MANY_SUBSCRIPTIONS", "at most " + limits.maxSubscriptionsPerClient() + " subscriptions a client");
            return;
        }
        // Writers publish only while some gateway says it listens; said before the snapshot is read, so a tick
        // stored after the snapshot was read is published.
        announce();
        if (!keys.isEmpty()) {
            // Followed before the snapshot is read: a tick stored in between is either in the snapshot or after it.
            client.awaitSnapshot(keys);
            client.keys.addAll(keys);
            keys.forEach(key -> follow(byKey, key, client));
            TickerLookup lookup;
            try {
                lookup = reader.readKeys(List.copyOf(keys));
            } catch (RuntimeException e) {
                client.snapshotFailed(keys);
                throw e;
            }
            mocks.mockEntries(lookup).forEach(lookup::put);
            Map<String, long[]> seeds = new HashMap<>();
            int i = 0;
            List<Object> entries = lookup.entries();
            for (String key : keys) {
                if (entries.get(i++) instanceof TickerLookup.RawEntry raw) {
                    try {
                        MarketTick tick = TickJson.read(raw.json());
                        seeds.put(guardKey(key, tick.stream()), new long[] { tick.sequence(), tick.receivedAt() });
                    } catch (RuntimeException e) {
                        // Not a tick (a last-known entry of an earlier version): nothing to order by.
                    }
                }
            }
            try {
                if (!client.snapshot(keys, seeds, "{\"op\":\"snapshot\",\"data\":" + JSON.writeValueAsString(entries) + "}")) {
                    drop(client, "unread_replies", "too many unread replies");
                    return;
                }
            } catch (Exception e) {
                client.snapshotFailed(keys);
                error(client, "INTERNAL_ERROR", "the snapshot could not be written");
            }
        }
        for (String name : bestNames) {
            client.bests.put(name, "");
            follow(byBest, name, client);
            bestsChanged.add(name);
        }
        if (client.isClosed()) {
            // It closed while this ran on a worker: its close already left the hub, so what was followed here goes now.
            client.keys.forEach(key -> unfollow(byKey, key, client));
            client.bests.keySet().forEach(name -> unfollow(byBest, name, client));
        }
    }

    private static String text(JsonNode node) {
        if (!node.isTextual()) {
            throw new ApiException(400, "INVALID_MESSAGE", "symbols, best and exchanges are arrays of strings");
        }
        return node.textValue();
    }

    /**
     * Keys this gateway no longer follows (a live change): the clients following them are told, as if they had
     * unsubscribed, with the reason; nothing more of them is pushed.
     */
    public void forget(Set<String> removedKeys) {
        for (String key : removedKeys) {
            Set<Client> following = byKey.remove(key);
            if (following == null) {
                continue;
            }
            String message = "{\"op\":\"unsubscribed\",\"data\":[{\"exchange\":" + quoted(MarketTick.exchangeOfKey(key))
                    + ",\"symbol\":" + quoted(MarketTick.symbolOfKey(key)) + "}],\"best\":[],\"reason\":\"no longer followed by this gateway\"}";
            for (Client client : following) {
                client.keys.remove(key);
                client.forget(Set.of(key));
                reply(client, message);
            }
        }
    }

    private static String quoted(String text) {
        try {
            return JSON.writeValueAsString(text);
        } catch (Exception e) {
            return "\"\"";
        }
    }

    private String unsubscribed(Set<String> keys, Set<String> bestNames) {
        List<Map<String, String>> data = new ArrayList<>();
        for (String key : keys) {
            Instrument i = reader.instrument(key);
            Map<String, String> entry = new LinkedHashMap<>();
            entry.put("exchange", i.venue().id());
            entry.put("symbol", i.symbol());
            data.add(entry);
        }
        try {
            return "{\"op\":\"unsubscribed\",\"data\":" + JSON.writeValueAsString(data) + ",\"best\":"
                    + JSON.writeValueAsString(bestNames) + "}";
        } catch (Exception e) {
            return "{\"op\":\"unsubscribed\"}";
        }
    }

    private void reply(Client client, String message) {
        if (!client.reply(message)) {
            drop(client, "unread_replies", "too many unread replies");
        }
    }

    private void error(Client client, String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("op", "error");
        envelope.put("success", false);
        envelope.put("error", error);
        envelope.put("timestamp", System.currentTimeMillis());
        try {
            reply(client, JSON.writeValueAsString(envelope));
        } catch (Exception e) {
            client.socket.close((short) 1011, "internal error");
        }
    }

    /**
     * Ticks stored by any gateway: each to every client following its key, as the REST entry with its age. A line
     * is pushed only when its JSON is a tick of its key that passes the check REST applies, and its sequence and
     * receive time are the tick's own: the channel is as open to a poisoned Redis as the keys are.
     */
    void handle(byte[] body) {
        if (byKey.isEmpty() && byBest.isEmpty()) {
            // Counted all the same (one line a tick), so that the meter shows the subscription alive.
            long lines = 1;
            for (byte b : body) {
                if (b == '\n') {
                    lines++;
                }
            }
            ticksReceived.increment(lines);
            return;
        }
        int[] malformed = new int[1];
        List<TickUpdates.Update> updates = TickUpdates.decode(body, malformed);
        if (malformed[0] > 0) {
            LOG.debug("{} line(s) on {} that are not stored ticks, skipped", malformed[0], channel);
        }
        long now = System.currentTimeMillis();
        ticksReceived.increment(updates.size());
        Map<Client, List<Pushed>> perClient = new HashMap<>();
        for (TickUpdates.Update u : updates) {
            Set<Client> following = byKey.get(u.key());
            if (following != null && !following.isEmpty()) {
                Pushed tick = pushed(u, now);
                if (tick != null) {
                    for (Client client : following) {
                        perClient.computeIfAbsent(client, c -> new ArrayList<>()).add(tick);
                    }
                }
            }
            if (!byBest.isEmpty()) {
                try {
                    String normalized = reader.instrument(u.key()).normalized();
                    if (byBest.containsKey(normalized)) {
                        bestsChanged.add(normalized);
                    }
                } catch (RuntimeException e) {
                    // A key this gateway cannot name: no consolidated symbol of its own.
                }
            }
        }
        perClient.forEach(Client::ticks);
    }

    private Pushed pushed(TickUpdates.Update u, long now) {
        MarketTick tick;
        try {
            tick = TickJson.read(u.json());
            if (!tick.key().equals(u.key()) || tick.sequence() != u.sequence() || tick.receivedAt() != u.receivedAt()) {
                return null;
            }
        } catch (RuntimeException e) {
            return null;
        }
        TickerLookup.RawEntry entry = reader.pushed(u.key(), u.json(), now);
        return entry == null ? null : new Pushed(u.key(), guardKey(u.key(), tick.stream()), u.sequence(), u.receivedAt(), u.reset(),
                "{\"op\":\"tick\",\"data\":" + entry.json() + "}");
    }

    /** Ticks are ordered per key and stream kind, as Redis's guard orders them: a ticker's order is not a book top's. */
    private static String guardKey(String key, dev.marketdata.model.StreamKind kind) {
        return key + "@" + (kind == null ? "" : kind.configName());
    }

    /** Tells every writer on this Redis that a push API here has clients following something: publish. */
    private void announce() {
        try (RedisConnection connection = redis.getConnection()) {
            connection.stringCommands().set(LISTENING, ONE, org.springframework.data.redis.core.types.Expiration.seconds(LISTENING_SECONDS),
                    org.springframework.data.redis.connection.RedisStringCommands.SetOption.upsert());
        } catch (RuntimeException e) {
            LOG.debug("Push API: could not announce listening: {}", e.toString());
        }
    }

    /** The consolidated bests of symbols that ticked, to their followers whose best bid or ask changed. */
    private void sendBests() {
        for (String symbol : List.copyOf(bestsChanged)) {
            bestsChanged.remove(symbol);
            Set<Client> following = byBest.get(symbol);
            if (following == null || following.isEmpty()) {
                continue;
            }
            Map<String, Object> now;
            String message;
            try {
                now = best.compute(symbol);
                message = "{\"op\":\"best\",\"data\":" + JSON.writeValueAsString(now) + "}";
            } catch (Exception e) {
                LOG.debug("best of {} not worked out: {}", symbol, e.toString());
                continue;
            }
            String signature = signature(now);
            for (Client client : following) {
                String last = client.bests.get(symbol);
                if (last != null && !signature.equals(last)) {
                    client.bests.put(symbol, signature);
                    client.best(symbol, message);
                }
            }
        }
    }

    /** What a best message changes on: the venue and price of each side. */
    @SuppressWarnings("unchecked")
    private static String signature(Map<String, Object> best) {
        Map<String, Object> bid = (Map<String, Object>) best.get("bid");
        Map<String, Object> ask = (Map<String, Object>) best.get("ask");
        return (bid == null ? "-" : bid.get("exchange") + "@" + bid.get("price")) + "/"
                + (ask == null ? "-" : ask.get("exchange") + "@" + ask.get("price"));
    }

    @Override
    protected void doStart() {
        running = true;
        subscriber = new Thread(this::subscribeLoop, "tick-stream-redis");
        subscriber.setDaemon(true);
        subscriber.start();
        bests = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tick-stream-best");
            t.setDaemon(true);
            return t;
        });
        bests.scheduleWithFixedDelay(() -> {
            try {
                sendBests();
            } catch (RuntimeException e) {
                LOG.warn("Push API: sending bests failed: {}", e.toString());
            }
        }, BEST_INTERVAL_MILLIS, BEST_INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
        bests.scheduleWithFixedDelay(() -> {
            if (!byKey.isEmpty() || !byBest.isEmpty()) {
                announce();
            }
        }, 1, 1, TimeUnit.SECONDS);
        bests.scheduleWithFixedDelay(this::pingSubscription, SUBSCRIPTION_READ_TIMEOUT_MILLIS / 3,
                SUBSCRIPTION_READ_TIMEOUT_MILLIS / 3, TimeUnit.MILLISECONDS);
    }

    /**
     * One subscription, held until the stop, on a connection of its own: a failed SUBSCRIBE (a Redis user without
     * the channel) must not leave a pooled connection in a state the writer then stumbles on. The connection has a
     * read timeout and is pinged at a third of it, so a connection that went silent (a dead peer, a dropped NAT
     * entry) is found within the timeout and opened again. After a failure, again with a growing pause. Ticks stored
     * while it is down are not pushed: the next tick of each symbol is, and a client can subscribe again for a
     * snapshot.
     */
    private void subscribeLoop() {
        long[] pause = { 250 };
        boolean[] lost = { false };
        while (running) {
            BinaryJedisPubSub pubSub = new BinaryJedisPubSub() {
                @Override
                public void onMessage(byte[] from, byte[] message) {
                    lastHeard = System.nanoTime();
                    try {
                        handle(message);
                    } catch (RuntimeException e) {
                        LOG.warn("Push API: a channel message failed: {}", e.toString());
                    }
                }

                @Override
                public void onPong(byte[] pattern) {
                    lastHeard = System.nanoTime();
                }

                @Override
                public void onSubscribe(byte[] to, int count) {
                    lastHeard = System.nanoTime();
                    subscribed = true;
                    pause[0] = 250;
                    if (lost[0]) {
                        LOG.info("Push API: subscribed to {} again; ticks stored meanwhile were not pushed", channel);
                        lost[0] = false;
                    }
                }
            };
            subscription = pubSub;
            try (Jedis jedis = subscriptionConnection.get()) {
                subscriptionJedis = jedis;
                jedis.subscribe(pubSub, channel.getBytes(StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                if (running) {
                    // One WARN and one count an outage; the retries go to DEBUG.
                    if (!lost[0]) {
                        subscriptionLosses.incrementAndGet();
                        String message = String.valueOf(e.getMessage());
                        if (message.contains("NOPERM")) {
                            LOG.warn("Push API: the Redis user may not subscribe to {} ({}): the stream gets no ticks; grant the "
                                    + "channel (ACL SETUSER <user> &{}); retrying with backoff up to 5 s", channel, message, channel);
                        } else {
                            LOG.warn("Push API: Redis subscription lost ({}); retrying with backoff up to 5 s", e.getClass().getSimpleName());
                        }
                        lost[0] = true;
                    } else {
                        LOG.debug("Push API: Redis subscription still lost ({}); again in {} ms", e.getClass().getSimpleName(), pause[0]);
                    }
                }
            } finally {
                subscribed = false;
                subscription = null;
                subscriptionJedis = null;
            }
            if (running) {
                LockSupport.parkNanos(pause[0] * 1_000_000L);
                pause[0] = Math.min(pause[0] * 2, 5_000);
            }
        }
    }

    /**
     * Pings the subscription, and closes its connection when Redis has not answered a ping (nor sent anything) for
     * the read timeout: Jedis reads a subscription without a timeout, so a connection gone silent (a dead peer, a
     * dropped NAT entry: no FIN, no RST) would otherwise be waited on for ever. The loop then opens another.
     */
    private void pingSubscription() {
        BinaryJedisPubSub pubSub = subscription;
        Jedis jedis = subscriptionJedis;
        if (pubSub == null || !subscribed) {
            return;
        }
        if (System.nanoTime() - lastHeard > SUBSCRIPTION_READ_TIMEOUT_MILLIS * 1_000_000L) {
            LOG.warn("Push API: nothing heard on the Redis subscription for {} ms; opening it again", SUBSCRIPTION_READ_TIMEOUT_MILLIS);
            if (jedis != null) {
                try {
                    jedis.getConnection().disconnect();
                } catch (RuntimeException e) {
                    LOG.debug("closing the silent subscription: {}", e.toString());
                }
            }
            return;
        }
        try {
            pubSub.ping();
        } catch (RuntimeException e) {
            LOG.debug("Push API: ping on the subscription failed: {}", e.toString());
        }
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        BinaryJedisPubSub pubSub = subscription;
        if (pubSub != null && subscribed) {
            try {
                pubSub.unsubscribe();
            } catch (RuntimeException e) {
                LOG.debug("unsubscribe on stop: {}", e.toString());
            }
        }
        if (subscriber != null) {
            subscriber.join(5_000);
        }
        if (bests != null) {
            bests.shutdownNow();
        }
        for (Client c : clients) {
            leave(c);
            c.socket.close((short) 1001, "gateway stopping");
        }
    }

    // JMX (TickStreamMXBean): read-only figures, and one operation for operators.

    @Override
    public int getClients() {
        return clients.size();
    }

    @Override
    public int getSubscriptions() {
        return subscriptionCount();
    }

    @Override
    public boolean isRedisSubscribed() {
        return subscribed;
    }

    @Override
    public long getMessagesSent() {
        return (long) sent.count();
    }

    @Override
    public long getConflated() {
        return (long) conflated.count();
    }

    @Override
    public long getTicksReceived() {
        return (long) ticksReceived.count();
    }

    @Override
    public long getDroppedSlow() {
        return (long) (dropped.get("slow").count() + dropped.get("unread_replies").count() + dropped.get("flood").count());
    }

    @Override
    public long getRefusedUpgrades() {
        return (long) dropped.get("refused").count();
    }

    @Override
    public long getRedisSubscriptionLosses() {
        return subscriptionLosses.get();
    }

    @Override
    public String getLimits() {
        // The keys themselves are secrets: only whether any is required.
        return "max-clients=" + limits.maxClients() + ", max-subscriptions-per-client=" + limits.maxSubscriptionsPerClient()
                + ", max-messages-per-second=" + limits.maxMessagesPerSecond() + ", client-timeout=" + limits.clientTimeoutMillis()
                + "ms, heartbeat-interval=" + limits.heartbeatMillis() + "ms, api-key-required=" + !limits.apiKeys().isEmpty()
                + ", allowed-origins=" + (limits.allowedOrigins().isEmpty() ? "any" : String.join(",", limits.allowedOrigins()));
    }

    @Override
    public int disconnectClients() {
        int n = 0;
        for (Client c : List.copyOf(clients)) {
            if (leave(c)) {
                n++;
            }
            c.context.runOnContext(v -> c.socket.close((short) 1012, "closed by the operator"));
        }
        LOG.info("Push API: {} client(s) disconnected by the operator", n);
        return n;
    }
}
