package dev.marketdata.exchange.okx;

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

/**
 * OKX v5 public WebSocket: one {@code {"op":"subscribe","args":[{"channel","instId"},...]}} per group of
 * arguments, each message under OKX's 64 KB limit on a request's channels; a connection carries at most
 * {@link #MAX_ARGS_PER_CONNECTION} subscriptions (OKX publishes no count, only 480 subscribe requests an hour
 * per connection, which this stays far below). OKX closes a connection that has had no data for 30 s; the
 * connection sends the text {@code ping} after 20 s and OKX answers {@code pong}.
 */
public final class OkxProtocol implements ExchangeProtocol {

    public static final int MAX_MESSAGE_BYTES = 64 * 1024;
    public static final int MAX_ARGS_PER_CONNECTION = 1000;
    public static final long KEEP_ALIVE_MILLIS = 20_000;

    @Override
    public Venue venue() {
        return Venue.OKX;
    }

    @Override
    public Set<String> streams() {
        return new java.util.LinkedHashSet<>(List.of(OkxMapper.BBO_TBT, OkxMapper.TICKERS));
    }

    /** The argument of a topic: {@code {"channel":"bbo-tbt","instId":"BTC-USDT"}}. */
    @Override
    public String topicName(Topic topic) {
        return "{\"channel\":" + Subscriptions.quoted(topic.stream()) + ",\"instId\":"
                + Subscriptions.quoted(topic.instrument().nativeSymbol()) + "}";
    }

    @Override
    public boolean fits(URI endpoint, List<Topic> topics) {
        return topics.size() <= MAX_ARGS_PER_CONNECTION;
    }

    @Override
    public ConnectionSpec connection(URI endpoint, String partition, List<Topic> topics) {
        return ConnectionSpec.of(ExchangeProtocol.requestTarget(endpoint, ""),
                requests("subscribe", topics, () -> 0, true).stream().map(Request::text).toList(), partition, topics);
    }

    @Override
    public List<Request> openingRequests(List<Topic> topics) {
        return requests("subscribe", topics, () -> 0, true);
    }

    @Override
    public List<Request> requests(List<Topic> topics, LongSupplier ids, boolean subscribe) {
        return requests(subscribe ? "subscribe" : "unsubscribe", topics, ids, subscribe);
    }

    /**
     * {@code {"op":"subscribe","args":[...]}}, each under OKX's 64 KB. OKX answers each argument with an event
     * naming it, and an error with neither id nor argument.
     */
    private List<Request> requests(String op, List<Topic> topics, LongSupplier ids, boolean subscribe) {
        int overhead = ("{\"op\":\"" + op + "\",\"args\":[]}").length();
        List<Request> out = new ArrayList<>();
        for (List<Topic> group : Subscriptions.split(topics, Integer.MAX_VALUE, MAX_MESSAGE_BYTES - overhead,
                t -> topicName(t).length() + 1)) {
            ids.getAsLong();
            out.add(new Request(null, "{\"op\":\"" + op + "\",\"args\":["
                    + group.stream().map(this::topicName).collect(Collectors.joining(",")) + "]}", group, subscribe));
        }
        return out;
    }

    /**
     * {@code {"event":"subscribe","arg":{...}}} (or {@code unsubscribe}) per argument;
     * {@code {"event":"error","code":"60012","msg":"..."}} for a refused request.
     */
    @Override
    public Reply requestReply(String text) {
        if (!text.startsWith("{\"event\"") && !(text.length() < 2048 && text.contains("\"event\""))) {
            return null;
        }
        JsonNode root = Subscriptions.json(text);
        if (root == null) {
            return null;
        }
        String event = root.path("event").asText();
        if (event.equals("error")) {
            return new Reply(null, null, "error " + VenueJson.clip(root.path("code").asText()) + ": "
                    + VenueJson.clip(root.path("msg").asText()));
        }
        JsonNode arg = root.get("arg");
        if ((event.equals("subscribe") || event.equals("unsubscribe")) && arg != null && arg.isObject()) {
            return new Reply(null, "{\"channel\":" + Subscriptions.quoted(arg.path("channel").asText()) + ",\"instId\":"
                    + Subscriptions.quoted(arg.path("instId").asText()) + "}", null);
        }
        return null;
    }

    /** OKX allows 480 subscribe requests an hour on a connection: far from it at one a second. */
    @Override
    public long requestSpacingMillis() {
        return 1_000;
    }

    /** OKX allows 3 connection requests a second per IP. */
    @Override
    public ConnectLimiter connectLimiter() {
        return new ConnectLimiter(3, 1_000, System::currentTimeMillis);
    }

    @Override
    public String keepAliveText() {
        return "ping";
    }

    @Override
    public long keepAliveMillis() {
        return KEEP_ALIVE_MILLIS;
    }

    @Override
    public VenueMapper mapper(ObjectMapper json, Followed followed, String partition) {
        return new OkxMapper(json, n -> followed.current().byNative(Venue.OKX, n), () -> followed.current().streamSet(Venue.OKX));
    }
}
