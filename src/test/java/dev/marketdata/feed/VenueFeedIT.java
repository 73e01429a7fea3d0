package dev.marketdata.feed;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marketdata.exchange.bybit.BybitProtocol;
import dev.marketdata.exchange.coinbase.CoinbaseProtocol;
import dev.marketdata.exchange.htx.HtxProtocol;
import dev.marketdata.exchange.okx.OkxProtocol;
import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.Instrument;
import dev.marketdata.model.Venue;
import dev.marketdata.pipeline.TickJson;
import dev.marketdata.support.CountingFeedEvents;
import dev.marketdata.support.VenueRecordings;
import dev.marketdata.support.VenueStandIn;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.Test;

/**
 * Each venue's recorded frames over a real socket, the way a live venue sends them: a stand-in per protocol
 * takes the connection's subscribe messages only if they keep to the venue's limits, then replays the
 * recording of that endpoint (HTX's as gzip binary frames, its pings included, which must be answered), and
 * the connection's own mapper turns every frame into the outcomes the mapper tests expect of it.
 */
@EnabledIf(value = "dev.marketdata.support.VenueRecordings#available", disabledReason = VenueRecordings.MISSING)
class VenueFeedIT {

    private final Vertx vertx = Vertx.vertx();
    private final List<StreamConnection> connections = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        connections.forEach(StreamConnection::stop);
        vertx.close().toCompletionStage().toCompletableFuture().get();
    }

    /** Tally of outcomes: accepted per symbol, then "control", "other", and rejections by reason. */
    private final Map<String, Integer> tally = new ConcurrentHashMap<>();

    private void open(VenueStandIn venue, String path, ExchangeProtocol protocol, List<Instrument> instruments, Set<String> streams) {
        URI endpoint = URI.create(venue.url(path));
        List<ConnectionSpec> specs = protocol.connections(endpoint, instruments, streams);
        for (int i = 0; i < specs.size(); i++) {
            ConnectionSpec spec = specs.get(i);
            VenueMapper mapper = protocol.mapper(TickJson.newMapper(), spec, streams);
            StreamConnection connection = new StreamConnection(protocol.venue().id(), i, specs.size(), endpoint, spec, protocol,
                    vertx, vertx.createHttpClient(new HttpClientOptions().setMaxWebSocketMessageSize(4 << 20)
                            .setMaxWebSocketFrameSize(4 << 20)), new CountingFeedEvents(), protocol.connectLimiter(),
                    new ConnectionTiming(50, 200, 60_000, 30_000, 3_600_000, 0),
                    (body, nanos, v) -> OutcomeDispatch.outcomes(mapper, body, 1L).forEach(this::count));
            connections.add(connection);
            connection.start();
        }
    }

    private void count(FrameOutcome outcome) {
        String key;
        if (outcome instanceof FrameOutcome.Accepted a) {
            key = a.tick().exchange() + ":" + a.tick().symbol();
        } else if (outcome instanceof FrameOutcome.Ignored i) {
            key = i.kind();
        } else {
            key = ((FrameOutcome.Rejected) outcome).reason().tag();
        }
        tally.merge(key, 1, Integer::sum);
    }

    private int total() {
        return tally.values().stream().mapToInt(Integer::intValue).sum();
    }


    @Test
    void okxTickersArriveThroughItsSubscription() throws Exception {
        List<VenueStandIn.Frame> recorded = VenueRecordings.frames(VenueRecordings.OKX, r -> true);
        try (VenueStandIn okx = new VenueStandIn()
                .requireSubscriptions("one op:subscribe of at most 64 KB", m -> m.startsWith("{\"op\":\"subscribe\"")
                        && m.length() <= OkxProtocol.MAX_MESSAGE_BYTES)
                .replayOnSubscribe(uri -> recorded)) {
            open(okx, "/ws/v5/public", new OkxProtocol(), List.of(Instrument.parse(Venue.OKX, "BTC-USDT"),
                    Instrument.parse(Venue.OKX, "UNI-USD-PERP")), Set.of("tickers"));
            await("every recorded frame mapped", Duration.ofSeconds(20), () -> total() == 46);
            assertEquals(new TreeMap<>(Map.of("okx:BTC-USDT", 25, "okx:UNI-USD-PERP", 1, "unknown_symbol", 2, "control", 18)),
                    new TreeMap<>(tally));
            assertEquals(List.of(), okx.drops);
        }
    }

    @Test
    void bybitSpotAndLinearEachGetTheirEndpointsFrames() throws Exception {
        List<VenueStandIn.Frame> linear = VenueRecordings.frames(VenueRecordings.BYBIT, r -> r.connection().endsWith("/linear"));
        List<VenueStandIn.Frame> spot = VenueRecordings.frames(VenueRecordings.BYBIT, r -> r.connection().endsWith("/spot"));
        try (VenueStandIn bybit = new VenueStandIn()
                .requireSubscriptions("at most 10 args a message", m -> {
                    try {
                        JsonNode args = TickJson.mapper().readTree(m).get("args");
                        return m.startsWith("{\"op\":\"subscribe\"") && args.size() <= BybitProtocol.MAX_ARGS_PER_MESSAGE;
                    } catch (Exception e) {
                        return false;
                    }
                })
                .replayOnSubscribe(uri -> uri.endsWith("/linear") ? linear : uri.endsWith("/spot") ? spot : List.of())) {
            open(bybit, "/v5/public", new BybitProtocol(), List.of(Instrument.parse(Venue.BYBIT, "BTC-USDT"),
                    Instrument.parse(Venue.BYBIT, "ETH-USDT"), Instrument.parse(Venue.BYBIT, "BTC-USDT-PERP"),
                    Instrument.parse(Venue.BYBIT, "ETH-USDT-PERP"), Instrument.parse(Venue.BYBIT, "SOL-USDT-PERP"),
                    Instrument.parse(Venue.BYBIT, "DOGE-USDT-PERP")), new TreeSet<>(Set.of("tickers", "orderbook.1")));
            await("every recorded frame mapped", Duration.ofSeconds(30), () -> total() == linear.size() + spot.size());
            assertEquals(new TreeSet<>(List.of("/v5/public/linear", "/v5/public/spot")),
                    new TreeSet<>(bybit.clients().stream().map(c -> c.uri).toList()));
            // The recording's level-200 books are not the level-1 stream subscribed to: ignored, like the replies.
            assertEquals(new TreeMap<>(Map.of("bybit:BTC-USDT", 41, "bybit:ETH-USDT", 40, "bybit:BTC-USDT-PERP", 185,
                    "bybit:ETH-USDT-PERP", 216, "bybit:SOL-USDT-PERP", 193, "bybit:DOGE-USDT-PERP", 164, "other", 2148,
                    "control", 24)), new TreeMap<>(tally));
            assertEquals(List.of(), bybit.drops);
        }
    }

    @Test
    void coinbaseTickersArriveAfterItsTwoSubscriptions() throws Exception {
        List<VenueStandIn.Frame> recorded = VenueRecordings.frames(VenueRecordings.COINBASE, r -> true);
        try (VenueStandIn coinbase = new VenueStandIn()
                .requireSubscriptions("one channel per message", m -> {
                    try {
                        JsonNode message = TickJson.mapper().readTree(m);
                        return message.get("channel").isTextual() && !message.has("channels");
                    } catch (Exception e) {
                        return false;
                    }
                })
                .replayOnSubscribe(uri -> recorded)) {
            open(coinbase, "", new CoinbaseProtocol(), List.of(Instrument.parse(Venue.COINBASE, "BTC-USD"),
                    Instrument.parse(Venue.COINBASE, "ETH-USD")), Set.of("ticker"));
            await("every recorded frame mapped", Duration.ofSeconds(20), () -> total() == 190);
            assertEquals(160, tally.get("coinbase:BTC-USD") + tally.get("coinbase:ETH-USD"));
            assertEquals(30, tally.get("control"));
            assertEquals(2, coinbase.clients().get(0).received.size());
            assertEquals(List.of(), coinbase.drops);
        }
    }

    @Test
    void htxGzipFramesAreInflatedAndItsRecordedPingsAnswered() throws Exception {
        List<VenueStandIn.Frame> recorded = VenueRecordings.frames(VenueRecordings.HTX, r -> true);
        List<String> pings = recorded.stream().map(VenueStandIn.Frame::text).filter(t -> t.startsWith("{\"ping\":")).toList();
        try (VenueStandIn htx = new VenueStandIn()
                .requireSubscriptions("one sub per message", m -> m.matches("\\{\"sub\":\"market\\.[a-z0-9]+\\.(bbo|ticker)\",\"id\":\"\\d+\"}"))
                .replayOnSubscribe(uri -> recorded)) {
            open(htx, "/ws", new HtxProtocol(), List.of(Instrument.parse(Venue.HTX, "TRIO-ETH")), Set.of("bbo"));
            await("every recorded frame mapped", Duration.ofSeconds(20), () -> total() == recorded.size());
            assertEquals(new TreeMap<>(Map.of("control", 26, "other", 336)), new TreeMap<>(tally));
            // Every recorded ping was answered with its own number.
            await("the pongs", Duration.ofSeconds(5), () -> htx.clients().get(0).received.stream()
                    .filter(t -> t.startsWith("{\"pong\":")).count() == pings.size());
            List<String> pongs = htx.clients().get(0).received.stream().filter(t -> t.startsWith("{\"pong\":")).toList();
            assertEquals(pings.stream().map(p -> p.replace("ping", "pong")).toList(), pongs);
            assertTrue(pings.size() > 0);
        }
    }
}
