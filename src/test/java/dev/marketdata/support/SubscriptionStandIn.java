package dev.marketdata.support;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.ServerWebSocket;

/**
 * A venue on loopback that takes live subscriptions as the venue does and sends frames only for what each
 * connection is subscribed to: Binance (streams in the URL, then {@code SUBSCRIBE} / {@code UNSUBSCRIBE} with
 * ids, answered {@code {"result":null,"id":n}}) or OKX ({@code {"op":"subscribe","args":[...]}}, answered per
 * argument with an {@code event}). It records every connection and every message a client sends, with when it
 * arrived, and can refuse topics as the venue refuses an unknown one.
 */
public final class SubscriptionStandIn implements AutoCloseable {

    public enum Dialect { BINANCE, OKX }

    /** A message a client sent: which connection, when it arrived (ms), its text. */
    public record Message(int connection, long at, String text) {
    }

    /** One client connection and what it is subscribed to (the venue's topic names). */
    public static final class Conn {
        public final int number;
        public final String uri;
        final ServerWebSocket socket;
        final Set<String> topics = java.util.Collections.synchronizedSet(new LinkedHashSet<>());
        volatile boolean closed;

        Conn(int number, ServerWebSocket socket) {
            this.number = number;
            this.socket = socket;
            this.uri = socket.uri();
        }

        public List<String> topics() {
            synchronized (topics) {
                return List.copyOf(topics);
            }
        }

        public boolean closed() {
            return closed;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Dialect dialect;
    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final List<Conn> conns = new CopyOnWriteArrayList<>();
    public final List<Message> messages = new CopyOnWriteArrayList<>();
    private final AtomicLong sequence = new AtomicLong(1_000);
    private final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger mostOpen = new java.util.concurrent.atomic.AtomicInteger();
    private volatile Predicate<String> refused = t -> false;

    public SubscriptionStandIn(Dialect dialect) throws Exception {
        this(dialect, 0, line -> { });
    }

    /** @param log told of every connection and every message a client sends (for trying it by hand) */
    public SubscriptionStandIn(Dialect dialect, int port, java.util.function.Consumer<String> log) throws Exception {
        this.dialect = dialect;
        // Long enough for a request line of a connection carrying thousands of Binance streams.
        server = vertx.createHttpServer(new HttpServerOptions().setMaxInitialLineLength(70_000)).webSocketHandler(ws -> {
            Conn conn = new Conn(conns.size() + 1, ws);
            int at = conn.uri.indexOf("streams=");
            if (at >= 0) {
                for (String stream : conn.uri.substring(at + "streams=".length()).split("/")) {
                    if (!stream.isEmpty()) {
                        conn.topics.add(stream);
                    }
                }
            }
            conns.add(conn);
            mostOpen.accumulateAndGet(open.incrementAndGet(), Math::max);
            log.accept("connection " + conn.number + " opened: " + (conn.uri.length() > 200 ? conn.uri.substring(0, 200) + "..." : conn.uri));
            ws.closeHandler(v -> {
                open.decrementAndGet();
                conn.closed = true;
                log.accept("connection " + conn.number + " closed");
            });
            ws.textMessageHandler(text -> {
                messages.add(new Message(conn.number, System.currentTimeMillis(), text));
                if (!text.equals("ping")) {
                    log.accept("connection " + conn.number + " sent: " + text);
                }
                if (text.equals("ping")) {
                    ws.writeTextMessage("pong");
                    return;
                }
                answer(conn, text);
            });
        });
        server.listen(port, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    /** Topics (the venue's names) the venue refuses to subscribe, as it refuses one it does not know. */
    public SubscriptionStandIn refuse(Predicate<String> topics) {
        this.refused = topics;
        return this;
    }

    private void answer(Conn conn, String text) {
        JsonNode root;
        try {
            root = JSON.readTree(text);
        } catch (Exception e) {
            return;
        }
        if (dialect == Dialect.BINANCE) {
            String method = root.path("method").asText();
            long id = root.path("id").asLong();
            List<String> params = new ArrayList<>();
            root.path("params").forEach(p -> params.add(p.asText()));
            if (params.stream().anyMatch(refused)) {
                conn.socket.writeTextMessage("{\"code\":2,\"msg\":\"Invalid request: unknown stream\",\"id\":" + id + "}");
                return;
            }
            if (method.equals("SUBSCRIBE")) {
                conn.topics.addAll(params);
            } else if (method.equals("UNSUBSCRIBE")) {
                params.forEach(conn.topics::remove);
            }
            conn.socket.writeTextMessage("{\"result\":null,\"id\":" + id + "}");
            return;
        }
        String op = root.path("op").asText();
        for (JsonNode arg : root.path("args")) {
            String topic = arg.path("channel").asText() + ":" + arg.path("instId").asText();
            if (op.equals("subscribe") && refused.test(topic)) {
                conn.socket.writeTextMessage("{\"event\":\"error\",\"code\":\"60018\",\"msg\":\"Wrong URL or channel:"
                        + arg.path("channel").asText() + ",instId:" + arg.path("instId").asText() + " doesn't exist.\",\"connId\":\"s\"}");
                continue;
            }
            if (op.equals("subscribe")) {
                conn.topics.add(topic);
            } else if (op.equals("unsubscribe")) {
                conn.topics.remove(topic);
            }
            conn.socket.writeTextMessage("{\"event\":\"" + op + "\",\"arg\":" + arg + ",\"connId\":\"s\"}");
        }
    }

    /**
     * One frame for each subscribed topic of every open connection whose topic the filter takes, each with a
     * higher sequence than any before; returns once they are written.
     */
    public void sendRound(Predicate<String> which) throws Exception {
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (Conn conn : conns) {
            if (conn.closed) {
                continue;
            }
            CompletableFuture<Void> f = new CompletableFuture<>();
            vertx.runOnContext(v -> {
                try {
                    for (String topic : conn.topics()) {
                        if (which.test(topic)) {
                            conn.socket.writeTextMessage(frame(topic, sequence.incrementAndGet()));
                        }
                    }
                } catch (RuntimeException e) {
                    // The client went away between the check and the write (a killed gateway): nothing to send to.
                } finally {
                    f.complete(null);
                }
            });
            done.add(f);
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }

    /** The sequence of the last frame sent. */
    public long lastSequence() {
        return sequence.get();
    }

    private String frame(String topic, long seq) {
        if (dialect == Dialect.BINANCE) {
            String symbol = topic.substring(0, topic.indexOf('@')).toUpperCase(Locale.ROOT);
            return Frames.bookTicker(symbol, seq, "10.00");
        }
        String instId = topic.substring(topic.indexOf(':') + 1);
        return "{\"arg\":{\"channel\":\"bbo-tbt\",\"instId\":\"" + instId + "\"},\"data\":[{\"asks\":[[\"10.02\",\"2\",\"0\",\"1\"]],"
                + "\"bids\":[[\"10.00\",\"1\",\"0\",\"1\"]],\"ts\":\"" + System.currentTimeMillis() + "\",\"seqId\":" + seq + "}]}";
    }

    public String url(String path) {
        return "ws://127.0.0.1:" + server.actualPort() + path;
    }

    /** Connections open now. */
    public int openConnections() {
        return open.get();
    }

    /** The most connections that were open at once (counted on the server's event loop, in order of events). */
    public int mostOpenAtOnce() {
        return mostOpen.get();
    }

    public List<Conn> connections() {
        return List.copyOf(conns);
    }

    /** Messages a connection sent that are not keep-alives. */
    public List<Message> requests(int connection) {
        return messages.stream().filter(m -> m.connection() == connection && !m.text().equals("ping")).toList();
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
