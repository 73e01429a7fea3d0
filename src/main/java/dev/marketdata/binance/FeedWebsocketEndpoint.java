package dev.marketdata.binance;

import io.vertx.core.http.WebSocket;
import org.apache.camel.Consumer;
import org.apache.camel.Processor;
import org.apache.camel.component.vertx.websocket.VertxWebsocketComponent;
import org.apache.camel.component.vertx.websocket.VertxWebsocketConfiguration;
import org.apache.camel.component.vertx.websocket.VertxWebsocketEndpoint;
import org.apache.camel.support.service.ServiceHelper;

/**
 * The vertx-websocket endpoint with the gateway's hooks: every connection attempt and failure is reported to
 * the {@link BinanceFeed}, and a failure that switches the proxy restarts the endpoint, which drops the HTTP
 * client it caches (built with the old proxy). Its options are bound by the component's own configurer
 * (see META-INF/services/org/apache/camel/configurer).
 */
public class FeedWebsocketEndpoint extends VertxWebsocketEndpoint {
    private final BinanceFeed feed;

    FeedWebsocketEndpoint(String uri, VertxWebsocketComponent component, VertxWebsocketConfiguration configuration,
            BinanceFeed feed) {
        super(uri, component, configuration);
        this.feed = feed;
    }

    @Override
    public Consumer createConsumer(Processor processor) throws Exception {
        if (!getConfiguration().isConsumeAsClient()) {
            return super.createConsumer(processor);
        }
        FeedWebsocketConsumer consumer = new FeedWebsocketConsumer(this, processor, feed);
        configureConsumer(consumer);
        return consumer;
    }

    @Override
    protected WebSocket getWebSocket() throws Exception {
        feed.connectAttempt();
        try {
            return super.getWebSocket();
        } catch (Exception e) {
            if (feed.connectFailed(e)) {
                // Drop the cached HTTP client so that the next attempt is built with the next proxy.
                ServiceHelper.stopService(this);
                ServiceHelper.startService(this);
            }
            throw e;
        }
    }
}

