package dev.marketdata.exchange.binance;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.feed.ConnectLimiter;
import dev.marketdata.feed.ConnectionSpec;
import dev.marketdata.feed.ExchangeProtocol;
import dev.marketdata.feed.Subscriptions;
import dev.marketdata.feed.Topic;
import dev.marketdata.feed.VenueMapper;
import dev.marketdata.exchange.VenueJson;
import dev.marketdata.model.Followed;
import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.Instrument;
import dev.marketdata.model.StreamKind;
import dev.marketdata.model.Venue;

/**
 * Binance spot combined streams: nothing is sent on a connection; its streams are named in its URL,
 * {@code /stream?streams=btcusdt@bookTicker/ethusdt@bookTicker}. A connection carries at most
 * {@code maxStreamsPerConnection} streams (Binance allows 1024) and a request target of at most
 * {@code maxUrlLength} characters, since servers and proxies refuse longer request lines (414, 431) and
 * Binance was measured to accept about 8,000. Binance pings at the WebSocket level (Vert.x answers) and
 * announces a restart with a {@code serverShutdown} event.
 */
public final class BinanceProtocol implements ExchangeProtocol {

    /** Binance refuses a request over 4 KB. */
    static final int MAX_REQUEST_CHARS = 4096;
    private final int maxStreamsPerConnection;
    private final int maxUrlLength;

    public BinanceProtocol(int maxStreamsPerConnection, int maxUrlLength) {
        this.maxStreamsPerConnection = maxStreamsPerConnection;
        this.maxUrlLength = maxUrlLength;
    }

    @Override
    public ExchangeProtocol withConnectionLimits(int maxStreamsPerConnection, int maxUrlLength) {
        return new BinanceProtocol(maxStreamsPerConnection, maxUrlLength);
    }

    @Override
    public Venue venue() {
        return Venue.BINANCE;
    }

    @Override
    public Set<String> streams() {
        Set<String> names = new LinkedHashSet<>();
        for (StreamKind kind : StreamKind.values()) {
            names.add(kind.configName());
        }
        return names;
    }

    @Override
    public String topicName(Topic topic) {
        return StreamKind.fromConfigName(topic.stream()).streamName(topic.instrument().nativeSymbol());
    }

    /** At most {@code maxStreamsPerConnection} streams, and a request target of at most {@code maxUrlLength}. */
    @Override
    public boolean fits(URI endpoint, List<Topic> topics) {
        if (topics.size() > maxStreamsPerConnection) {
            return false;
        }
        int length = requestTarget(endpoint, "").length() - 1;
        for (Topic topic : topics) {
            length += topicName(topic).length() + 1;
            if (length > maxUrlLength) {
                return false;
            }
        }
        return true;
    }

    private static String names(ExchangeProtocol protocol, List<Topic> topics) {
        return topics.stream().map(protocol::topicName).collect(Collectors.joining("/"));
    }

    /** The streams are in the URL: nothing to send once open. */
    @Override
    public ConnectionSpec connection(URI endpoint, String partition, List<Topic> topics) {
        return ConnectionSpec.of(requestTarget(endpoint, names(this, topics)), List.of(), partition, topics);
    }

    /** The request target of a connection for a group of streams: {@code /stream?streams=a@bookTicker/b@bookTicker}. */
    static String requestTarget(URI endpoint, String group) {
        String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
        return path + "?streams=" + group;
    }

    @Override
    public List<Request> requests(List<Topic> topics, LongSupplier ids, boolean subscribe) {
        return requests(subscribe ? "SUBSCRIBE" : "UNSUBSCRIBE", topics, ids, subscribe);
    }

    /** {@code {"method":"SUBSCRIBE","params":[...],"id":n}}, each message under Binance's 4 KB. */
    private List<Request> requests(String method, List<Topic> topics, LongSupplier ids, boolean subscribe) {
        List<Request> out = new ArrayList<>();
        for (List<Topic> group : Subscriptions.split(topics, Integer.MAX_VALUE, MAX_REQUEST_CHARS - 64,
                t -> topicName(t).length() + 3)) {
            long id = ids.getAsLong();
            String params = group.stream().map(t -> Subscriptions.quoted(topicName(t))).collect(Collectors.joining(","));
            out.add(new Request(Long.toString(id), "{\"method\":\"" + method + "\",\"params\":[" + params + "],\"id\":" + id + "}",
                    group, subscribe));
        }
        return out;
    }

    /** {@code {"result":null,"id":n}}; an error is {@code {"code":2,"msg":"...","id":n}} (or inside {@code "error"}). */
    @Override
    public Reply requestReply(String text) {
        if (text.startsWith("{\"stream\"") || text.length() > 4096 || !text.contains("\"id\"")) {
            return null;
        }
        JsonNode root = Subscriptions.json(text);
        if (root == null || !root.hasNonNull("id")) {
            return null;
        }
        String id = root.get("id").asText();
        if (root.has("result") && !root.has("error")) {
            return new Reply(id, null, null);
        }
        JsonNode error = root.has("error") ? root.get("error") : root;
        if (error.has("code") || error.has("msg")) {
            return new Reply(id, null, "code " + VenueJson.clip(error.path("code").asText()) + ": "
                    + VenueJson.clip(error.path("msg").asText()));
        }
        return null;
    }

    /** Binance allows 5 messages a second on a connection, its pongs included: one every 300 ms stays under. */
    @Override
    public long requestSpacingMillis() {
        return 300;
    }

    /** Binance allows 300 new connections per 5 minutes per IP; kept under it (see {@link ConnectLimiter}). */
    @Override
    public ConnectLimiter connectLimiter() {
        return new ConnectLimiter(ConnectLimiter.DEFAULT_LIMIT, ConnectLimiter.WINDOW_MILLIS, System::currentTimeMillis);
    }

    @Override
    public boolean announcesShutdown(String text) {
        return text.contains("serverShutdown") && ServerShutdown.is(text);
    }

    /**
     * Binance names an instrument BTCUSDT whichever way it was configured: a tick of an instrument configured as
     * BTC-USDT is renamed to it (and to its configured assets) here, as the followed set is now.
     */
    @Override
    public VenueMapper mapper(ObjectMapper json, Followed followed, String partition) {
        Supplier<Set<StreamKind>> kinds = new Supplier<>() {
            private List<String> seen;
            private Set<StreamKind> wanted;

            @Override
            public Set<StreamKind> get() {
                List<String> streams = followed.current().streams(Venue.BINANCE);
                if (streams != seen) {
                    wanted = streams.stream().map(StreamKind::fromConfigName).collect(Collectors.toUnmodifiableSet());
                    seen = streams;
                }
                return wanted;
            }
        };
        BinanceFrameMapper mapper = new BinanceFrameMapper(json, kinds, System::currentTimeMillis);
        return (frame, receivedAt) -> {
            FrameOutcome outcome = mapper.mapReceivedAt(frame, receivedAt);
            if (outcome instanceof FrameOutcome.Accepted accepted) {
                Instrument instrument = followed.current().byNative(Venue.BINANCE, accepted.tick().symbol());
                if (instrument != null && !instrument.symbol().equals(instrument.nativeSymbol())) {
                    outcome = new FrameOutcome.Accepted(accepted.tick().as(instrument), accepted.sequenceReset());
                }
            }
            return List.of(outcome);
        };
    }
}
