package dev.marketdata.exchange.bybit;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
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
    static final String SPOT = "spot";
    static final String LINEAR = "linear";

    @Override
    public Venue venue() {
        return Venue.BYBIT;
    }

    @Override
    public Set<String> streams() {
        return new java.util.LinkedHashSet<>(List.of(BybitMapper.ORDERBOOK_1, BybitMapper.TICKERS));
    }

    @Override
    public List<String> partitions() {
        return List.of(SPOT, LINEAR);
    }

    @Override
    public String partition(Instrument instrument) {
        return instrument.market() == Market.SPOT ? SPOT : LINEAR;
    }

    @Override
    public String topicName(Topic topic) {
        return topic.stream() + "." + topic.instrument().nativeSymbol();
    }

    /** At most {@link #MAX_ARGS_CHARS_PER_CONNECTION} characters of topics (each quoted, with its comma). */
    @Override
    public boolean fits(URI endpoint, List<Topic> topics) {
        int chars = 0;
        for (Topic topic : topics) {
            chars += topicName(topic).length() + 3;
        }
        return chars <= MAX_ARGS_CHARS_PER_CONNECTION;
    }

    @Override
    public ConnectionSpec connection(URI endpoint, String partition, List<Topic> topics) {
        String target = ExchangeProtocol.requestTarget(endpoint, "/" + (partition.isEmpty() ? SPOT : partition));
        List<String> messages = Subscriptions.split(topics, MAX_ARGS_PER_MESSAGE, Integer.MAX_VALUE, t -> 1).stream()
                .map(group -> "{\"op\":\"subscribe\",\"args\":" + args(group) + "}").toList();
        return ConnectionSpec.of(target, messages, partition, topics);
    }

    private String args(List<Topic> topics) {
        return "[" + topics.stream().map(t -> Subscriptions.quoted(topicName(t))).collect(Collectors.joining(",")) + "]";
    }

    /** The subscribe messages of {@link #connection}, which carry no {@code req_id}: answered in order. */
    @Override
    public List<Request> openingRequests(List<Topic> topics) {
        return Subscriptions.split(topics, MAX_ARGS_PER_MESSAGE, Integer.MAX_VALUE, t -> 1).stream()
                .map(group -> new Request(null, "{\"op\":\"subscribe\",\"args\":" + args(group) + "}", group, true)).toList();
    }

    @Override
    public List<Request> requests(List<Topic> topics, LongSupplier ids, boolean subscribe) {
        return requests(subscribe ? "subscribe" : "unsubscribe", topics, ids, subscribe);
    }

    /** {@code {"req_id":"n","op":"subscribe","args":[...]}}, at most {@link #MAX_ARGS_PER_MESSAGE} topics each. */
    private List<Request> requests(String op, List<Topic> topics, LongSupplier ids, boolean subscribe) {
        List<Request> out = new ArrayList<>();
        for (List<Topic> group : Subscriptions.split(topics, MAX_ARGS_PER_MESSAGE, Integer.MAX_VALUE, t -> 1)) {
            String id = Long.toString(ids.getAsLong());
            out.add(new Request(id, "{\"req_id\":\"" + id + "\",\"op\":\"" + op + "\",\"args\":" + args(group) + "}",
                    group, subscribe));
        }
        return out;
    }

    /** {@code {"success":true,"ret_msg":"","req_id":"n","op":"subscribe"}}; {@code success:false} refuses. */
    @Override
    public Reply requestReply(String text) {
        if (text.startsWith("{\"topic\"") || text.length() > 4096 || !text.contains("\"success\"")) {
            return null;
        }
        JsonNode root = Subscriptions.json(text);
        if (root == null || root.has("topic")) {
            return null;
        }
        String op = root.path("op").asText();
        if (!op.equals("subscribe") && !op.equals("unsubscribe")) {
            return null;
        }
        String id = root.hasNonNull("req_id") && !root.get("req_id").asText().isEmpty() ? root.get("req_id").asText() : null;
        return new Reply(id, null, root.path("success").asBoolean(false) ? null
                : "refused: " + VenueJson.clip(root.path("ret_msg").asText()));
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
    public VenueMapper mapper(ObjectMapper json, Followed followed, String partition) {
        java.util.function.Function<String, Instrument> lookup = partition.isEmpty()
                ? n -> followed.current().byNative(Venue.BYBIT, n)
                : n -> followed.current().byNative(Venue.BYBIT, partition.equals(SPOT) ? Market.SPOT : Market.PERP, n);
        return new BybitMapper(json, lookup, () -> followed.current().streamSet(Venue.BYBIT));
    }
}
