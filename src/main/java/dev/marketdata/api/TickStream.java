package dev.marketdata.api;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.model.MarketTick;
import io.vertx.core.http.ServerWebSocket;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.Message;
import org.springframework.data.redis.connection.MessageListener;
import org.springframework.data.redis.connection.RedisConnection;
import org.springframework.data.redis.connection.RedisConnectionFactory;

/**
 * Work in progress (issue 13, branch issue-13-spike): the push API's hub. Every tick any gateway stores is
 * published on {@link #CHANNEL} by the newest-wins script; this hub subscribes (one connection, retried with
 * backoff) and hands each to the clients subscribed to its (exchange, symbol), conflated per client: a client that
 * reads slowly gets the newest tick of each, never a backlog, and one that stops reading is closed after the
 * client timeout. Client messages: {@code subscribe}, {@code unsubscribe}, {@code ping}; the answers a
 * {@code snapshot}, {@code tick}s, {@code pong} and errors in the API's envelope.
 */
public class TickStream extends ServiceSupport implements MessageListener {

    public static final String CHANNEL = "tick:updates";
    public static final String BEAN = "tickStream";
    private static final Logger LOG = LoggerFactory.getLogger(TickStream.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_MESSAGE_CHARS = 4_096;

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
    private final long clientTimeoutMillis;
    private final io.micrometer.core.instrument.Counter sent;
    private final io.micrometer.core.instrument.Counter conflated;
    private final Map<String, io.micrometer.core.instrument.Counter> dropped = new ConcurrentHashMap<>();
    private final List<Client> clients = new CopyOnWriteArrayList<>();
    private volatile boolean running;
    private volatile RedisConnection subscription;
    private Thread subscriber;

    /** One WebSocket client: what it follows, and the newest tick of each not yet written to it. */
    final class Client {
        final ServerWebSocket socket;
        /** The socket's event loop (the one accept ran on): all writes happen there. */
        final io.vertx.core.Context context;
        final Set<String> keys = ConcurrentHashMap.newKeySet();
        /** Consolidated symbols followed, with the best bid and ask last sent for each ("" before the first). */
        final Map<String, String> bests = new ConcurrentHashMap<>();
        private final LinkedHashMap<String, String> pending = new LinkedHashMap<>();
        private boolean flushing;
        private long fullSince;
        volatile long lastHeartbeat = System.currentTimeMillis();

        Client(ServerWebSocket socket, io.vertx.core.Context context) {
            this.socket = socket;
            this.context = context;
        }

        private long windowStart;
        private int messagesInWindow;

        /** Whether one more message from the client is within its rate, this second. */
        synchronized boolean withinRate(long now) {
            if (now - windowStart >= 1_000) {
                windowStart = now;
                messagesInWindow = 0;
            }
            return ++messagesInWindow <= limits.maxMessagesPerSecond();
        }

        /** The newest tick of a key replaces an older one still pending: conflated, never queued. */
        synchronized void offer(String key, String message) {
            if (pending.remove(key) != null) {
                conflated.increment();
            }
            pending.put(key, message);
            if (!flushing) {
                flushing = true;
                context.runOnContext(v -> flush());
            }
        }

        /** On the socket's event loop: writes what is pending while the socket takes it. */
        void flush() {
            while (true) {
                String next;
                synchronized (this) {
                    if (pending.isEmpty()) {
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
                    String key = pending.keySet().iterator().next();
                    next = pending.remove(key);
                }
                socket.writeTextMessage(next);
                sent.increment();
            }
        }

        synchronized boolean tooSlow(long now) {
            return fullSince != 0 && now - fullSince > clientTimeoutMillis;
        }
    }

    public TickStream(RedisConnectionFactory redis, TickerReader reader, MockTickerEnricher mocks, BestPrice best, Limits limits,
            io.micrometer.core.instrument.MeterRegistry registry) {
        this.redis = redis;
        this.reader = reader;
        this.mocks = mocks;
        this.best = best;
        this.limits = limits;
        this.clientTimeoutMillis = limits.clientTimeoutMillis();
        io.micrometer.core.instrument.Gauge.builder("marketdata.stream.clients", clients, List::size)
                .description("Push API clients connected").register(registry);
        io.micrometer.core.instrument.Gauge.builder("marketdata.stream.subscriptions", clients,
                        c -> c.stream().mapToInt(client -> client.keys.size()).sum())
                .description("Push API subscriptions, over every client").register(registry);
        sent = io.micrometer.core.instrument.Counter.builder("marketdata.stream.messages.sent")
                .description("Messages pushed to clients (snapshots, ticks)").register(registry);
        conflated = io.micrometer.core.instrument.Counter.builder("marketdata.stream.conflated")
                .description("Ticks replaced by a newer one of the same symbol before a slow client read them").register(registry);
        for (String reason : List.of("slow", "refused")) {
            dropped.put(reason, io.micrometer.core.instrument.Counter.builder("marketdata.stream.clients.dropped")
                    .tag("reason", reason).description("Clients closed (slow: not reading) or refused at the upgrade")
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
            if (key == null || !limits.apiKeys().contains(key)) {
                dropped.get("refused").increment();
                return new ApiException(401, "UNAUTHORIZED", "an API key is required (X-API-Key header or api_key parameter)");
            }
        }
        String origin = request.getHeader("Origin");
        if (origin != null && !limits.allowedOrigins().isEmpty() && !limits.allowedOrigins().contains(origin)) {
            dropped.get("refused").increment();
            return new ApiException(403, "ORIGIN_NOT_ALLOWED", "this origin may not open the stream");
        }
        if (clients.size() >= limits.maxClients()) {
            dropped.get("refused").increment();
            return new ApiException(503, "TOO_MANY_CLIENTS", "the stream has its " + limits.maxClients() + " clients");
        }
        return null;
    }

    /** For health: clients, subscriptions, and the Redis subscription's state. */
    public Map<String, Object> healthDetails() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("clients", clients.size());
        out.put("subscriptions", clients.stream().mapToInt(c -> c.keys.size() + c.bests.size()).sum());
        out.put("redis_subscribed", subscription != null && subscription.isSubscribed());
        out.put("messages_sent", (long) sent.count());
        out.put("conflated", (long) conflated.count());
        out.put("dropped_slow", (long) dropped.get("slow").count());
        return out;
    }

    /** A new client on the REST port's {@code /api/v1/stream}. */
    public void accept(ServerWebSocket socket) {
        io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
        Client client = new Client(socket, context);
        clients.add(client);
        socket.textMessageHandler(text -> handle(client, text));
        long timer = context.owner().setPeriodic(Math.min(1_000, limits.heartbeatMillis()), id -> {
            long now = System.currentTimeMillis();
            if (client.tooSlow(now)) {
                // Gone from the hub at once: its close frame waits behind what it did not read, and Vert.x cuts the
                // connection after its closing timeout if the client never reads it.
                if (clients.remove(client)) {
                    dropped.get("slow").increment();
                }
                context.owner().cancelTimer(id);
                socket.close((short) 1008, "client too slow: not reading");
            } else if (now - client.lastHeartbeat >= limits.heartbeatMillis()) {
                client.lastHeartbeat = now;
                client.offer("", "{\"op\":\"heartbeat\",\"timestamp\":" + now + "}");
            }
        });
        socket.closeHandler(v -> {
            clients.remove(client);
            context.owner().cancelTimer(timer);
        });
    }

    private void handle(Client client, String text) {
        if (!client.withinRate(System.currentTimeMillis())) {
            error(client, "RATE_LIMITED", "at most " + limits.maxMessagesPerSecond() + " messages a second");
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
        String op = root == null ? "" : root.path("op").asText("");
        switch (op) {
            case "ping" -> client.socket.writeTextMessage("{\"op\":\"pong\",\"timestamp\":" + System.currentTimeMillis() + "}");
            case "subscribe", "unsubscribe" -> subscribe(client, root, op.equals("subscribe"));
            default -> error(client, "INVALID_MESSAGE", "op must be subscribe, unsubscribe or ping");
        }
    }

    private void subscribe(Client client, JsonNode root, boolean subscribe) {
        for (JsonNode symbol : root.path("best")) {
            Map<String, Object> now;
            try {
                now = best.compute(symbol.asText());
            } catch (ApiException e) {
                error(client, e.code(), e.getMessage());
                return;
            }
            String normalized = (String) now.get("symbol");
            if (!subscribe) {
                client.bests.remove(normalized);
            } else {
                client.bests.put(normalized, signature(now));
                writeBest(client, normalized, now);
            }
        }
        if (!root.has("symbols")) {
            return;
        }
        List<String> exchanges = new ArrayList<>();
        root.path("exchanges").forEach(e -> exchanges.add(e.asText()));
        Set<String> keys = new LinkedHashSet<>();
        for (JsonNode symbol : root.path("symbols")) {
            try {
                if (exchanges.isEmpty()) {
                    keys.addAll(reader.keysOf(symbol.asText(), null));
                } else {
                    for (String exchange : exchanges) {
                        keys.addAll(reader.keysOf(symbol.asText(), reader.exchangeFilter("exchange=" + exchange)));
                    }
                }
            } catch (ApiException e) {
                error(client, e.code(), e.getMessage());
                return;
            }
        }
        if (!subscribe) {
            client.keys.removeAll(keys);
            return;
        }
        Set<String> after = new java.util.HashSet<>(client.keys);
        after.addAll(keys);
        if (after.size() > limits.maxSubscriptionsPerClient()) {
            error(client, "TOO_MANY_SUBSCRIPTIONS", "at most " + limits.maxSubscriptionsPerClient() + " subscriptions a client");
            return;
        }
        client.keys.addAll(keys);
        TickerLookup lookup = reader.readKeys(List.copyOf(keys));
        mocks.mockEntries(lookup).forEach(lookup::put);
        try {
            client.socket.writeTextMessage("{\"op\":\"snapshot\",\"data\":" + JSON.writeValueAsString(lookup.entries()) + "}");
        } catch (Exception e) {
            error(client, "INTERNAL_ERROR", "the snapshot could not be written");
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

    private void writeBest(Client client, String normalized, Map<String, Object> now) {
        try {
            client.offer("best:" + normalized, "{\"op\":\"best\",\"data\":" + JSON.writeValueAsString(now) + "}");
        } catch (Exception e) {
            error(client, "INTERNAL_ERROR", "the best price could not be written");
        }
    }

    private static void error(Client client, String code, String message) {
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("code", code);
        error.put("message", message);
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("op", "error");
        envelope.put("success", false);
        envelope.put("error", error);
        try {
            client.socket.writeTextMessage(JSON.writeValueAsString(envelope));
        } catch (Exception e) {
            client.socket.close((short) 1011, "internal error");
        }
    }

    /** A tick stored by any gateway: to every client following its key, as the REST entry with its age. */
    @Override
    public void onMessage(Message message, byte[] pattern) {
        String json = new String(message.getBody(), StandardCharsets.UTF_8);
        JsonNode tick;
        try {
            tick = JSON.readTree(json);
        } catch (Exception e) {
            return;
        }
        String key = MarketTick.key(tick.path("exchange").asText(), tick.path("symbol").asText());
        long now = System.currentTimeMillis();
        pushBest(key);
        String entry = null;
        for (Client client : clients) {
            if (client.keys.contains(key)) {
                if (entry == null) {
                    entry = "{\"op\":\"tick\",\"data\":" + TickerReader.entry(json, tick.path("received_at").asLong(), now, false).json()
                            + "}";
                }
                client.offer(key, entry);
            }
        }
    }

    /** Clients following the consolidated best of the tick's symbol get it when its best bid or ask changed. */
    private void pushBest(String key) {
        String normalized = null;
        Map<String, Object> now = null;
        for (Client client : clients) {
            if (client.bests.isEmpty()) {
                continue;
            }
            if (normalized == null) {
                try {
                    normalized = reader.instrument(key).normalized();
                } catch (RuntimeException e) {
                    return;
                }
            }
            String last = client.bests.get(normalized);
            if (last == null) {
                continue;
            }
            if (now == null) {
                now = best.compute(normalized);
            }
            String signature = signature(now);
            if (!signature.equals(last)) {
                client.bests.put(normalized, signature);
                writeBest(client, normalized, now);
            }
        }
    }

    @Override
    protected void doStart() {
        running = true;
        subscriber = new Thread(this::subscribeLoop, "tick-stream-redis");
        subscriber.setDaemon(true);
        subscriber.start();
    }

    /** One subscription, held until the stop; after a failure, again with a growing pause. */
    private void subscribeLoop() {
        long pause = 250;
        while (running) {
            try (RedisConnection connection = redis.getConnection()) {
                subscription = connection;
                pause = 250;
                connection.subscribe(this, CHANNEL.getBytes(StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                if (running) {
                    LOG.warn("Tick stream: Redis subscription lost ({}); again in {} ms", e.getClass().getSimpleName(), pause);
                    LockSupport.parkNanos(pause * 1_000_000L);
                    pause = Math.min(pause * 2, 5_000);
                }
            }
        }
    }

    @Override
    protected void doStop() throws Exception {
        running = false;
        RedisConnection connection = subscription;
        if (connection != null && connection.getSubscription() != null) {
            connection.getSubscription().unsubscribe();
        }
        if (subscriber != null) {
            subscriber.join(5_000);
        }
        clients.forEach(c -> c.socket.close((short) 1001, "gateway stopping"));
    }
}
