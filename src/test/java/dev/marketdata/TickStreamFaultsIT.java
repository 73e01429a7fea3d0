package dev.marketdata;

import static dev.marketdata.support.RunningGateway.await;
import static dev.marketdata.support.WatchedFile.workingDirectory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.support.BinanceStandIn;
import dev.marketdata.support.Frames;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The push API under the faults a hostile review reproduced, each failing on the code before its fix: a client
 * flooding pings without reading, a Redis user without the channel, a subscription whose connection goes silent,
 * book tops and tickers of one symbol, another database's ticks, an instrument named the other way by another
 * gateway, a request that is not an upgrade.
 */
class TickStreamFaultsIT {

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

    private List<JsonNode> subscribe(int port, String message) throws Exception {
        List<JsonNode> received = new CopyOnWriteArrayList<>();
        WebSocket ws = vertx.createHttpClient().webSocket(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(port)
                .setURI("/api/v1/stream")).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        ws.textMessageHandler(text -> {
            try {
                received.add(JSON.readTree(text));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        ws.writeTextMessage(message);
        await("the snapshot", Duration.ofSeconds(10), () -> received.stream().anyMatch(m -> m.get("op").asText().equals("snapshot")));
        return received;
    }

    private static List<Long> ticks(List<JsonNode> received, String stream) {
        return received.stream().filter(m -> m.get("op").asText().equals("tick") && m.get("data").get("stream").asText().equals(stream))
                .map(m -> m.get("data").path("update_id").isNull() ? m.get("data").get("event_time").asLong()
                        : m.get("data").get("update_id").asLong()).toList();
    }

    /** Opens a WebSocket by hand on a raw socket: the test decides what it sends and that it never reads. */
    private static Socket rawUpgrade(int port) throws Exception {
        Socket raw = new Socket("127.0.0.1", port);
        raw.getOutputStream().write(("GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        InputStream in = raw.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            head.append((char) in.read());
        }
        assertTrue(head.toString().startsWith("HTTP/1.1 101"), head.toString());
        return raw;
    }

    /** Pings flooded by a client that reads nothing: closed at once, before Vert.x's pongs pile up for it. */
    @Test
    void aClientFloodingPingsWithoutReadingIsClosed() throws Exception {
        try (RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", "ws://127.0.0.1:1/stream"));
                Socket raw = rawUpgrade(gateway.port())) {
            byte[] ping = new byte[6 + 125];
            ping[0] = (byte) 0x89;
            ping[1] = (byte) (0x80 | 125);
            OutputStream out = raw.getOutputStream();
            boolean cut = false;
            for (int i = 0; i < 100_000 && !cut; i++) {
                try {
                    out.write(ping);
                } catch (java.io.IOException e) {
                    cut = true;
                }
            }
            await("dropped as a flood", Duration.ofSeconds(10),
                    () -> gateway.metric("marketdata_stream_clients_dropped_total{reason=\"flood\"}") == 1.0);
            await("no client left", Duration.ofSeconds(10), () -> gateway.metric("marketdata_stream_clients ") == 0.0);
            // The connection is gone too, not held for a close frame the client will never read.
            raw.setSoTimeout(10_000);
            InputStream in = raw.getInputStream();
            byte[] sink = new byte[65_536];
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            int n = 0;
            while (n >= 0 && System.nanoTime() < deadline) {
                try {
                    n = in.read(sink);
                } catch (java.net.SocketException e) {
                    n = -1;
                }
            }
            assertEquals(-1, n, "the connection was not closed");
        }
    }

    /**
     * A Redis user that may not use the channel (Redis 7's default for new users): ingest and REST go on as before,
     * the push API says it is not subscribed, with one WARN naming the ACL to grant.
     */
    @Test
    void aRedisUserWithoutTheChannelStillIngests() throws Exception {
        try (Jedis admin = TestRedis.client()) {
            admin.aclSetUser("pushless", "on", ">pushless-pw", "~*", "+@all", "resetchannels");
        }
        try (BinanceStandIn binance = new BinanceStandIn(List.of());
                dev.marketdata.support.CapturedLog log = new dev.marketdata.support.CapturedLog(dev.marketdata.api.TickStream.class);
                RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", binance.url(), "binance.symbols", "AAAUSDT",
                        "redis.username", "pushless", "redis.password", "pushless-pw"))) {
            await("connected", Duration.ofSeconds(20), () -> binance.connectedClients() == 1);
            List<JsonNode> client = subscribe(gateway.port(), "{\"op\":\"subscribe\",\"symbols\":[\"AAAUSDT\"]}");
            for (int u = 1; u <= 50; u++) {
                binance.broadcast(List.of(Frames.bookTicker("AAAUSDT", u)));
            }
            await("stored", Duration.ofSeconds(10), () -> TestRedis.get("tick:latest:AAAUSDT") != null
                    && TestRedis.get("tick:latest:AAAUSDT").contains("\"update_id\":50"));
            assertEquals(0.0, gateway.metric("marketdata_redis_errors_total{operation=\"write\"}"));
            JsonNode health = gateway.getJson("/api/v1/health").get("data");
            assertEquals("up", health.get("redis").get("status").asText());
            assertEquals(false, health.get("stream").get("redis_subscribed").asBoolean());
            assertEquals(0, ticks(client, "bookTicker").size());
            await("one WARN naming the grant", Duration.ofSeconds(10), () -> log.lines().stream().anyMatch(l -> l.contains("NOPERM")));
            assertEquals(1, log.lines().stream().filter(l -> l.contains("may not subscribe")).count(), log.lines().toString());
        } finally {
            try (Jedis admin = TestRedis.client()) {
                admin.aclDelUser("pushless");
            }
        }
    }

    /** A TCP relay to Redis whose open connections can be frozen: nothing more passes, nothing is closed. */
    private static final class FreezingRelay implements AutoCloseable {
        final ServerSocket server = new ServerSocket(0);
        final List<Socket> open = new CopyOnWriteArrayList<>();
        final List<AtomicBoolean> frozen = new CopyOnWriteArrayList<>();

        FreezingRelay(int target) throws Exception {
            Thread accept = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        Socket in = server.accept();
                        Socket out = new Socket("127.0.0.1", target);
                        open.add(in);
                        open.add(out);
                        AtomicBoolean freeze = new AtomicBoolean();
                        frozen.add(freeze);
                        pump(in, out, freeze);
                        pump(out, in, freeze);
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            accept.setDaemon(true);
            accept.start();
        }

        private static void pump(Socket from, Socket to, AtomicBoolean freeze) {
            Thread t = new Thread(() -> {
                byte[] buffer = new byte[65_536];
                try {
                    int n;
                    while ((n = from.getInputStream().read(buffer)) >= 0) {
                        if (!freeze.get()) {
                            to.getOutputStream().write(buffer, 0, n);
                        }
                    }
                } catch (java.io.IOException e) {
                    // closed
                }
            });
            t.setDaemon(true);
            t.start();
        }

        /** Every connection open now passes nothing more; new ones work. */
        void freezeOpen() {
            frozen.forEach(f -> f.set(true));
        }

        @Override
        public void close() throws Exception {
            server.close();
            for (Socket s : open) {
                s.close();
            }
        }
    }

    /**
     * The subscription's connection goes silent (a dead peer, a dropped NAT entry: no FIN, no RST): found within its
     * read timeout, opened again, and the client gets ticks again without asking; health said so meanwhile.
     */
    @Test
    void aSilentSubscriptionIsOpenedAgain() throws Exception {
        try (FreezingRelay relay = new FreezingRelay(TestRedis.port());
                BinanceStandIn binance = new BinanceStandIn(List.of());
                RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", binance.url(), "binance.symbols", "AAAUSDT",
                        "redis.port", String.valueOf(relay.server.getLocalPort()), "redis.embedded", "false"))) {
            await("connected", Duration.ofSeconds(20), () -> binance.connectedClients() == 1);
            List<JsonNode> client = subscribe(gateway.port(), "{\"op\":\"subscribe\",\"symbols\":[\"AAAUSDT\"]}");
            binance.broadcast(List.of(Frames.bookTicker("AAAUSDT", 1)));
            await("the first tick", Duration.ofSeconds(10), () -> ticks(client, "bookTicker").equals(List.of(1L)));
            relay.freezeOpen();
            long[] u = { 1 };
            await("ticks pushed again after the silent connection was replaced", Duration.ofSeconds(30), () -> {
                try {
                    binance.broadcast(List.of(Frames.bookTicker("AAAUSDT", ++u[0])));
                } catch (Exception e) {
                    return false;
                }
                List<Long> got = ticks(client, "bookTicker");
                return got.size() > 1 && got.get(got.size() - 1) > 1;
            });
            assertTrue(((Number) java.lang.management.ManagementFactory.getPlatformMBeanServer().getAttribute(
                    java.lang.management.ManagementFactory.getPlatformMBeanServer().queryNames(
                            new javax.management.ObjectName("org.apache.camel:type=stream,name=push,*"), null).iterator().next(),
                    "RedisSubscriptionLosses")).longValue() >= 1);
        }
    }

    /**
     * Book tops and tickers of one symbol are ordered apart, as Redis's guard orders them: a ticker's event time is far
     * above a book top's update id, and must not hold the book tops back.
     */
    @Test
    void bookTopsAndTickersOfOneSymbolArePushedBoth() throws Exception {
        try (BinanceStandIn binance = new BinanceStandIn(List.of());
                RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", binance.url(), "binance.symbols", "AAAUSDT",
                        "binance.streams", "bookTicker,miniTicker"))) {
            await("connected", Duration.ofSeconds(20), () -> binance.connectedClients() == 1);
            List<JsonNode> client = subscribe(gateway.port(), "{\"op\":\"subscribe\",\"symbols\":[\"AAAUSDT\"]}");
            long now = System.currentTimeMillis();
            binance.broadcast(List.of(Frames.bookTicker("AAAUSDT", 100)));
            await("a book top", Duration.ofSeconds(10), () -> ticks(client, "bookTicker").equals(List.of(100L)));
            binance.broadcast(List.of(Frames.miniTicker("AAAUSDT", now, "30.5")));
            await("a ticker", Duration.ofSeconds(10), () -> ticks(client, "miniTicker").equals(List.of(now)));
            binance.broadcast(List.of(Frames.bookTicker("AAAUSDT", 101)));
            await("the next book top", Duration.ofSeconds(10), () -> ticks(client, "bookTicker").equals(List.of(100L, 101L)));
        }
    }

    /** Pub/sub ignores Redis's database: a gateway on another database gets none of database 0's ticks. */
    @Test
    void anotherDatabasesTicksAreNotPushed() throws Exception {
        try (BinanceStandIn binance = new BinanceStandIn(List.of());
                RunningGateway ingesting = RunningGateway.start(Map.of("binance.ws.url", binance.url(), "binance.symbols", "AAAUSDT"));
                RunningGateway other = RunningGateway.start(Map.of("binance.ws.url", "ws://127.0.0.1:1/stream", "binance.symbols", "AAAUSDT",
                        "redis.database", "5"))) {
            await("connected", Duration.ofSeconds(20), () -> binance.connectedClients() == 1);
            List<JsonNode> here = subscribe(ingesting.port(), "{\"op\":\"subscribe\",\"symbols\":[\"AAAUSDT\"]}");
            List<JsonNode> elsewhere = subscribe(other.port(), "{\"op\":\"subscribe\",\"symbols\":[\"AAAUSDT\"]}");
            binance.broadcast(List.of(Frames.bookTicker("AAAUSDT", 7)));
            await("pushed on database 0", Duration.ofSeconds(10), () -> ticks(here, "bookTicker").equals(List.of(7L)));
            binance.broadcast(List.of(Frames.bookTicker("AAAUSDT", 8)));
            await("the next", Duration.ofSeconds(10), () -> ticks(here, "bookTicker").equals(List.of(7L, 8L)));
            assertEquals(List.of(), ticks(elsewhere, "bookTicker"));
            assertEquals(0.0, other.metric("marketdata_stream_ticks_received_total"));
        } finally {
            try (Jedis jedis = TestRedis.client()) {
                jedis.select(5);
                jedis.flushDB();
            }
        }
    }

    /** One Binance instrument named BTC-USDT by the gateway that ingests and BTCUSDT by the one serving: pushed. */
    @Test
    void anInstrumentNamedTheOtherWayByAnotherGatewayIsPushed() throws Exception {
        try (BinanceStandIn binance = new BinanceStandIn(List.of());
                RunningGateway ingesting = RunningGateway.start(Map.of("binance.ws.url", binance.url(), "binance.symbols", "AAA-USDT"));
                RunningGateway serving = RunningGateway.start(Map.of("binance.ws.url", "ws://127.0.0.1:1/stream", "binance.symbols", "AAAUSDT"))) {
            await("connected", Duration.ofSeconds(20), () -> binance.connectedClients() == 1);
            List<JsonNode> client = subscribe(serving.port(), "{\"op\":\"subscribe\",\"symbols\":[\"AAAUSDT\"]}");
            binance.broadcast(List.of(Frames.bookTicker("AAAUSDT", 3)));
            await("pushed under the serving gateway's name", Duration.ofSeconds(10), () -> ticks(client, "bookTicker").equals(List.of(3L)));
            assertEquals("AAAUSDT", client.stream().filter(m -> m.get("op").asText().equals("tick")).findFirst().orElseThrow()
                    .get("data").get("symbol").asText());
        }
    }

    /**
     * Clients that close right after subscribing, while the subscribe is still being handled: nothing of them stays
     * in the hub, so the gateway stops saying it listens and the writers stop publishing.
     */
    @Test
    void clientsClosingWhileTheirSubscribeIsHandledLeaveNothingBehind() throws Exception {
        try (BinanceStandIn binance = new BinanceStandIn(List.of());
                RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", binance.url(), "binance.symbols", "AAAUSDT,BBBUSDT"))) {
            await("connected", Duration.ofSeconds(20), () -> binance.connectedClients() == 1);
            io.vertx.core.http.HttpClient http = vertx.createHttpClient(new io.vertx.core.http.HttpClientOptions().setMaxWebSockets(100));
            List<CompletableFuture<Void>> closed = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                CompletableFuture<Void> done = new CompletableFuture<>();
                closed.add(done);
                http.webSocket(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(gateway.port()).setURI("/api/v1/stream"))
                        .onSuccess(ws -> {
                            ws.closeHandler(v -> done.complete(null));
                            ws.writeTextMessage("{\"op\":\"subscribe\",\"symbols\":[\"AAAUSDT\",\"BBBUSDT\"],\"best\":[\"AAA-USDT\"]}");
                            ws.close();
                        }).onFailure(done::completeExceptionally);
            }
            CompletableFuture.allOf(closed.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            await("no client left", Duration.ofSeconds(10), () -> gateway.metric("marketdata_stream_clients ") == 0.0);
            // The key lives 3 s after its last refresh; a hub still holding a ghost would refresh it for ever.
            await("nobody listens any more", Duration.ofSeconds(10), () -> {
                try (Jedis jedis = TestRedis.client()) {
                    return !jedis.exists(dev.marketdata.pipeline.TickUpdates.LISTENING_KEY);
                }
            });
            assertEquals(0.0, gateway.metric("marketdata_stream_subscriptions "));
        }
    }

    /** What is not a WebSocket upgrade is refused in the API's envelope, not with Vert.x's bare 400 and a WARN. */
    @Test
    void aRequestThatIsNotAnUpgradeIsRefusedInTheEnvelope() throws Exception {
        try (RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", "ws://127.0.0.1:1/stream"));
                dev.marketdata.support.CapturedLog log = new dev.marketdata.support.CapturedLog(dev.marketdata.stream.StreamEndpoint.class)) {
            String answer;
            try (Socket raw = new Socket("127.0.0.1", gateway.port())) {
                raw.getOutputStream().write(("GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                answer = new String(raw.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            }
            assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
            JsonNode body = JSON.readTree(answer.substring(answer.indexOf("\r\n\r\n") + 4));
            assertEquals("BAD_REQUEST", body.get("error").get("code").asText());
            assertEquals(false, body.get("success").asBoolean());
            assertEquals(List.of(), log.lines());
        }
    }
}
