package dev.marketdata;

import static dev.marketdata.support.RunningGateway.await;
import static dev.marketdata.support.WatchedFile.workingDirectory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.SubscriptionStandIn;
import dev.marketdata.support.SubscriptionStandIn.Dialect;
import dev.marketdata.support.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Work in progress (issue 13): the push API over real sockets, with real Redis, two gateways on one Redis. */
class TickStreamIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Vertx vertx = Vertx.vertx();

    @BeforeEach
    void cleanRedis() {
        TestRedis.ensureStarted();
        TestRedis.flush();
    }

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /** A client: the messages it received, in order. */
    private record Client(WebSocket socket, List<JsonNode> received) {
        void send(String text) {
            socket.writeTextMessage(text);
        }

        List<JsonNode> of(String op) {
            return received.stream().filter(m -> m.path("op").asText().equals(op)).toList();
        }
    }

    private Client connect(RunningGateway gateway) throws Exception {
        List<JsonNode> received = new CopyOnWriteArrayList<>();
        CompletableFuture<WebSocket> open = new CompletableFuture<>();
        vertx.createHttpClient().webSocket(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/api/v1/stream")).onSuccess(ws -> {
                    ws.textMessageHandler(text -> {
                        try {
                            received.add(JSON.readTree(text));
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    open.complete(ws);
                }).onFailure(open::completeExceptionally);
        return new Client(open.get(10, TimeUnit.SECONDS), received);
    }

    /** Sends a ping and waits for its pong: everything sent before it has been handled. */
    private static void sync(Client client) {
        int pongs = client.of("pong").size();
        client.send("{\"op\":\"ping\"}");
        await("pong", Duration.ofSeconds(5), () -> client.of("pong").size() == pongs + 1);
    }

    @Test
    void snapshotThenTicksUnsubscribeAndBadInputOnOneConnectionAndFromAnotherGateway() throws Exception {
        try (SubscriptionStandIn binance = new SubscriptionStandIn(Dialect.BINANCE)) {
            Path first = workingDirectory("binance.ws.url = " + binance.url("/stream"), "binance.symbols = AAAUSDT,BBBUSDT");
            Path second = workingDirectory("binance.ws.url = ws://127.0.0.1:1/stream", "binance.symbols = AAAUSDT,BBBUSDT");
            try (RunningGateway ingesting = RunningGateway.start(first, Map.of());
                    RunningGateway serving = RunningGateway.start(second, Map.of())) {
                await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
                Client client = connect(ingesting);
                Client remote = connect(serving);
                client.send("{\"op\":\"subscribe\",\"symbols\":[\"AAAUSDT\"]}");
                remote.send("{\"op\":\"subscribe\",\"symbols\":[\"AAA-USDT\"],\"exchanges\":[\"binance\"]}");
                await("snapshots", Duration.ofSeconds(5), () -> client.of("snapshot").size() == 1 && remote.of("snapshot").size() == 1);
                JsonNode snapshot = client.of("snapshot").get(0).get("data");
                assertEquals(1, snapshot.size());
                assertEquals(true, snapshot.get(0).get("_mock").asBoolean());

                // The consolidated best: sent at once (no live venue yet), then when its bid or ask changes.
                client.send("{\"op\":\"subscribe\",\"best\":[\"AAA-USDT\"]}");
                await("the first best", Duration.ofSeconds(5), () -> client.of("best").size() == 1);
                assertEquals("null", client.of("best").get(0).get("data").get("bid").toString());

                binance.sendRound(t -> true);
                long sent = binance.lastSequence();
                await("the tick on both gateways' clients", Duration.ofSeconds(10), () -> client.of("tick").size() == 1
                        && remote.of("tick").size() == 1);
                for (Client c : List.of(client, remote)) {
                    JsonNode tick = c.of("tick").get(0).get("data");
                    assertEquals("AAAUSDT", tick.get("symbol").asText());
                    assertEquals(false, tick.get("_mock").asBoolean());
                    assertTrue(tick.get("update_id").asLong() <= sent);
                }

                await("the best with a bid", Duration.ofSeconds(5), () -> client.of("best").size() == 2);
                JsonNode best = client.of("best").get(1).get("data");
                assertEquals("binance", best.get("bid").get("exchange").asText());
                assertEquals("10.00", best.get("bid").get("price").asText());
                assertEquals("10.02", best.get("ask").get("price").asText());

                client.send("{\"op\":\"unsubscribe\",\"symbols\":[\"AAAUSDT\"],\"best\":[\"AAA-USDT\"]}");
                sync(client);
                binance.sendRound(t -> true);
                await("the remote client's second tick", Duration.ofSeconds(10), () -> remote.of("tick").size() == 2);
                sync(client);
                assertEquals(1, client.of("tick").size());

                client.send("{\"op\":\"subscribe\",\"symbols\":[\"NOT*VALID\"]}");
                client.send("{\"op\":\"subscribe\",\"symbols\":[\"XRPUSDT\"]}");
                client.send("not json");
                sync(client);
                List<JsonNode> errors = client.of("error");
                assertEquals(List.of("INVALID_SYMBOL", "UNKNOWN_SYMBOL", "INVALID_MESSAGE"),
                        errors.stream().map(e -> e.get("error").get("code").asText()).toList());
            }
        }
    }

    private int upgradeStatus(RunningGateway gateway, Map<String, String> headers) throws Exception {
        CompletableFuture<Integer> status = new CompletableFuture<>();
        WebSocketConnectOptions options = new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port())
                .setURI("/api/v1/stream");
        headers.forEach(options::addHeader);
        // Vert.x sends an Origin of its own unless told not to; a browser always sends one.
        options.setAllowOriginHeader(headers.containsKey("Origin"));
        vertx.createHttpClient().webSocket(options).onSuccess(ws -> status.complete(101))
                .onFailure(e -> status.complete(e instanceof io.vertx.core.http.UpgradeRejectedException r ? r.getStatus() : -1));
        return status.get(10, TimeUnit.SECONDS);
    }

    /** API keys, browser origins, the client limit and the message rate: refused with the API's codes. */
    @Test
    void keysOriginsClientLimitAndRate() throws Exception {
        Path dir = workingDirectory("binance.ws.url = ws://127.0.0.1:1/stream", "binance.symbols = AAAUSDT",
                "stream.api-keys = k1,k2", "stream.allowed-origins = https://desk.example.com", "stream.max-clients = 2",
                "stream.max-messages-per-second = 5");
        try (RunningGateway gateway = RunningGateway.start(dir, Map.of())) {
            assertEquals(401, upgradeStatus(gateway, Map.of()));
            assertEquals(401, upgradeStatus(gateway, Map.of("X-API-Key", "wrong")));
            assertEquals(403, upgradeStatus(gateway, Map.of("X-API-Key", "k1", "Origin", "https://evil.example.com")));
            assertEquals(101, upgradeStatus(gateway, Map.of("X-API-Key", "k1", "Origin", "https://desk.example.com")));
            assertEquals(101, upgradeStatus(gateway, Map.of("X-API-Key", "k2")));
            await("two clients", Duration.ofSeconds(5), () -> metric(gateway, "marketdata_stream_clients ") == 2.0);
            assertEquals(503, upgradeStatus(gateway, Map.of("X-API-Key", "k2")));
        }
    }

    /** A client that stops reading is closed after stream.client-timeout; a fast one beside it keeps getting ticks. */
    @Test
    void aClientThatStopsReadingIsDroppedAndAFastOneIsNotHeldUp() throws Exception {
        List<String> symbols = dev.marketdata.support.Frames.symbols(200);
        try (SubscriptionStandIn binance = new SubscriptionStandIn(Dialect.BINANCE)) {
            Path dir = workingDirectory("binance.ws.url = " + binance.url("/stream"), "binance.max-url-length = 65536",
                    "binance.symbols = " + String.join(",", symbols), "stream.client-timeout = 1s",
                    "stream.max-messages-per-second = 5");
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of())) {
                await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
                Client slow = connect(gateway);
                Client fast = connect(gateway);
                String subscribe = "{\"op\":\"subscribe\",\"symbols\":" + JSON.writeValueAsString(symbols) + "}";
                slow.send(subscribe);
                fast.send(subscribe);
                await("snapshots", Duration.ofSeconds(5), () -> slow.of("snapshot").size() == 1 && fast.of("snapshot").size() == 1);
                slow.socket().pause();
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                while (metric(gateway, "marketdata_stream_clients_dropped_total{reason=\"slow\"}") < 1.0 && System.nanoTime() < deadline) {
                    binance.sendRound(t -> true);
                }
                assertEquals(1.0, metric(gateway, "marketdata_stream_clients_dropped_total{reason=\"slow\"}"));
                await("one client left", Duration.ofSeconds(5), () -> metric(gateway, "marketdata_stream_clients ") == 1.0);
                // The fast client kept up: its newest tick of S0000USDT is the newest stored.
                binance.sendRound(t -> t.startsWith("s0000"));
                long last = binance.lastSequence();
                await("the fast client has the newest", Duration.ofSeconds(10), () -> fast.of("tick").stream()
                        .anyMatch(m -> m.get("data").get("update_id").asLong() == last));
                // Rate: more than 5 messages in a second from one client get RATE_LIMITED.
                for (int i = 0; i < 8; i++) {
                    fast.send("{\"op\":\"ping\"}");
                }
                await("rate limited", Duration.ofSeconds(5), () -> fast.of("error").stream()
                        .anyMatch(e -> e.get("error").get("code").asText().equals("RATE_LIMITED")));
            }
        }
    }

    private static double metric(RunningGateway gateway, String prefix) {
        try {
            return gateway.send("/observe/metrics").body().lines().filter(l -> l.startsWith(prefix)).findFirst()
                    .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).orElse(-1.0);
        } catch (java.io.IOException e) {
            return -1;
        }
    }

    /** A thousand clients on loopback, each subscribed: every one gets the tick. */
    @Test
    void aThousandClients() throws Exception {
        try (SubscriptionStandIn binance = new SubscriptionStandIn(Dialect.BINANCE)) {
            Path dir = workingDirectory("binance.ws.url = " + binance.url("/stream"), "binance.symbols = AAAUSDT");
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of())) {
                await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
                io.vertx.core.http.HttpClient http = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions().setMaxWebSockets(1_000));
                java.util.concurrent.atomic.AtomicInteger snapshots = new java.util.concurrent.atomic.AtomicInteger();
                java.util.concurrent.atomic.AtomicInteger ticks = new java.util.concurrent.atomic.AtomicInteger();
                for (int i = 0; i < 1_000; i++) {
                    http.webSocket(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port()).setURI("/api/v1/stream"))
                            .onSuccess(ws -> {
                                ws.textMessageHandler(text -> {
                                    if (text.startsWith("{\"op\":\"snapshot\"")) {
                                        snapshots.incrementAndGet();
                                    } else if (text.startsWith("{\"op\":\"tick\"")) {
                                        ticks.incrementAndGet();
                                    }
                                });
                                ws.writeTextMessage("{\"op\":\"subscribe\",\"symbols\":[\"AAAUSDT\"]}");
                            });
                }
                await("1,000 snapshots", Duration.ofSeconds(30), () -> snapshots.get() == 1_000);
                binance.sendRound(t -> true);
                await("1,000 ticks", Duration.ofSeconds(30), () -> ticks.get() == 1_000);
            }
        }
    }
}
