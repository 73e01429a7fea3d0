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

    /** The request target of a connection for a group of streams: {@code /stream?streams=a@bookTicker/b@bookTicker}. */
    String requestTarget(String group) {
        String path = target.getRawPath() == null || target.getRawPath().isEmpty() ? "/" : target.getRawPath();
        return path + "?streams=" + group;
    }

    /**
     * The streams cut into groups, one connection each: at most {@link #getMaxStreamsPerConnection()} streams
     * (Binance allows 1024) and a request target of at most {@link #getMaxUrlLength()} characters, since servers
     * and proxies refuse longer request lines (414, 431) and Binance was measured to accept about 8,000.
     */
    List<String> streamGroups() {
        String[] all = getStreams().split("/");
        int fixed = requestTarget("").length();
        List<String> groups = new ArrayList<>();
        StringBuilder group = new StringBuilder();
        int inGroup = 0;
        for (String stream : all) {
            boolean fits = inGroup < maxStreamsPerConnection
                    && fixed + group.length() + (inGroup == 0 ? 0 : 1) + stream.length() <= maxUrlLength;
            if (!fits && inGroup > 0) {
                groups.add(group.toString());
                group.setLength(0);
                inGroup = 0;
            }
            group.append(inGroup == 0 ? "" : "/").append(stream);
            inGroup++;
        }
        if (inGroup > 0) {
            groups.add(group.toString());
        }
        return groups;
    }
}
