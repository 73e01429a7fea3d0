package dev.marketdata;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.support.SubscriptionStandIn;
import dev.marketdata.support.SubscriptionStandIn.Dialect;
import dev.marketdata.support.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import org.junit.jupiter.api.Test;

/**
 * Two gateway processes (the jar, each its own JVM) on one Redis: a push API client of the one that does not
 * ingest gets, in order, every tick the other stored; when the ingesting one is killed (SIGKILL), the client
 * stays connected to its own gateway, which keeps serving.
 */
class TickStreamProcessesIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newHttpClient();

    private Process start(int apiPort, String wsUrl, File log) throws Exception {
        return new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dbinance.ws.url=" + wsUrl, "-Dbinance.symbols=AAAUSDT,BBBUSDT", "-Dredis.host=" + TestRedis.host(),
                "-Dredis.port=" + TestRedis.port(), "-Dredis.embedded=false", "-Dcamel.server.port=" + apiPort,
                "-Dconfig.reload.interval=0", "-jar", "target/market-data.jar")
                .redirectErrorStream(true).redirectOutput(log).start();
    }

    private int status(int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    @Test
    void aClientOfOneProcessGetsWhatAnotherIngested() throws Exception {
        TestRedis.ensureStarted();
        TestRedis.flush();
        int ingestingPort = TestRedis.freePort();
        int servingPort = TestRedis.freePort();
        File ingestingLog = Files.createTempFile("market-data-ingesting", ".log").toFile();
        File servingLog = Files.createTempFile("market-data-serving", ".log").toFile();
        Vertx vertx = Vertx.vertx();
        List<Process> processes = new ArrayList<>();
        try (SubscriptionStandIn binance = new SubscriptionStandIn(Dialect.BINANCE)) {
            Process ingesting = start(ingestingPort, binance.url("/stream"), ingestingLog);
            processes.add(ingesting);
            Process serving = start(servingPort, "ws://127.0.0.1:1/stream", servingLog);
            processes.add(serving);
            await("both gateways ready", Duration.ofSeconds(90), () -> status(ingestingPort, "/observe/health/ready") == 200
                    && status(servingPort, "/observe/health/ready") == 200);
            await("the first one connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);

            List<JsonNode> received = new CopyOnWriteArrayList<>();
            CompletableFuture<Short> closed = new CompletableFuture<>();
            WebSocket ws = vertx.createHttpClient().webSocket(new WebSocketConnectOptions().setHost("127.0.0.1")
                    .setPort(servingPort).setURI("/api/v1/stream")).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            ws.textMessageHandler(text -> {
                try {
                    received.add(JSON.readTree(text));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            ws.closeHandler(v -> closed.complete(ws.closeStatusCode()));
            ws.writeTextMessage("{\"op\":\"subscribe\",\"symbols\":[\"AAAUSDT\"]}");
            await("the snapshot", Duration.ofSeconds(10), () -> received.stream().anyMatch(m -> m.get("op").asText().equals("snapshot")));

            List<Long> sent = new ArrayList<>();
            for (int round = 0; round < 5; round++) {
                binance.sendRound(t -> t.startsWith("aaa"));
                long u = binance.lastSequence();
                sent.add(u);
                await("tick " + u + " pushed by the other process", Duration.ofSeconds(10), () -> received.stream()
                        .anyMatch(m -> m.get("op").asText().equals("tick") && m.get("data").get("update_id").asLong() == u));
            }
            List<Long> ticks = received.stream().filter(m -> m.get("op").asText().equals("tick"))
                    .map(m -> m.get("data").get("update_id").asLong()).toList();
            assertEquals(sent, ticks);

            // The ingesting process dies without a word; the client's own gateway serves on.
            ingesting.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            ws.writeTextMessage("{\"op\":\"ping\"}");
            await("pong after the other process died", Duration.ofSeconds(10), () -> received.stream()
                    .anyMatch(m -> m.get("op").asText().equals("pong")));
            assertTrue(!closed.isDone(), "the client was closed");
            assertEquals(200, status(servingPort, "/api/v1/tickers/AAAUSDT"));
        } finally {
            for (Process p : processes) {
                p.destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
