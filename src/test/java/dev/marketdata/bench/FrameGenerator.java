package dev.marketdata.bench;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.ServerWebSocket;

/**
 * The load generator: a Binance-compatible combined-stream WebSocket server on loopback sending bookTicker
 * frames of Binance's shape and size for N symbols, round-robin, each symbol's update id growing; or, for
 * {@link #okx}, an OKX v5 public endpoint pushing {@code bbo-tbt} of the same books (one update a push, its
 * {@code seqId} growing, {@code ts} the send time; the subscribe requests are taken as sent, {@code ping}
 * answered). It sends either at a fixed rate or as fast as the client reads (it writes while the socket's
 * queue has room).
 */
final class FrameGenerator implements AutoCloseable {

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1));
    private final HttpServer server;
    private final List<String> symbols;
    private static final int PRICES = 1000;
    // Prices move with the update id so that consecutive ticks differ, as real ones do.
    private static final String[] BIDS = new String[PRICES];
    private static final String[] ASKS = new String[PRICES];

    static {
        for (int p = 0; p < PRICES; p++) {
            BIDS[p] = String.format("25.%08d", 35_190_000 + p * 1000);
            ASKS[p] = String.format("25.%08d", 36_520_000 + p * 1000);
        }
    }

    private final String[] prefix;
    private final String[] suffix;
    private final long[] lastU;
    private final AtomicLong sent = new AtomicLong();
    private volatile ServerWebSocket client;
    private volatile long ratePerSecond = -1; // -1 stopped, 0 as fast as possible
    /** With a burst: the count of frames sent at which sending stops; -1 for none. */
    private volatile long limit = -1;
    private long timer = -1;
    private int next;

    FrameGenerator(List<String> symbols) throws Exception {
        this(symbols, false);
    }

    /** An OKX stand-in pushing bbo-tbt for the instruments (OKX ids: {@code B000-USDT}). */
    static FrameGenerator okx(List<String> instIds) throws Exception {
        return new FrameGenerator(instIds, true);
    }

    private final boolean okx;

    private FrameGenerator(List<String> symbols, boolean okx) throws Exception {
        this.okx = okx;
        this.symbols = List.copyOf(symbols);
        this.prefix = new String[symbols.size()];
        this.suffix = new String[symbols.size()];
        this.lastU = new long[symbols.size()];
        for (int i = 0; i < symbols.size(); i++) {
            if (okx) {
                prefix[i] = "{\"arg\":{\"channel\":\"bbo-tbt\",\"instId\":\"" + symbols.get(i) + "\"},\"data\":[{\"asks\":[[\"";
                suffix[i] = "\",\"40.66000000\",\"0\",\"13\"]],\"bids\":[[\"";
            } else {
                prefix[i] = "{\"stream\":\"" + symbols.get(i).toLowerCase() + "@bookTicker\",\"data\":{\"u\":";
                suffix[i] = ",\"s\":\"" + symbols.get(i) + "\",\"b\":\"";
            }
            lastU[i] = 400_900_000L + i * 1_000_000L;
        }
        server = vertx.createHttpServer().webSocketHandler(ws -> {
            client = ws;
            ws.textMessageHandler(text -> {
                if (okx && "ping".equals(text)) {
                    ws.writeTextMessage("pong");
                }
            });
            ws.closeHandler(v -> {
                if (client == ws) {
                    client = null;
                }
            });
        });
        server.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    String url() {
        return "ws://127.0.0.1:" + server.actualPort() + "/stream";
    }

    boolean connected() {
        return client != null;
    }

    long sent() {
        return sent.get();
    }

    /** Per symbol, the update id of the last frame sent. */
    synchronized long lastU(int symbol) {
        return lastU[symbol];
    }

    /** Sends exactly {@code frames} more frames as fast as the client reads, then stops. */
    void burst(long frames) {
        limit = sent.get() + frames;
        start(0);
    }

    /** Whether a burst has sent all its frames. */
    boolean burstSent() {
        return limit >= 0 && sent.get() >= limit;
    }

    /** 0: as fast as the client reads; otherwise frames per second. */
    void start(long rate) {
        ratePerSecond = rate;
        vertx.runOnContext(v -> {
            if (rate == 0) {
                pump();
            } else {
                long perTick = Math.max(1, rate / 1000);
                timer = vertx.setPeriodic(1, id -> sendSome((int) perTick));
            }
        });
    }

    void stop() throws Exception {
        ratePerSecond = -1;
        limit = -1;
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        vertx.runOnContext(v -> {
            vertx.cancelTimer(timer);
            done.complete(null);
        });
        done.get(10, TimeUnit.SECONDS);
    }

    private void pump() {
        ServerWebSocket ws = client;
        if (ws == null || ratePerSecond != 0) {
            return;
        }
        while (!ws.writeQueueFull() && ratePerSecond == 0) {
            long left = limit < 0 ? 64 : Math.min(64, limit - sent.get());
            if (left <= 0) {
                ratePerSecond = -1;
                return;
            }
            sendSome((int) left);
        }
        if (ratePerSecond == 0) {
            ws.drainHandler(v -> pump());
        }
    }

    private synchronized void sendSome(int n) {
        ServerWebSocket ws = client;
        if (ws == null || ratePerSecond < 0) {
            return;
        }
        long ts = System.currentTimeMillis();
        for (int k = 0; k < n; k++) {
            int i = next;
            next = (next + 1) % prefix.length;
            long u = ++lastU[i];
            int p = (int) (u % PRICES);
            if (okx) {
                ws.writeTextMessage(prefix[i] + ASKS[p] + suffix[i] + BIDS[p] + "\",\"31.21000000\",\"0\",\"12\"]],\"ts\":\""
                        + ts + "\",\"seqId\":" + u + "}]}");
            } else {
                ws.writeTextMessage(prefix[i] + u + suffix[i] + BIDS[p] + "\",\"B\":\"31.21000000\",\"a\":\"" + ASKS[p]
                        + "\",\"A\":\"40.66000000\"}}");
            }
        }
        sent.addAndGet(n);
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
}
