package dev.marketdata.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marketdata.pipeline.NewestWins;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisPool;
import redis.clients.jedis.JedisPoolConfig;
import redis.clients.jedis.Pipeline;
import redis.clients.jedis.Response;

/**
 * Baseline 2: the same job written by hand, without Camel, as a tuned implementation would do it:
 * Vert.x WebSocket client → Jackson → newest per symbol → pipelined writes through the same newer-than
 * script, and a minimal Vert.x HTTP server doing the same Redis reads as the REST API.
 */
final class HandWrittenGateway implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The same newer-than script the gateway runs, so both do the same work per write. */
    private static final String SCRIPT = NewestWins.SCRIPT;
    private volatile String scriptSha;


    /** Tuned as the gateway's HTTP server is: two workers a core (more only switch contexts on a small machine). */
    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1)
            .setWorkerPoolSize(2 * Runtime.getRuntime().availableProcessors()));
    private final JedisPool pool;
    private final List<String> symbols;
    private final Map<String, Object[]> pending = new ConcurrentHashMap<>();
    private final AtomicLong frames = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private volatile boolean running = true;
    private final Thread writer;
    private HttpServer http;
    /** Baseline of the push row: on once {@link #servePush} is called; the clients it pushes to. */
    private volatile boolean pushing;
    private final java.util.Set<io.vertx.core.http.ServerWebSocket> pushClients = new java.util.concurrent.CopyOnWriteArraySet<>();
    private HttpServer pushServer;
    private Thread pushSubscriber;
    private redis.clients.jedis.BinaryJedisPubSub pushListener;
    private static final String PUSH_CHANNEL = "baseline:updates";

    /** OKX bbo-tbt instead of Binance bookTicker: the same work on the other venue's frames. */
    private volatile boolean okx;

    HandWrittenGateway(String redisHost, int redisPort, List<String> symbols) {
        JedisPoolConfig config = new JedisPoolConfig();
        config.setMaxTotal(32);
        this.pool = new JedisPool(config, redisHost, redisPort);
        this.symbols = List.copyOf(symbols);
        writer = new Thread(this::writeLoop, "baseline-writer");
        writer.setDaemon(true);
        writer.start();
    }

    long frames() {
        return frames.get();
    }

    long written() {
        return written.get();
    }

    void connect(String url, String streams) throws Exception {
        java.net.URI uri = java.net.URI.create(url);
        WebSocket ws = vertx.createHttpClient().webSocket(new WebSocketConnectOptions().setHost(uri.getHost())
                .setPort(uri.getPort()).setURI(uri.getPath() + "?streams=" + streams))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        ws.textMessageHandler(this::onFrame);
    }

    /** Connects to an OKX endpoint and subscribes to bbo-tbt of the instruments, as the gateway does. */
    void connectOkx(String url, List<String> instIds) throws Exception {
        okx = true;
        java.net.URI uri = java.net.URI.create(url);
        WebSocket ws = vertx.createHttpClient().webSocket(new WebSocketConnectOptions().setHost(uri.getHost())
                .setPort(uri.getPort()).setURI(uri.getPath()))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        ws.textMessageHandler(this::onOkxFrame);
        ws.writeTextMessage("{\"op\":\"subscribe\",\"args\":[" + String.join(",", instIds.stream()
                .map(id -> "{\"channel\":\"bbo-tbt\",\"instId\":\"" + id + "\"}").toList()) + "]}");
    }

    private void onOkxFrame(String text) {
        frames.incrementAndGet();
        try {
            JsonNode root = JSON.readTree(text);
            String instId = root.get("arg").get("instId").textValue();
            JsonNode data = root.get("data").get(0);
            JsonNode bid = data.get("bids").get(0);
            JsonNode ask = data.get("asks").get(0);
            long ts = Long.parseLong(data.get("ts").textValue());
            // The gateway's order of an OKX book top: event time first, then seqId within the millisecond.
            long sequence = ts * 1_000_000L + Math.floorMod(data.get("seqId").longValue(), 1_000_000L);
            long receivedAt = System.currentTimeMillis();
            String[] assets = instId.split("-");
            ObjectNode value = JSON.createObjectNode();
            value.put("symbol", instId).put("exchange", "okx").put("native_symbol", instId).put("market", "spot")
                    .put("base_asset", assets[0]).put("quote_asset", assets[1])
                    .put("stream", "bookTicker").put("price", new java.math.BigDecimal(bid.get(0).textValue())
                            .add(new java.math.BigDecimal(ask.get(0).textValue())).divide(java.math.BigDecimal.valueOf(2)).toPlainString())
                    .put("bid", bid.get(0).textValue()).put("bid_qty", bid.get(1).textValue())
                    .put("ask", ask.get(0).textValue()).put("ask_qty", ask.get(1).textValue())
                    .put("update_id", data.get("seqId").longValue()).put("event_time", ts).put("received_at", receivedAt)
                    .put("source", "okx");
            Object[] tick = { sequence, JSON.writeValueAsString(value), receivedAt };
            pending.merge("okx:" + instId, tick, (old, now) -> (long) now[0] > (long) old[0] ? now : old);
            LockSupport.unpark(writer);
        } catch (Exception e) {
            // a bad frame: skipped
        }
    }

    private void onFrame(String text) {
        frames.incrementAndGet();
        try {
            JsonNode data = JSON.readTree(text).get("data");
            String symbol = data.get("s").textValue();
            long u = data.get("u").longValue();
            long receivedAt = System.currentTimeMillis();
            ObjectNode value = JSON.createObjectNode();
            // The same fields as the gateway's ticks, so that either side's REST server serves the other's values.
            value.put("symbol", symbol).put("exchange", "binance").put("native_symbol", symbol).put("market", "spot")
                    .put("base_asset", symbol.substring(0, symbol.length() - 4)).put("quote_asset", "USDT")
                    .put("stream", "bookTicker").put("price", data.get("b").textValue())
                    .put("bid", data.get("b").textValue()).put("bid_qty", data.get("B").textValue())
                    .put("ask", data.get("a").textValue()).put("ask_qty", data.get("A").textValue())
                    .put("update_id", u).putNull("event_time").put("received_at", receivedAt).put("source", "binance");
            Object[] tick = { u, JSON.writeValueAsString(value), receivedAt };
            pending.merge(symbol, tick, (old, now) -> (long) now[0] > (long) old[0] ? now : old);
            LockSupport.unpark(writer);
        } catch (Exception e) {
            // a bad frame: skipped
        }
    }

    private void writeLoop() {
        while (running) {
            if (pending.isEmpty()) {
                LockSupport.parkNanos(1_000_000L);
                continue;
            }
            List<Object[]> batch = new ArrayList<>();
            for (Map.Entry<String, Object[]> e : pending.entrySet()) {
                if (pending.remove(e.getKey(), e.getValue())) {
                    batch.add(new Object[] { e.getKey(), e.getValue()[0], e.getValue()[1], e.getValue()[2] });
                }
            }
            try (Jedis jedis = pool.getResource()) {
                if (scriptSha == null) {
                    scriptSha = jedis.scriptLoad(SCRIPT);
                }
                Pipeline p = jedis.pipelined();
                List<Response<Object>> results = new ArrayList<>();
                String now = Long.toString(System.currentTimeMillis());
                for (Object[] t : batch) {
                    List<String> args = List.of("bookTicker", Long.toString((long) t[1]), (String) t[2], "600",
                            Long.toString((long) t[3]), "5000", now);
                    results.add(p.evalsha(scriptSha, List.of("tick:latest:" + t[0], "tick:seq:" + t[0]), args));
                    if (!okx) {
                        // As the gateway does for a Binance symbol configured as BTCUSDT: the same tick under its venue
                        // key too, through that key's own guard (no less work than the gateway is asked to do).
                        String venueKey = "binance:" + ((String) t[0]).replace("USDT", "-USDT");
                        p.evalsha(scriptSha, List.of("tick:latest:" + venueKey, "tick:seq:" + venueKey), args);
                    }
                }
                p.sync();
                written.addAndGet(results.size());
                if (pushing) {
                    // The stored ones, one PUBLISH a batch, as the gateway does.
                    StringBuilder message = new StringBuilder();
                    for (int i = 0; i < batch.size(); i++) {
                        if ((Long) results.get(i).get() > 0) {
                            message.append(message.length() == 0 ? "" : "\n").append((String) batch.get(i)[2]);
                        }
                    }
                    if (message.length() > 0) {
                        jedis.publish(PUSH_CHANNEL, message.toString());
                    }
                }
            }
        }
    }

    /** The minimal REST server: GET /api/v1/tickers/{symbol} and GET /api/v1/tickers, same Redis reads. */
    int serveRest(List<String> listSymbols) throws Exception {
        String[] keys = listSymbols.stream().map(s -> "tick:latest:" + s).toArray(String[]::new);
        http = vertx.createHttpServer().requestHandler(req -> {
            String path = req.path();
            vertx.executeBlocking(() -> {
                try (Jedis jedis = pool.getResource()) {
                    if (path.equals("/api/v1/tickers")) {
                        List<String> values = jedis.mget(keys);
                        StringBuilder sb = new StringBuilder("{\"success\":true,\"data\":[");
                        long now = System.currentTimeMillis();
                        for (int i = 0; i < values.size(); i++) {
                            sb.append(i == 0 ? "" : ",").append(withAge(values.get(i), now));
                        }
                        return sb.append("],\"timestamp\":").append(now).append('}').toString();
                    }
                    String symbol = path.substring(path.lastIndexOf('/') + 1).toUpperCase();
                    long now = System.currentTimeMillis();
                    return "{\"success\":true,\"data\":[" + withAge(jedis.get("tick:latest:" + symbol), now)
                            + "],\"timestamp\":" + now + "}";
                }
            }, false).onComplete(r -> {
                if (r.succeeded()) {
                    req.response().putHeader("Content-Type", "application/json").end(r.result());
                } else {
                    req.response().setStatusCode(500).end();
                }
            });
        });
        http.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        return http.actualPort();
    }

    /**
     * The push row's baseline: a WebSocket server whose every client gets every stored tick, from a Redis
     * subscription as the gateway's are (so a client of any instance would get them), written on the client's
     * event loop, and skipped for a client whose socket is full (the least a server can do not to grow a backlog).
     * No symbols, limits, conflation by key, ordering guard or validation: the floor, not a rival design.
     */
    int servePush() throws Exception {
        pushing = true;
        pushServer = vertx.createHttpServer().webSocketHandler(ws -> {
            ws.textMessageHandler(text -> {
                ws.writeTextMessage("{\"op\":\"snapshot\",\"data\":[]}");
                pushClients.add(ws);
            });
            ws.closeHandler(v -> pushClients.remove(ws));
            ws.exceptionHandler(e -> pushClients.remove(ws));
        });
        pushServer.listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        java.util.concurrent.CountDownLatch subscribed = new java.util.concurrent.CountDownLatch(1);
        pushListener = new redis.clients.jedis.BinaryJedisPubSub() {
            @Override
            public void onMessage(byte[] channel, byte[] message) {
                long now = System.currentTimeMillis();
                List<String> ticks = new ArrayList<>();
                for (String json : new String(message, java.nio.charset.StandardCharsets.UTF_8).split("\n")) {
                    ticks.add("{\"op\":\"tick\",\"data\":" + withAge(json, now) + "}");
                }
                vertx.runOnContext(v -> {
                    for (io.vertx.core.http.ServerWebSocket ws : pushClients) {
                        for (String tick : ticks) {
                            if (!ws.writeQueueFull()) {
                                ws.writeTextMessage(tick);
                            }
                        }
                    }
                });
            }

            @Override
            public void onSubscribe(byte[] channel, int count) {
                subscribed.countDown();
            }
        };
        pushSubscriber = new Thread(() -> {
            try (Jedis jedis = pool.getResource()) {
                jedis.subscribe(pushListener, PUSH_CHANNEL.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (RuntimeException e) {
                // closed with the baseline
            }
        }, "baseline-push-subscriber");
        pushSubscriber.setDaemon(true);
        pushSubscriber.start();
        subscribed.await(10, TimeUnit.SECONDS);
        return pushServer.actualPort();
    }

    private static String withAge(String json, long now) {
        if (json == null) {
            return "null";
        }
        int at = json.indexOf("\"received_at\":");
        long received = 0;
        if (at >= 0) {
            int end = json.indexOf(',', at);
            received = Long.parseLong(json.substring(at + 14, end < 0 ? json.length() - 1 : end));
        }
        return json.substring(0, json.length() - 1) + ",\"age_ms\":" + (now - received) + "}";
    }

    @Override
    public void close() throws Exception {
        running = false;
        writer.join(2000);
        if (pushListener != null && pushListener.isSubscribed()) {
            pushListener.unsubscribe();
            pushSubscriber.join(2000);
        }
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        pool.close();
    }
}
