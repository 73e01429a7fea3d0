package dev.marketdata.exchange.okx;

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

    @Override
    public List<ConnectionSpec> connections(URI endpoint, List<Instrument> instruments, Set<String> streams) {
        record Arg(Instrument instrument, String json) {
        }
        List<Arg> args = new ArrayList<>();
        for (Instrument instrument : instruments) {
            for (String channel : streams) {
                args.add(new Arg(instrument, "{\"channel\":" + Subscriptions.quoted(channel) + ",\"instId\":"
                        + Subscriptions.quoted(instrument.nativeSymbol()) + "}"));
            }
        }
        String target = ExchangeProtocol.requestTarget(endpoint, "");
        List<ConnectionSpec> specs = new ArrayList<>();
        for (List<Arg> connection : Subscriptions.split(args, MAX_ARGS_PER_CONNECTION, Integer.MAX_VALUE, a -> 1)) {
            List<String> messages = new ArrayList<>();
            int overhead = "{\"op\":\"subscribe\",\"args\":[]}".length();
            for (List<Arg> group : Subscriptions.split(connection, Integer.MAX_VALUE, MAX_MESSAGE_BYTES - overhead,
                    a -> a.json().length() + 1)) {
                messages.add("{\"op\":\"subscribe\",\"args\":["
                        + group.stream().map(Arg::json).collect(Collectors.joining(",")) + "]}");
            }
            specs.add(new ConnectionSpec(target, messages,
                    connection.stream().map(Arg::instrument).distinct().toList()));
        }
        return specs;
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
    public VenueMapper mapper(ObjectMapper json, ConnectionSpec connection, Set<String> streams) {
        return new OkxMapper(json, connection.instruments(), streams);
    }
}
