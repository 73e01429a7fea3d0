package dev.marketdata.binance;

import org.apache.camel.component.vertx.websocket.VertxWebsocketComponent;
import org.apache.camel.component.vertx.websocket.VertxWebsocketConfiguration;
import org.apache.camel.component.vertx.websocket.VertxWebsocketEndpoint;

/**
 * camel-vertx-websocket, bound as {@code vertx-websocket}, with the few hooks the gateway needs to run
 * and watch a client connection: every attempt, success, failure and close is reported to the
 * {@link BinanceFeed}; a failed attempt switches the proxy (the endpoint keeps its HTTP client, and so
 * its proxy, until it is restarted); stopping the consumer closes the connection; each frame is
 * stamped with its arrival time for the ingest latency timer.
 */
public class FeedWebsocketComponent extends VertxWebsocketComponent {

    private final BinanceFeed feed;

    public FeedWebsocketComponent(BinanceFeed feed) {
        this.feed = feed;
    }

    @Override
    protected VertxWebsocketEndpoint createEndpointInstance(String uri, VertxWebsocketConfiguration configuration) {
        return new FeedWebsocketEndpoint(uri, this, configuration, feed);
    }
}
