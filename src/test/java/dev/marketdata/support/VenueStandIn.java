package dev.marketdata.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;

/**
 * A venue's WebSocket server on loopback, inside the test JVM, that holds its clients to the venue's
 * keep-alive rules: it records every text message a client sends, and drops a client that has not sent the
 * required keep-alive text for a while (OKX, Bybit) or has not answered its gzip {@code {"ping":n}} with
 * {@code {"pong":n}} in time (HTX).
 */
public final class VenueStandIn implements AutoCloseable {

    /** One client connection: its request target, and the text messages it sent, in order. */
    public static final class Client {
        final ServerWebSocket socket;
        public final String uri;
        public final List<String> received = new CopyOnWriteArrayList<>();
        volatile long lastKeepAlive = System.currentTimeMillis();
        volatile long pingSent;
        volatile long pingOutstanding = -1;
        volatile String droppedFor;
        int subscriptions;

        Client(ServerWebSocket socket) {
            this.socket = socket;
            this.uri = socket.uri();
        }

        public String droppedFor() {
            return droppedFor;
        }
    }

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final List<Client> clients = new CopyOnWriteArrayList<>();
    private final AtomicInteger connections = new AtomicInteger();
    /** Why each dropped client was dropped, in order. */
    public final List<String> drops = new CopyOnWriteArrayList<>();
    /** One frame of a recording to send: its text, and whether the venue sends it gzip-compressed as binary. */
    public record Frame(String text, boolean binary) {
    }

    private volatile java.util.function.Predicate<String> subscriptionRule;
    private volatile String subscriptionRuleName;
    private volatile java.util.function.Function<String, List<Frame>> replay;
    private volatile int slowRejected;
    private volatile long slowRejectMillis;
    private volatile String keepAliveText;
    private volatile long keepAliveWithin;
    private volatile long htxPingEvery;
    private volatile long htxPongWithin;

    public VenueStandIn() throws Exception {
        server = vertx.createHttpServer().webSocketHandler(ws -> {
            int number = connections.incrementAndGet();
            if (number == slowRejected) {
                // The handshake of this connection hangs, then fails: a venue that stops accepting mid-switch.
                io.vertx.core.Promise<Integer> handshake = io.vertx.core.Promise.promise();
                ws.setHandshake(handshake.future());
                vertx.setTimer(slowRejectMillis, id -> handshake.complete(503));
                return;
            }
            Client client = new Client(ws);
            clients.add(client);
            ws.textMessageHandler(text -> {
                client.received.add(text);
                if (text.equals(keepAliveText) || text.startsWith("{\"pong\":")) {
                    // Keep-alive traffic, not a subscription.
                } else if (subscriptionRule != null && !subscriptionRule.test(text)) {
                    drop(client, "subscription breaks the venue's rules (" + subscriptionRuleName + "): " + text);
                    return;
                } else if (client.subscriptions++ == 0 && replay != null) {
                    // The venue starts sending once subscribed: the recording of this endpoint, in order.
                    for (Frame frame : replay.apply(client.uri)) {
                        if (frame.binary()) {
                            ws.writeBinaryMessage(Buffer.buffer(gzip(frame.text())));
                        } else {
                            ws.writeTextMessage(frame.text());
                        }
                    }
                }
                if (text.equals(keepAliveText)) {
                    client.lastKeepAlive = System.currentTimeMillis();
                }
                // Answered as the venues answer them: OKX with the text pong, Bybit with its pong reply.
                if (text.equals("ping")) {
                    ws.writeTextMessage("pong");
                } else if (text.equals("{\"op\":\"ping\"}")) {
                    ws.writeTextMessage("{\"success\":true,\"ret_msg\":\"pong\",\"conn_id\":\"stand-in\",\"op\":\"ping\"}");
                }
                if (text.equals("{\"pong\":" + client.pingOutstanding + "}")) {
                    client.pingOutstanding = -1;
                }
            });
            ws.closeHandler(v -> clients.remove(client));
        });
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        vertx.setPeriodic(50, id -> enforce());
    }

    /** Drops a client whose subscribe message breaks the rule (the venue's limits). */
    public VenueStandIn requireSubscriptions(String rule, java.util.function.Predicate<String> valid) {
        this.subscriptionRuleName = rule;
        this.subscriptionRule = valid;
        return this;
    }

    /** After a client's first subscribe message, sends it the frames for its request target (path and query). */
    public VenueStandIn replayOnSubscribe(java.util.function.Function<String, List<Frame>> frames) {
        this.replay = frames;
        return this;
    }

    /** The handshake of the {@code n}-th connection hangs for {@code millis} and is then refused with 503. */
    public VenueStandIn slowlyReject(int n, long millis) {
        this.slowRejected = n;
        this.slowRejectMillis = millis;
        return this;
    }

    /** Closes every client's connection, as a venue restarting would. */
    public void closeAll() {
        vertx.runOnContext(v -> clients.forEach(c -> c.socket.close((short) 1001, "going away")));
    }

    /** Drops a client that has not sent {@code text} for {@code millis} (OKX's "ping", Bybit's {"op":"ping"}). */
    public VenueStandIn requireKeepAlive(String text, long millis) {
        this.keepAliveText = text;
        this.keepAliveWithin = millis;
        return this;
    }

    /** Sends HTX's gzip {@code {"ping":n}} every {@code every} ms and drops a client whose pong is late. */
    public VenueStandIn htxPings(long every, long pongWithin) {
        this.htxPingEvery = every;
        this.htxPongWithin = pongWithin;
        return this;
    }

    private void enforce() {
        long now = System.currentTimeMillis();
        for (Client client : clients) {
            if (keepAliveText != null && now - client.lastKeepAlive > keepAliveWithin) {
                drop(client, "no " + keepAliveText + " for " + (now - client.lastKeepAlive) + " ms");
            } else if (htxPingEvery > 0) {
                if (client.pingOutstanding >= 0 && now - client.pingSent > htxPongWithin) {
                    drop(client, "no pong to ping " + client.pingOutstanding);
                } else if (client.pingOutstanding < 0 && now - client.pingSent >= htxPingEvery) {
                    client.pingSent = now;
                    client.pingOutstanding = now;
                    client.socket.writeBinaryMessage(Buffer.buffer(gzip("{\"ping\":" + now + "}")));
                }
            }
        }
    }

    private void drop(Client client, String why) {
        client.droppedFor = why;
        drops.add(why);
        clients.remove(client);
        client.socket.close((short) 1000, why);
    }

    public String url(String path) {
        return "ws://127.0.0.1:" + server.actualPort() + path;
    }

    public List<Client> clients() {
        return List.copyOf(clients);
    }

    /** Every connection ever accepted. */
    public int connections() {
        return connections.get();
    }

    public void sendText(String text) {
        vertx.runOnContext(v -> clients.forEach(c -> c.socket.writeTextMessage(text)));
    }

    public void sendBinary(byte[] bytes) {
        vertx.runOnContext(v -> clients.forEach(c -> c.socket.writeBinaryMessage(Buffer.buffer(bytes))));
    }

    public static byte[] gzip(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toByteArray();
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
