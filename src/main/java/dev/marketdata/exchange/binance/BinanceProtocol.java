package dev.marketdata.exchange.binance;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.feed.ConnectLimiter;
import dev.marketdata.feed.ConnectionSpec;
import dev.marketdata.feed.ExchangeProtocol;
import dev.marketdata.feed.VenueMapper;
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
    public List<ConnectionSpec> connections(URI endpoint, List<Instrument> instruments, Set<String> streams) {
        List<String> names = new ArrayList<>();
        for (Instrument instrument : instruments) {
            for (String stream : streams) {
                names.add(StreamKind.fromConfigName(stream).streamName(instrument.nativeSymbol()));
            }
        }
        return connections(endpoint, names, instruments);
    }

    /** The connections for stream names given as Binance takes them ({@code btcusdt@bookTicker}). */
    public List<ConnectionSpec> connections(URI endpoint, List<String> streamNames, List<Instrument> instruments) {
        Map<String, Instrument> byStreamSymbol = instruments.stream().collect(Collectors.toMap(
                i -> i.nativeSymbol().toLowerCase(Locale.ROOT), Function.identity(), (a, b) -> a));
        List<ConnectionSpec> specs = new ArrayList<>();
        for (List<String> group : groups(endpoint, streamNames)) {
            List<Instrument> carried = group.stream().map(n -> byStreamSymbol.get(n.substring(0, Math.max(0, n.indexOf('@')))))
                    .filter(java.util.Objects::nonNull).distinct().toList();
            specs.add(new ConnectionSpec(requestTarget(endpoint, String.join("/", group)), List.of(), carried));
        }
        return specs;
    }

    /** The request target of a connection for a group of streams: {@code /stream?streams=a@bookTicker/b@bookTicker}. */
    static String requestTarget(URI endpoint, String group) {
        String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "/" : endpoint.getRawPath();
        return path + "?streams=" + group;
    }

    /** The streams cut into groups, one connection each, under the count and URL-length limits. */
    List<List<String>> groups(URI endpoint, List<String> streamNames) {
        int fixed = requestTarget(endpoint, "").length();
        List<List<String>> groups = new ArrayList<>();
        List<String> group = new ArrayList<>();
        int length = 0;
        for (String stream : streamNames) {
            boolean fits = group.size() < maxStreamsPerConnection
                    && fixed + length + (group.isEmpty() ? 0 : 1) + stream.length() <= maxUrlLength;
            if (!fits && !group.isEmpty()) {
                groups.add(group);
                group = new ArrayList<>();
                length = 0;
            }
            length += (group.isEmpty() ? 0 : 1) + stream.length();
            group.add(stream);
        }
        if (!group.isEmpty()) {
            groups.add(group);
        }
        return groups;
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

    @Override
    public VenueMapper mapper(ObjectMapper json, ConnectionSpec connection, Set<String> streams) {
        BinanceFrameMapper mapper = new BinanceFrameMapper(json,
                streams.stream().map(StreamKind::fromConfigName).collect(Collectors.toSet()), System::currentTimeMillis);
        // Binance names an instrument BTCUSDT whichever way it was configured: a tick of an instrument configured
        // as BTC-USDT is renamed to it (and to its configured assets) here.
        Map<String, Instrument> configured = connection == null ? Map.of() : connection.instruments().stream()
                .filter(i -> !i.symbol().equals(i.nativeSymbol()))
                .collect(Collectors.toMap(Instrument::nativeSymbol, Function.identity(), (a, b) -> a));
        if (configured.isEmpty()) {
            return (frame, receivedAt) -> List.of(mapper.mapReceivedAt(frame, receivedAt));
        }
        return (frame, receivedAt) -> {
            FrameOutcome outcome = mapper.mapReceivedAt(frame, receivedAt);
            if (outcome instanceof FrameOutcome.Accepted accepted) {
                Instrument instrument = configured.get(accepted.tick().symbol());
                if (instrument != null) {
                    outcome = new FrameOutcome.Accepted(accepted.tick().as(instrument), accepted.sequenceReset());
                }
            }
            return List.of(outcome);
        };
    }
}
