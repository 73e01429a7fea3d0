package dev.marketdata;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketConnectOptions;
import org.junit.jupiter.api.Test;

/** Spike: a WebSocket on the REST port, beside the REST API. */
class StreamSpikeIT {

    @Test
    void aWebSocketOnTheRestPort() throws Exception {
        TestRedis.ensureStarted();
        Vertx vertx = Vertx.vertx();
        try (RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", "ws://127.0.0.1:1/stream"))) {
            CompletableFuture<String> answer = new CompletableFuture<>();
            vertx.createHttpClient().webSocket(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port())
                    .setURI("/api/v1/stream")).onSuccess(ws -> {
                        ws.textMessageHandler(answer::complete);
                        ws.writeTextMessage("{\"op\":\"ping\"}");
                    }).onFailure(answer::completeExceptionally);
            assertEquals("{\"op\":\"echo\",\"text\":\"{\\\"op\\\":\\\"ping\\\"}\"}", answer.get(10, TimeUnit.SECONDS));
            assertEquals(200, gateway.status("/api/v1/tickers"));
            assertEquals(404, gateway.status("/api/v1/stream"));
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get();
        }
    }
}
