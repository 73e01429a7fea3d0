package dev.marketdata.binance;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;

import dev.marketdata.GatewaySettings;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.Producer;
import org.apache.camel.support.DefaultEndpoint;

/** A Binance combined-stream endpoint; consumer only. */
public class BinanceStreamEndpoint extends DefaultEndpoint {

    private final URI target;
    private String streams;
    private int maxStreamsPerConnection = GatewaySettings.MAX_STREAMS_PER_CONNECTION;

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

    /** The combined-stream names, '/'-separated, as Binance's {@code ?streams=} takes them. */
    public void setStreams(String streams) {
        this.streams = streams;
    }

    public String getStreams() {
        return streams;
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

    /** The streams cut into groups of at most {@link #getMaxStreamsPerConnection()}: one connection each. */
    List<String> streamGroups() {
        String[] all = streams == null ? new String[0] : streams.split("/");
        List<String> groups = new ArrayList<>();
        for (int i = 0; i < all.length; i += maxStreamsPerConnection) {
            groups.add(String.join("/", java.util.Arrays.copyOfRange(all, i, Math.min(all.length, i + maxStreamsPerConnection))));
        }
        return groups;
    }
}
