package dev.marketdata.exchange.bybit;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.model.Instrument;
import dev.marketdata.model.Venue;
import dev.marketdata.feed.VenueMapper;
import dev.marketdata.feed.ConnectLimiter;
import dev.marketdata.feed.ConnectionSpec;
import dev.marketdata.feed.ExchangeProtocol;
import dev.marketdata.feed.Subscriptions;
import dev.marketdata.model.Market;

/**
 * Bybit v5 public WebSocket: spot instruments on {@code <bybit.ws.url>/spot}, linear perpetuals on
 * {@code /linear}. Topics {@code tickers.<SYMBOL>} and {@code orderbook.1.<SYMBOL>}, at most
 * {@link #MAX_ARGS_PER_MESSAGE} per {@code {"op":"subscribe","args":[...]}} (Bybit's limit for spot, kept for
 * both) and at most {@link #MAX_ARGS_CHARS_PER_CONNECTION} characters of topics per connection (Bybit's
 * limit). The connection sends {@code {"op":"ping"}} every 20 s, as Bybit asks, or it is dropped.
 */
public final class BybitProtocol implements ExchangeProtocol {

    public static final int MAX_ARGS_PER_MESSAGE = 10;
    public static final int MAX_ARGS_CHARS_PER_CONNECTION = 21_000;
    public static final long KEEP_ALIVE_MILLIS = 20_000;

    @Override
    public Venue venue() {
        return Venue.BYBIT;
    }

    @Override
    public Set<String> streams() {
        return new java.util.LinkedHashSet<>(List.of(BybitMapper.ORDERBOOK_1, BybitMapper.TICKERS));
    }

    @Override
    public List<ConnectionSpec> connections(URI endpoint, List<Instrument> instruments, Set<String> streams) {
        record Topic(Instrument instrument, String name) {
        }
        List<ConnectionSpec> specs = new ArrayList<>();
        for (Market market : List.of(Market.SPOT, Market.PERP)) {
            List<Topic> topics = new ArrayList<>();
            for (Instrument instrument : instruments) {
                if (instrument.market() == market) {
                    for (String stream : streams) {
                        topics.add(new Topic(instrument, stream + "." + instrument.nativeSymbol()));
                    }
                }
            }
            String target = ExchangeProtocol.requestTarget(endpoint, market == Market.SPOT ? "/spot" : "/linear");
            for (List<Topic> connection : Subscriptions.split(topics, Integer.MAX_VALUE, MAX_ARGS_CHARS_PER_CONNECTION,
                    t -> t.name().length() + 3)) {
                List<String> messages = Subscriptions.split(connection, MAX_ARGS_PER_MESSAGE, Integer.MAX_VALUE, t -> 1)
                        .stream()
                        .map(group -> "{\"op\":\"subscribe\",\"args\":["
                                + group.stream().map(t -> Subscriptions.quoted(t.name())).collect(Collectors.joining(","))
                                + "]}")
                        .toList();
                specs.add(new ConnectionSpec(target, messages,
                        connection.stream().map(Topic::instrument).distinct().toList()));
            }
        }
        return specs;
    }

    /** Bybit allows 500 new connections per 5 minutes per IP; kept under it, leaving room for a neighbour. */
    @Override
    public ConnectLimiter connectLimiter() {
        return new ConnectLimiter(450, 5 * 60_000L, System::currentTimeMillis);
    }

    @Override
    public String keepAliveText() {
        return "{\"op\":\"ping\"}";
    }

    @Override
    public long keepAliveMillis() {
        return KEEP_ALIVE_MILLIS;
    }

    @Override
    public VenueMapper mapper(ObjectMapper json, ConnectionSpec connection, Set<String> streams) {
        return new BybitMapper(json, connection.instruments(), streams);
    }
}
