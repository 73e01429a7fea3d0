package dev.marketdata.exchange.coinbase;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.model.Instrument;
import dev.marketdata.model.Venue;
import dev.marketdata.feed.VenueMapper;
import dev.marketdata.feed.ConnectionSpec;
import dev.marketdata.feed.ExchangeProtocol;
import dev.marketdata.feed.Subscriptions;

/**
 * Coinbase Advanced Trade market data: one channel per subscribe message, as Coinbase requires,
 * {@code {"type":"subscribe","product_ids":[...],"channel":"ticker"}}, then
 * {@code {"type":"subscribe","channel":"heartbeats"}} so that a quiet product does not get the connection
 * closed; both are sent as soon as the connection opens (Coinbase closes one with no subscription within
 * 5 s). At most {@link #MAX_PRODUCTS_PER_CONNECTION} products a connection.
 */
public final class CoinbaseProtocol implements ExchangeProtocol {

    public static final int MAX_PRODUCTS_PER_CONNECTION = 100;
    static final String HEARTBEATS = "{\"type\":\"subscribe\",\"channel\":\"heartbeats\"}";

    @Override
    public Venue venue() {
        return Venue.COINBASE;
    }

    @Override
    public Set<String> streams() {
        return Set.of(CoinbaseMapper.TICKER);
    }

    @Override
    public List<ConnectionSpec> connections(URI endpoint, List<Instrument> instruments, Set<String> streams) {
        String target = ExchangeProtocol.requestTarget(endpoint, "");
        List<ConnectionSpec> specs = new ArrayList<>();
        for (List<Instrument> group : Subscriptions.split(instruments, MAX_PRODUCTS_PER_CONNECTION, Integer.MAX_VALUE, i -> 1)) {
            String products = group.stream().map(i -> Subscriptions.quoted(i.nativeSymbol())).collect(Collectors.joining(","));
            List<String> messages = new ArrayList<>();
            for (String channel : streams) {
                messages.add("{\"type\":\"subscribe\",\"product_ids\":[" + products + "],\"channel\":"
                        + Subscriptions.quoted(channel) + "}");
            }
            messages.add(HEARTBEATS);
            specs.add(new ConnectionSpec(target, messages, group));
        }
        return specs;
    }

    @Override
    public VenueMapper mapper(ObjectMapper json, ConnectionSpec connection, Set<String> streams) {
        return new CoinbaseMapper(json, connection.instruments());
    }
}
