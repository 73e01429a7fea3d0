package dev.marketdata.bench;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * Clients of the push API for the benchmark: each subscribes to every symbol and counts the ticks it gets, and
 * how long after the gateway received a tick's frame the client had it (the entry's {@code received_at} against the
 * client's clock: one machine, one clock; whole milliseconds).
 */
final class PushLoad implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final AtomicLong ticks = new AtomicLong();
    /** Latency histogram in whole milliseconds, 0..9,999 (the last bucket holds anything longer). */
    private final java.util.concurrent.atomic.AtomicLongArray millis = new java.util.concurrent.atomic.AtomicLongArray(10_000);

    PushLoad(int port, List<String> symbols, int clients) throws Exception {
        HttpClient http = vertx.createHttpClient(new HttpClientOptions().setMaxWebSockets(clients));
        String subscribe = "{\"op\":\"subscribe\",\"symbols\":[\"" + String.join("\",\"", symbols) + "\"]}";
        CompletableFuture<?>[] ready = new CompletableFuture<?>[clients];
        for (int i = 0; i < clients; i++) {
            CompletableFuture<Void> snapshot = new CompletableFuture<>();
            ready[i] = snapshot;
            http.webSocket(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port).setURI("/api/v1/stream"))
                    .onSuccess(ws -> {
                        ws.textMessageHandler(text -> {
                            if (text.startsWith("{\"op\":\"tick\"")) {
                                long now = System.currentTimeMillis();
                                ticks.incrementAndGet();
                                int at = text.indexOf("\"received_at\":");
                                if (at > 0) {
                                    int from = at + "\"received_at\":".length();
                                    int to = from;
                                    while (to < text.length() && Character.isDigit(text.charAt(to))) {
                                        to++;
                                    }
                                    long latency = now - Long.parseLong(text, from, to, 10);
                                    millis.incrementAndGet((int) Math.max(0, Math.min(9_999, latency)));
                                }
                            } else if (text.startsWith("{\"op\":\"snapshot\"")) {
                                snapshot.complete(null);
                            }
                        });
                        ws.writeTextMessage(subscribe);
                    }).onFailure(snapshot::completeExceptionally);
        }
        CompletableFuture.allOf(ready).get(60, TimeUnit.SECONDS);
    }

    /** Starts counting afresh. */
    void reset() {
        ticks.set(0);
        for (int i = 0; i < millis.length(); i++) {
            millis.set(i, 0);
        }
    }

    long ticks() {
        return ticks.get();
    }

    /** The q-quantile of the latency since the last reset, in milliseconds (a bucket's upper edge). */
    double quantile(double q) {
        long total = 0;
        for (int i = 0; i < millis.length(); i++) {
            total += millis.get(i);
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < millis.length(); i++) {
            seen += millis.get(i);
            if (seen >= rank && total > 0) {
                return i + 1;
            }
        }
        return Double.NaN;
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
