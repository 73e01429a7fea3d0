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

                client.send("{\"op\":\"unsubscribe\",\"symbols\":[\"AAAUSDT\"]}");
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
}
