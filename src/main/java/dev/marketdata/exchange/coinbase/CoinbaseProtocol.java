package dev.marketdata.exchange.coinbase;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.exchange.VenueJson;
import dev.marketdata.feed.Topic;
import dev.marketdata.model.Followed;
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
    public String topicName(Topic topic) {
        return topic.stream() + ":" + topic.instrument().nativeSymbol();
    }

    /** At most {@link #MAX_PRODUCTS_PER_CONNECTION} products. */
    @Override
    public boolean fits(URI endpoint, List<Topic> topics) {
        return topics.stream().map(Topic::instrument).distinct().count() <= MAX_PRODUCTS_PER_CONNECTION;
    }

    /** One subscribe per channel with every product of the connection, then the heartbeats. */
    @Override
    public ConnectionSpec connection(URI endpoint, String partition, List<Topic> topics) {
        List<String> messages = new ArrayList<>();
        for (Request request : requests("subscribe", topics, () -> 0, true)) {
            messages.add(request.text());
        }
        messages.add(HEARTBEATS);
        return ConnectionSpec.of(ExchangeProtocol.requestTarget(endpoint, ""), messages, partition, topics);
    }

    /** One per channel, then the heartbeats: Coinbase answers each with its subscriptions list, in order. */
    @Override
    public List<Request> openingRequests(List<Topic> topics) {
        List<Request> out = new ArrayList<>(requests("subscribe", topics, () -> 0, true));
        out.add(new Request(null, HEARTBEATS, List.of(), true));
        return out;
    }

    @Override
    public List<Request> requests(List<Topic> topics, LongSupplier ids, boolean subscribe) {
        return requests(subscribe ? "subscribe" : "unsubscribe", topics, ids, subscribe);
    }

    /**
     * {@code {"type":"subscribe","product_ids":[...],"channel":"ticker"}}, one per channel as Coinbase requires.
     * Coinbase answers with its {@code subscriptions} list, or {@code {"type":"error","message":"..."}}: neither
     * names the request.
     */
    private List<Request> requests(String type, List<Topic> topics, LongSupplier ids, boolean subscribe) {
        Map<String, List<Topic>> byChannel = new LinkedHashMap<>();
        topics.forEach(t -> byChannel.computeIfAbsent(t.stream(), k -> new ArrayList<>()).add(t));
        List<Request> out = new ArrayList<>();
        byChannel.forEach((channel, group) -> {
            ids.getAsLong();
            String products = group.stream().map(t -> Subscriptions.quoted(t.instrument().nativeSymbol())).distinct()
                    .collect(Collectors.joining(","));
            out.add(new Request(null, "{\"type\":\"" + type + "\",\"product_ids\":[" + products + "],\"channel\":"
                    + Subscriptions.quoted(channel) + "}", group, subscribe));
        });
        return out;
    }

    @Override
    public Reply requestReply(String text) {
        if (text.startsWith("{\"type\":\"error\"") || text.length() < 4096 && text.contains("\"type\":\"error\"")) {
            JsonNode root = Subscriptions.json(text);
            return root == null ? null : new Reply(null, null, VenueJson.clip(root.path("message").asText()));
        }
        if (text.contains("\"channel\":\"subscriptions\"")) {
            return new Reply(null, null, null);
        }
        return null;
    }

    /** Coinbase allows 8 messages a second per IP, counted over every connection: two a connection. */
    @Override
    public long requestSpacingMillis() {
        return 500;
    }

    @Override
    public VenueMapper mapper(ObjectMapper json, Followed followed, String partition) {
        return new CoinbaseMapper(json, n -> followed.current().byNative(Venue.COINBASE, n));
    }
}
