package dev.marketdata.binance;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.feed.VenueFeed;
import dev.marketdata.pipeline.IngestMetrics;
import dev.marketdata.support.Frames;
import dev.marketdata.support.RawBinanceServer;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Fault injection against the connection lifecycle: the stand-in cuts, closes, goes silent, refuses,
 * announces serverShutdown, insists on pongs; the gateway reconnects within the backoff bounds (tests run
 * with a 100 ms base and a 1 s cap) and Redis ends with the newest tick per symbol of everything sent.
 */
class ConnectionLifecycleIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The cap of the tests' backoff, plus room for a busy 2-core machine. */
    private static final long RECONNECT_BOUND_MILLIS = 1000 + 1500;

    private final Map<String, Long> newest = new HashMap<>();
    private long sequence = 1000;

    @Test
    void abruptCloseCleanCloseAndSilenceEachLeadToAReconnectAndNothingIsLost() throws Exception {
        TestRedis.flush();
        try (RawBinanceServer binance = new RawBinanceServer();
                RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", binance.url(),
                        "binance.symbols", "BTCUSDT,ETHUSDT", "binance.idle-timeout", "1500ms"))) {
            IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
            awaitConnections(binance, 1);
            sendBurst(binance, metrics, 50);

            RawBinanceServer.Conn first = binance.last();
            first.cutAbruptly();
            awaitConnections(binance, 2);
            assertReconnectedWithinBound(first, binance.last());
            sendBurst(binance, metrics, 50);

            RawBinanceServer.Conn second = binance.last();
            second.closeCleanly(1001);
            awaitConnections(binance, 3);
            assertReconnectedWithinBound(second, binance.last());
            sendBurst(binance, metrics, 50);

            // Silence: no frame for longer than binance.idle-timeout; the gateway closes and reconnects.
            RawBinanceServer.Conn third = binance.last();
            awaitConnections(binance, 4);
            assertEquals(Integer.valueOf(1000), third.clientCloseCode);
            assertTrue(third.closedAt - third.openedAt >= 1500, "closed after " + (third.closedAt - third.openedAt));
            sendBurst(binance, metrics, 50);

            assertRedisHoldsNewest();
            VenueFeed feed = gateway.bean(VenueFeed.BINANCE_BEAN, VenueFeed.class);
            assertEquals(4L, feed.getConnects());
            assertEquals(3L, feed.getDisconnects());
            assertEquals("Started", gateway.context().getRouteController().getRouteStatus("binance-ingest").name());
        }
    }

    @Test
    void refusedConnectionsAreRetriedWithBackoffUntilBinanceAcceptsAgain() throws Exception {
        TestRedis.flush();
        try (RawBinanceServer binance = new RawBinanceServer();
                RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", binance.url(),
                        "binance.symbols", "BTCUSDT,ETHUSDT"))) {
            IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
            VenueFeed feed = gateway.bean(VenueFeed.BINANCE_BEAN, VenueFeed.class);
            awaitConnections(binance, 1);
            sendBurst(binance, metrics, 20);
            binance.refuseConnections();
            await("three refused attempts", Duration.ofSeconds(20), () -> feed.getFailedConnects() >= 3);
            long reopened = System.currentTimeMillis();
            binance.acceptConnections();
            awaitConnections(binance, 2);
            long gap = binance.last().openedAt - reopened;
            assertTrue(gap <= RECONNECT_BOUND_MILLIS, "reconnected " + gap + " ms after Binance accepted again");
            sendBurst(binance, metrics, 20);
            assertRedisHoldsNewest();
            assertTrue(feed.getLastError().contains("Connection refused"), feed.getLastError());
        }
    }

    @Test
    void serverShutdownSwitchesConnectionsMakeBeforeBreakWithoutMissingAFrame() throws Exception {
        TestRedis.flush();
        List<String> symbols = Frames.symbols(60);
        try (RawBinanceServer binance = new RawBinanceServer();
                RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", binance.url(),
                        "binance.symbols", String.join(",", symbols)))) {
            IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
            awaitConnections(binance, 1);
            RawBinanceServer.Conn old = binance.last();
            binance.broadcast("{\"e\":\"serverShutdown\",\"E\":1732000000000}");
            awaitConnections(binance, 2);
            // Both connections are open now; every frame goes to both, as Binance serves the same streams.
            // Each symbol ticks exactly once: a frame lost in the switch would leave its symbol missing.
            for (String symbol : symbols) {
                binance.broadcast(Frames.bookTicker(symbol, 1));
            }
            await("the old connection was closed by the gateway", Duration.ofSeconds(10), () -> !old.isOpen());
            assertEquals(Integer.valueOf(1000), old.clientCloseCode);
            await("every symbol stored", Duration.ofSeconds(20),
                    () -> symbols.stream().allMatch(s -> metrics.storedCount(s) == 1));
            try (Jedis redis = TestRedis.client()) {
                for (String symbol : symbols) {
                    assertTrue(redis.exists("tick:latest:" + symbol), symbol);
                }
            }
            assertEquals(1L, gateway.bean(VenueFeed.BINANCE_BEAN, VenueFeed.class).getRotations());
            assertEquals(1, binance.open().size());
        }
    }

    @Test
    void connectionsAreRotatedBeforeTheirMaximumAgeWithoutMissingAFrame() throws Exception {
        TestRedis.flush();
        List<String> symbols = Frames.symbols(400);
        try (RawBinanceServer binance = new RawBinanceServer();
                RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", binance.url(),
                        "binance.symbols", String.join(",", symbols), "binance.max-connection-age", "1500ms",
                        "binance.max-url-length", "65536"))) {
            IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
            VenueFeed feed = gateway.bean(VenueFeed.BINANCE_BEAN, VenueFeed.class);
            awaitConnections(binance, 1);
            // 400 distinct symbols, one frame each, spread over ~4 s: at least two switches happen meanwhile.
            long start = System.nanoTime();
            for (int i = 0; i < symbols.size(); i++) {
                long due = start + i * 10_000_000L;
                while (System.nanoTime() < due) {
                    java.util.concurrent.locks.LockSupport.parkNanos(1_000_000L);
                }
                binance.broadcast(Frames.bookTicker(symbols.get(i), 1));
            }
            await("every symbol stored once", Duration.ofSeconds(20),
                    () -> symbols.stream().allMatch(s -> metrics.storedCount(s) == 1));
            assertTrue(feed.getRotations() >= 2, "rotations " + feed.getRotations());
            assertEquals(feed.getRotations() + 1, binance.connections().size());
        }
    }

    @Test
    void serverPingsAreAnsweredSoTheConnectionStays() throws Exception {
        try (RawBinanceServer binance = new RawBinanceServer();
                RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", binance.url(),
                        "binance.symbols", "BTCUSDT"))) {
            awaitConnections(binance, 1);
            binance.insistOnPongs(100);
            await("ten pongs", Duration.ofSeconds(10), () -> binance.last().pongs() >= 10);
            assertEquals(0, binance.pongTimeouts());
            assertEquals(1, binance.connections().size());
        }
    }

    @Test
    void moreStreamsThanOneConnectionMayCarryAreSplit() throws Exception {
        TestRedis.flush();
        List<String> symbols = Frames.symbols(5);
        try (RawBinanceServer binance = new RawBinanceServer();
                RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", binance.url(),
                        "binance.symbols", String.join(",", symbols), "binance.max-streams-per-connection", "2"))) {
            IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
            awaitConnections(binance, 3);
            Set<String> streams = new TreeSet<>();
            for (RawBinanceServer.Conn conn : binance.connections()) {
                String[] names = conn.uri.substring(conn.uri.indexOf("streams=") + 8).split("/");
                assertTrue(names.length <= 2, conn.uri);
                streams.addAll(List.of(names));
            }
            Set<String> expected = new TreeSet<>();
            symbols.forEach(s -> expected.add(s.toLowerCase() + "@bookTicker"));
            assertEquals(expected, streams);
            for (String symbol : symbols) {
                binance.broadcast(Frames.bookTicker(symbol, 1));
            }
            // Every connection got every frame: each symbol stored once, the duplicates dropped as stale.
            await("all stored", Duration.ofSeconds(10), () -> symbols.stream().allMatch(s -> metrics.storedCount(s) == 1));
            await("duplicates dropped", Duration.ofSeconds(10), () -> metrics.droppedStaleCount() == 10);
            assertTrue(gateway.bean(VenueFeed.BINANCE_BEAN, VenueFeed.class).isConnected());
        }
    }

    private void sendBurst(RawBinanceServer binance, IngestMetrics metrics, int n) {
        double before = metrics.framesReceivedCount();
        double settledBefore = metrics.settledCount(List.of("BTCUSDT", "ETHUSDT"));
        for (int i = 0; i < n; i++) {
            String symbol = i % 2 == 0 ? "BTCUSDT" : "ETHUSDT";
            long u = ++sequence;
            newest.merge(symbol, u, Math::max);
            binance.broadcast(Frames.bookTicker(symbol, u));
        }
        await("the burst was processed", Duration.ofSeconds(20), () -> metrics.framesReceivedCount() == before + n);
        await("the burst settled", Duration.ofSeconds(20),
                () -> metrics.settledCount(List.of("BTCUSDT", "ETHUSDT")) == settledBefore + n);
    }

    private void assertRedisHoldsNewest() throws Exception {
        try (Jedis redis = TestRedis.client()) {
            for (Map.Entry<String, Long> e : newest.entrySet()) {
                assertEquals(e.getValue(), JSON.readTree(redis.get("tick:latest:" + e.getKey())).get("update_id").asLong(),
                        e.getKey());
            }
        }
    }

    private static void awaitConnections(RawBinanceServer binance, int n) {
        await(n + " connection(s) made", Duration.ofSeconds(20), () -> binance.connections().size() >= n);
        assertEquals(n, binance.connections().size());
    }

    private static void assertReconnectedWithinBound(RawBinanceServer.Conn closed, RawBinanceServer.Conn next) {
        long gap = next.openedAt - closed.closedAt;
        assertTrue(gap >= 0 && gap <= RECONNECT_BOUND_MILLIS, "reconnected after " + gap + " ms");
    }

}
