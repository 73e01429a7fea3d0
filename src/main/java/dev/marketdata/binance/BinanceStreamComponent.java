package dev.marketdata.binance;

import java.net.URI;
import java.util.Map;

import dev.marketdata.GatewaySettings;
import dev.marketdata.replay.FrameRecorder;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * {@code binance-stream:wss://host:port/stream?streams=a@bookTicker/b@bookTicker}: Binance combined
 * streams as a Camel consumer, with the connection lifecycle Binance's rules call for (see
 * {@link StreamConnection}). Built on the Vert.x WebSocket client, as camel-vertx-websocket is, but its
 * client consumer cannot hold two connections for a make-before-break switch, split streams over
 * connections, back off with jitter, or notice a silent connection, and it attaches its frame handler
 * only after the handshake, losing the first frames.
 */
public class BinanceStreamComponent extends DefaultComponent {

    private final GatewaySettings settings;
    private final BinanceFeed feed;
    private final FrameRecorder recorder;
    private Vertx vertx;

    /** @param recorder writes every raw frame to {@code record.file}; null when not recording */
    public BinanceStreamComponent(GatewaySettings settings, BinanceFeed feed, FrameRecorder recorder) {
        this.settings = settings;
        this.feed = feed;
        this.recorder = recorder;
    }

    FrameRecorder recorder() {
        return recorder;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        // Camel may collapse the "//" after the scheme of the embedded URL.
        String url = remaining.replaceFirst("^(wss?):/*", "$1://");
        URI target = URI.create(url);
        if (target.getHost() == null || !(url.startsWith("ws://") || url.startsWith("wss://"))) {
            throw new IllegalArgumentException("binance-stream needs a ws:// or wss:// URL, got " + remaining);
        }
        BinanceStreamEndpoint endpoint = new BinanceStreamEndpoint(uri, this, target);
        setProperties(endpoint, parameters);
        return endpoint;
    }

    GatewaySettings settings() {
        return settings;
    }

    BinanceFeed feed() {
        return feed;
    }

    synchronized Vertx vertx() {
        if (vertx == null) {
            vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(16));
        }
        return vertx;
    }

    @Override
    protected void doStop() throws Exception {
        super.doStop();
        Vertx v;
        synchronized (this) {
            v = vertx;
            vertx = null;
        }
        if (v != null) {
            v.close().toCompletionStage().toCompletableFuture().get();
        }
    }
}
