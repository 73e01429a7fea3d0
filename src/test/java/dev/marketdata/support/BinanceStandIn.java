package dev.marketdata.support;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;

/**
 * A Binance-like combined-stream WebSocket server on loopback, inside the test JVM: it records each
 * connection's request URI and sends frames to the connected clients over a real socket.
 */
public final class BinanceStandIn implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx();
    private final HttpServer server;
    private final List<ServerWebSocket> clients = new CopyOnWriteArrayList<>();
    private final List<String> requestUris = new CopyOnWriteArrayList<>();
    private final List<String> onConnect;
    private final AtomicInteger sent = new AtomicInteger();

    /** @param onConnect frames sent to every client as soon as it connects, as fast as the socket takes them */
    public BinanceStandIn(List<String> onConnect) throws Exception {
        this.onConnect = List.copyOf(onConnect);
        server = vertx.createHttpServer().webSocketHandler(ws -> {
            requestUris.add(ws.uri());
            clients.add(ws);
            ws.closeHandler(v -> clients.remove(ws));
            // Frames go out right after the handshake, as Binance sends them: none may be lost.
            send(ws, this.onConnect);
        });
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    public int port() {
        return server.actualPort();
    }

    public String url() {
        return "ws://127.0.0.1:" + port() + "/stream";
    }

    public List<String> requestUris() {
        return List.copyOf(requestUris);
    }

    public int connectedClients() {
        return clients.size();
    }

    public int sent() {
        return sent.get();
    }

    /** Sends the frames to every connected client, in order, and returns once they are written. */
    public void broadcast(List<String> frames) throws Exception {
        List<CompletableFuture<Void>> done = new java.util.ArrayList<>();
        for (ServerWebSocket ws : clients) {
            CompletableFuture<Void> f = new CompletableFuture<>();
            vertx.runOnContext(v -> {
                send(ws, frames);
                f.complete(null);
            });
            done.add(f);
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
    }

    private void send(ServerWebSocket ws, List<String> frames) {
        for (String frame : frames) {
            ws.writeTextMessage(frame);
            sent.incrementAndGet();
        }
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
