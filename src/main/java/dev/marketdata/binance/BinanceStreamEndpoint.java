package dev.marketdata.binance;

import java.net.URI;
import java.util.List;

import dev.marketdata.GatewaySettings;
import dev.marketdata.feed.ConnectionSpec;
import dev.marketdata.model.Instrument;
import dev.marketdata.model.Venue;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** A Binance combined-stream endpoint; consumer only. */
public class BinanceStreamEndpoint extends DefaultEndpoint {

    private final URI target;
    private String streams;
    private int maxStreamsPerConnection = GatewaySettings.MAX_STREAMS_PER_CONNECTION;
    private int maxUrlLength = GatewaySettings.DEFAULT_MAX_URL_LENGTH;

    BinanceStreamEndpoint(String uri, BinanceStreamComponent component, URI target) {
        super(uri, component);
        this.target = target;
    }

    @Override
    public BinanceStreamComponent getComponent() {
        return (BinanceStreamComponent) super.getComponent();
    }

    @Override
    public Producer createProducer() {
        throw new UnsupportedOperationException("binance-stream is consumer only");
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        BinanceStreamConsumer consumer = new BinanceStreamConsumer(this, processor);
        configureConsumer(consumer);
        return consumer;
    }

    URI target() {
        return target;
    }

    /**
     * The combined-stream names, '/'-separated, as Binance's {@code ?streams=} takes them. Unset (the usual
     * case), the gateway's {@code binance.symbols} x {@code binance.streams}.
     */
    public void setStreams(String streams) {
        this.streams = streams;
    }

    public String getStreams() {
        return streams != null && !streams.isEmpty() ? streams : getComponent().settings().streamNames();
    }

    /** Streams per connection; Binance allows 1024. More are split over several connections. */
    public void setMaxStreamsPerConnection(int max) {
        if (max < 1 || max > GatewaySettings.MAX_STREAMS_PER_CONNECTION) {
            throw new IllegalArgumentException("maxStreamsPerConnection must be 1-"
                    + GatewaySettings.MAX_STREAMS_PER_CONNECTION);
        }
        this.maxStreamsPerConnection = max;
    }

    public int getMaxStreamsPerConnection() {
        return maxStreamsPerConnection;
    }

    /** The longest request target (path and query) a connection may have; longer lists are split. */
    public void setMaxUrlLength(int max) {
        this.maxUrlLength = max;
    }

    public int getMaxUrlLength() {
        return maxUrlLength;
    }

    /** The connections this endpoint's streams need, under its limits. */
    List<ConnectionSpec> connections() {
        BinanceProtocol protocol = protocol();
        List<Instrument> instruments = getComponent().settings().symbols().stream()
                .map(symbol -> Instrument.parse(Venue.BINANCE, symbol)).toList();
        return protocol.connections(target, List.of(getStreams().split("/")), instruments);
    }

    BinanceProtocol protocol() {
        return new BinanceProtocol(maxStreamsPerConnection, maxUrlLength);
    }
}
