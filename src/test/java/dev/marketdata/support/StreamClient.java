package dev.marketdata.support;

import java.net.URI;
import java.time.LocalTime;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * A push API client for trying the stream by hand, where no {@code websocat} is at hand (README "Push API"):
 * {@code java -cp target/market-data.jar:target/test-classes dev.marketdata.support.StreamClient
 * ws://127.0.0.1:8081/api/v1/stream 10 '{"op":"subscribe","symbols":["BTCUSDT"]}' ...} sends each message in
 * turn, a second apart, prints what the gateway sends with the local time it arrived, and closes after the given
 * seconds. {@code -H Name:value} before the URL adds a header (an API key).
 */
public final class StreamClient {

    private StreamClient() {
    }

    public static void main(String[] args) throws Exception {
        WebSocketConnectOptions options = new WebSocketConnectOptions().setAllowOriginHeader(false);
        int at = 0;
        while (at < args.length && args[at].equals("-H")) {
            String header = args[at + 1];
            options.addHeader(header.substring(0, header.indexOf(':')).trim(), header.substring(header.indexOf(':') + 1).trim());
            at += 2;
        }
        if (args.length - at < 2) {
            System.err.println("usage: StreamClient [-H Name:value]... ws://host:port/api/v1/stream seconds [message]...");
            System.exit(64);
        }
        URI uri = URI.create(args[at]);
        long seconds = Long.parseLong(args[at + 1]);
        Vertx vertx = Vertx.vertx();
        try {
            options.setHost(uri.getHost()).setPort(uri.getPort()).setURI(uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
            WebSocket ws = vertx.createHttpClient().webSocket(options).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            CompletableFuture<Void> closed = new CompletableFuture<>();
            ws.textMessageHandler(text -> System.out.println(now() + " < " + text));
            ws.closeHandler(v -> {
                System.out.println(now() + " closed " + ws.closeStatusCode() + " " + ws.closeReason());
                closed.complete(null);
            });
            // A second apart, on timers: each goes after the answers to the one before have had time to arrive.
            for (int i = at + 2; i < args.length; i++) {
                String message = args[i];
                vertx.setTimer(1 + 1_000L * (i - at - 2), id -> {
                    System.out.println(now() + " > " + message);
                    ws.writeTextMessage(message);
                });
            }
            try {
                closed.get(seconds, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                ws.close();
            }
        } catch (java.util.concurrent.ExecutionException e) {
            System.out.println(e.getCause() instanceof io.vertx.core.http.UpgradeRejectedException r
                    ? "refused: HTTP " + r.getStatus() + " " + (r.getBody() == null ? "" : r.getBody().toString())
                    : "failed: " + e.getCause().getMessage());
            System.exit(1);
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static String now() {
        return LocalTime.now().truncatedTo(ChronoUnit.MILLIS).toString();
    }
}
