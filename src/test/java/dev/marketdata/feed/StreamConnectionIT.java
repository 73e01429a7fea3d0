package dev.marketdata.feed;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.marketdata.exchange.bybit.BybitProtocol;
import dev.marketdata.exchange.coinbase.CoinbaseProtocol;
import dev.marketdata.exchange.htx.HtxProtocol;
import dev.marketdata.exchange.okx.OkxProtocol;
import dev.marketdata.model.Instrument;
import dev.marketdata.model.Venue;
import dev.marketdata.support.CountingFeedEvents;
import dev.marketdata.support.VenueStandIn;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The venue-neutral connection speaking each venue's protocol over a real socket to a stand-in that holds it
 * to the venue's rules: subscribe messages as soon as it is open, keep-alive texts on time (or the stand-in
 * drops it), HTX's gzip pings answered, binary frames inflated before they reach the pipeline.
 */
class StreamConnectionIT {

    private final Vertx vertx = Vertx.vertx();
    private final List<Object> frames = new CopyOnWriteArrayList<>();
    private final CountingFeedEvents events = new CountingFeedEvents();

    @AfterEach
    void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    private StreamConnection connect(VenueStandIn venue, String path, ExchangeProtocol protocol, List<Instrument> instruments,
            Set<String> streams, long keepAliveMillis) {
        return connect(venue, path, protocol, instruments, streams, keepAliveMillis, 3_600_000);
    }

    private StreamConnection connect(VenueStandIn venue, String path, ExchangeProtocol protocol, List<Instrument> instruments,
            Set<String> streams, long keepAliveMillis, long maxAgeMillis) {
        URI endpoint = URI.create(venue.url(path));
        ConnectionSpec spec = protocol.connections(endpoint, instruments, streams).get(0);
        HttpClient client = vertx.createHttpClient(new HttpClientOptions());
        StreamConnection connection = new StreamConnection(protocol.venue().id(), 0, 1, endpoint, spec, protocol, vertx, client,
                events, new ConnectLimiter(100, 1_000, System::currentTimeMillis),
                new ConnectionTiming(50, 200, 60_000, 30_000, maxAgeMillis, keepAliveMillis),
                (body, nanos, v) -> frames.add(body));
        connection.start();
        return connection;
    }

    @Test
    void okxGetsItsSubscriptionThenAPingBeforeItsDeadline() throws Exception {
        try (VenueStandIn okx = new VenueStandIn().requireKeepAlive("ping", 700)) {
            StreamConnection connection = connect(okx, "/ws/v5/public", new OkxProtocol(),
                    List.of(Instrument.parse(Venue.OKX, "BTC-USDT")), Set.of("tickers"), 300);
            await("five pings", Duration.ofSeconds(10), () -> okx.clients().size() == 1
                    && okx.clients().get(0).received.stream().filter("ping"::equals).count() >= 5);
            VenueStandIn.Client client = okx.clients().get(0);
            assertEquals("/ws/v5/public", client.uri);
            assertEquals("{\"op\":\"subscribe\",\"args\":[{\"channel\":\"tickers\",\"instId\":\"BTC-USDT\"}]}",
                    client.received.get(0));
            assertEquals(Set.of("ping"), Set.copyOf(client.received.subList(1, client.received.size())));
            // Kept alive past the 700 ms the stand-in allows: one connection all along.
            assertEquals(List.of(), okx.drops);
            assertEquals(1, okx.connections());
            okx.sendText("pong");
            await("the pong", Duration.ofSeconds(5), () -> frames.contains("pong"));
            connection.stop();
        }
    }

    @Test
    void aConnectionThatDoesNotPingIsDroppedByTheStandInAndComesBack() throws Exception {
        // The stand-in's rule is real: Coinbase's protocol sends no keep-alive text, so an OKX-like venue drops it.
        try (VenueStandIn strict = new VenueStandIn().requireKeepAlive("ping", 400)) {
            StreamConnection connection = connect(strict, "/", new CoinbaseProtocol(),
                    List.of(Instrument.parse(Venue.COINBASE, "BTC-USD")), Set.of("ticker"), 0);
            await("dropped and reconnected", Duration.ofSeconds(10), () -> strict.connections() >= 2);
            assertEquals("no ping for", strict.drops.get(0).substring(0, 11));
            connection.stop();
        }
    }

    @Test
    void bybitPingsEveryIntervalWhileDataFlows() throws Exception {
        try (VenueStandIn bybit = new VenueStandIn().requireKeepAlive("{\"op\":\"ping\"}", 700)) {
            StreamConnection connection = connect(bybit, "/v5/public", new BybitProtocol(),
                    List.of(Instrument.parse(Venue.BYBIT, "BTC-USDT-PERP")), Set.of("tickers"), 300);
            long vertxTimer = vertx.setPeriodic(50, id -> bybit.sendText("{\"topic\":\"tickers.BTCUSDT\"}"));
            await("five pings", Duration.ofSeconds(10), () -> bybit.clients().size() == 1
                    && bybit.clients().get(0).received.stream().filter("{\"op\":\"ping\"}"::equals).count() >= 5);
            vertx.cancelTimer(vertxTimer);
            assertEquals("/v5/public/linear", bybit.clients().get(0).uri);
            assertEquals("{\"op\":\"subscribe\",\"args\":[\"tickers.BTCUSDT\"]}", bybit.clients().get(0).received.get(0));
            assertEquals(List.of(), bybit.drops);
            assertEquals(1, bybit.connections());
            connection.stop();
        }
    }

    @Test
    void htxPingsAreAnsweredAndGzipFramesInflated() throws Exception {
        try (VenueStandIn htx = new VenueStandIn().htxPings(200, 400)) {
            StreamConnection connection = connect(htx, "/ws", new HtxProtocol(),
                    List.of(Instrument.parse(Venue.HTX, "BTC-USDT")), new java.util.TreeSet<>(Set.of("bbo", "ticker")), 0);
            await("five pongs", Duration.ofSeconds(10), () -> htx.clients().size() == 1
                    && htx.clients().get(0).received.stream().filter(t -> t.startsWith("{\"pong\":")).count() >= 5);
            VenueStandIn.Client client = htx.clients().get(0);
            assertEquals(List.of("{\"sub\":\"market.btcusdt.bbo\",\"id\":\"1\"}", "{\"sub\":\"market.btcusdt.ticker\",\"id\":\"2\"}"),
                    client.received.subList(0, 2));
            assertEquals(List.of(), htx.drops);
            String bbo = "{\"ch\":\"market.btcusdt.bbo\",\"ts\":1,\"tick\":{\"seqId\":1,\"ask\":2,\"askSize\":1,\"bid\":1,"
                    + "\"bidSize\":1,\"quoteTime\":1,\"symbol\":\"btcusdt\"}}";
            htx.sendBinary(VenueStandIn.gzip(bbo));
            await("the inflated frame", Duration.ofSeconds(5), () -> frames.contains(bbo));
            // The pings reached the pipeline as text too (its mapper counts them as control frames).
            assertTrue(frames.stream().anyMatch(f -> f instanceof String s && s.startsWith("{\"ping\":")));
            // Not gzip: passed on as bytes, for the pipeline to reject as a binary frame.
            htx.sendBinary(new byte[] { 1, 2, 3 });
            await("the raw bytes", Duration.ofSeconds(5), () -> frames.stream().anyMatch(f -> f instanceof byte[]));
            connection.stop();
        }
    }

    /**
     * The active connection closes while a make-before-break switch is still connecting, and that switch then
     * fails: the reconnect that came due meanwhile must still happen (it was dropped, leaving the subscription
     * dead for good).
     */
    @Test
    void aConnectionLostDuringAFailingSwitchStillReconnects() throws Exception {
        try (VenueStandIn venue = new VenueStandIn().slowlyReject(2, 1_500)) {
            StreamConnection connection = connect(venue, "/", new CoinbaseProtocol(),
                    List.of(Instrument.parse(Venue.COINBASE, "BTC-USD")), Set.of("ticker"), 0, 1_000);
            // At 1 s the switch starts; its handshake hangs for 1.5 s and is then refused.
            await("the switch is connecting", Duration.ofSeconds(10), () -> venue.connections() == 2);
            venue.closeAll();
            await("reconnected after the failed switch", Duration.ofSeconds(15),
                    () -> venue.connections() >= 3 && venue.clients().size() == 1);
            await("open on the client side too", Duration.ofSeconds(5), connection::isOpen);
            assertEquals(1, venue.clients().size());
            connection.stop();
        }
    }

    @Test
    void coinbaseSubscribesToItsChannelAndHeartbeatsAtOnce() throws Exception {
        try (VenueStandIn coinbase = new VenueStandIn()) {
            StreamConnection connection = connect(coinbase, "", new CoinbaseProtocol(),
                    List.of(Instrument.parse(Venue.COINBASE, "BTC-USD"), Instrument.parse(Venue.COINBASE, "ETH-USD")),
                    Set.of("ticker"), 0);
            await("two subscriptions", Duration.ofSeconds(10),
                    () -> coinbase.clients().size() == 1 && coinbase.clients().get(0).received.size() == 2);
            assertEquals(List.of("{\"type\":\"subscribe\",\"product_ids\":[\"BTC-USD\",\"ETH-USD\"],\"channel\":\"ticker\"}",
                    "{\"type\":\"subscribe\",\"channel\":\"heartbeats\"}"), coinbase.clients().get(0).received);
            assertEquals("/", coinbase.clients().get(0).uri);
            assertEquals(1, events.connects.get());
            connection.stop();
        }
    }
}
