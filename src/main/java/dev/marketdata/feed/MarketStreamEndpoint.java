package dev.marketdata.feed;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import dev.marketdata.model.Followed;
import dev.marketdata.model.Instrument;
import dev.marketdata.model.Venue;
import org.apache.camel.Category;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.spi.UriEndpoint;
import org.apache.camel.spi.UriParam;
import org.apache.camel.spi.UriPath;
import org.apache.camel.support.DefaultEndpoint;

/**
 * One venue's market streams; consumer only. Every option defaults to the venue's properties
 * ({@code <id>.ws.url}, {@code <id>.symbols}, {@code <id>.streams}), so a route names the venue and nothing
 * else; an option given on the endpoint wins. The symbol list stays out of the URI by default: with thousands
 * of symbols it would be a URI Camel sanitizes for every JMX name and health check.
 */
@UriEndpoint(firstVersion = "1.0.0", scheme = "market-stream", title = "Market stream", syntax = "market-stream:exchange",
        consumerOnly = true, category = { Category.NETWORKING })
public class MarketStreamEndpoint extends DefaultEndpoint {

    /** Binance allows at most this many streams on one connection. */
    public static final int MAX_STREAMS_PER_CONNECTION = 1024;
    /**
     * Request target (path and query) of one Binance connection, in characters. Binance was measured to accept
     * 8,004 (unicorn-binance-websocket-api, tools/test_max_websocket_uri_length.py); 8 KB request lines are a
     * common limit of servers and proxies. 7,000 leaves room for the rest of the request line and headers.
     */
    public static final int DEFAULT_MAX_URL_LENGTH = 7_000;

    @UriPath(description = "The exchange id: binance, okx, bybit, coinbase, htx")
    private final Venue venue;
    private final VenueStream configured;
    @UriParam(description = "The venue's WebSocket URL (ws:// or wss://); default <id>.ws.url")
    private String url;
    @UriParam(description = "Comma-separated symbols (BTC-USDT, BTC-USDT-PERP; Binance also BTCUSDT); default <id>.symbols")
    private String symbols;
    @UriParam(description = "Comma-separated stream names as the venue spells them; default <id>.streams")
    private String streams;
    @UriParam(description = "Binance: streams per connection (at most 1024); more are split over connections",
            defaultValue = "1024")
    private int maxStreamsPerConnection = MAX_STREAMS_PER_CONNECTION;
    @UriParam(description = "Binance: the longest request target of a connection; longer stream lists are split",
            defaultValue = "7000")
    private int maxUrlLength = DEFAULT_MAX_URL_LENGTH;

    MarketStreamEndpoint(String uri, MarketStreamComponent component, Venue venue, VenueStream configured) {
        super(uri, component);
        this.venue = venue;
        this.configured = configured;
    }

    @Override
    public MarketStreamComponent getComponent() {
        return (MarketStreamComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("market-stream is consumer only");
    }

    /** The venue's settings; it must be among the enabled exchanges to be consumed. */
    private VenueStream configured() {
        if (configured == null) {
            throw new IllegalStateException("market-stream:" + venue.id() + ": " + venue.id()
                    + " is not among the enabled exchanges (the exchanges property)");
        }
        return configured;
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        MarketStreamConsumer consumer = new MarketStreamConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    public Venue venue() {
        return venue;
    }

    VenueFeed feed() {
        return configured().feed();
    }

    ConnectionTiming timing() {
        return configured().timing();
    }

    public void setUrl(String url) {
        if (configured == null) {
            // A venue not among the exchanges: its route is never started, its settings are not read.
            return;
        }
        // Camel may collapse the "//" after the scheme.
        String fixed = url.trim().replaceFirst("^(?i)(wss?):/*", "$1://");
        if (!fixed.matches("(?i)wss?://[^/?#\\s]+(/[^#\\s]*)?")) {
            throw new IllegalArgumentException("market-stream:" + venue.id() + " needs a ws:// or wss:// url, got " + url);
        }
        this.url = fixed;
    }

    public String getUrl() {
        return url != null ? url : configured == null ? null : configured.url();
    }

    URI target() {
        return URI.create(getUrl());
    }

    public void setSymbols(String symbols) {
        this.symbols = symbols;
    }

    public String getSymbols() {
        return symbols;
    }

    public void setStreams(String streams) {
        this.streams = streams;
    }

    public String getStreams() {
        return streams;
    }

    /** Taken as text and read only for an enabled venue: a disabled venue's route must not fail on its settings. */
    public void setMaxStreamsPerConnection(String max) {
        if (configured == null) {
            return;
        }
        int n = whole("maxStreamsPerConnection", max);
        if (n < 1 || n > MAX_STREAMS_PER_CONNECTION) {
            throw new IllegalArgumentException("maxStreamsPerConnection must be 1-" + MAX_STREAMS_PER_CONNECTION);
        }
        this.maxStreamsPerConnection = n;
    }

    int maxStreamsPerConnection() {
        return maxStreamsPerConnection;
    }

    public void setMaxUrlLength(String max) {
        if (configured == null) {
            return;
        }
        this.maxUrlLength = whole("maxUrlLength", max);
    }

    int maxUrlLength() {
        return maxUrlLength;
    }

    private static int whole(String option, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " must be a whole number, got '" + value + "'");
        }
    }

    /** The instruments to follow: the endpoint's symbols, else the venue's configured ones. */
    List<Instrument> instruments() {
        if (symbols == null || symbols.isBlank()) {
            return configured().followed().current().instruments(venue);
        }
        List<Instrument> out = new ArrayList<>();
        for (String part : symbols.split(",")) {
            if (!part.isBlank()) {
                out.add(Instrument.parse(venue, part));
            }
        }
        return out;
    }

    /** The stream names to follow: the endpoint's, else the venue's configured ones. */
    Set<String> streamNames() {
        if (streams == null || streams.isBlank()) {
            return new LinkedHashSet<>(configured().followed().current().streams(venue));
        }
        Set<String> out = new LinkedHashSet<>();
        for (String part : streams.split(",")) {
            String name = part.trim();
            if (name.isEmpty()) {
                continue;
            }
            if (!protocol().streams().contains(name)) {
                throw new IllegalArgumentException("market-stream:" + venue.id() + ": '" + name + "' is not one of "
                        + protocol().streams());
            }
            out.add(name);
        }
        return out;
    }

    ExchangeProtocol protocol() {
        return configured().protocol().withConnectionLimits(maxStreamsPerConnection, maxUrlLength);
    }

    /** Whether the route names its own symbols or streams: the followed set's changes then leave it as it is. */
    boolean pinned() {
        return symbols != null && !symbols.isBlank() || streams != null && !streams.isBlank();
    }

    Followed followed() {
        return configured().followed();
    }

    /** The connections this endpoint's subscriptions need, under the venue's limits. */
    List<ConnectionSpec> connections() {
        return protocol().connections(target(), instruments(), streamNames());
    }
}
