package dev.marketdata.binance;

import java.util.concurrent.atomic.AtomicReference;

import dev.marketdata.pipeline.LatestTickStore;
import io.vertx.core.http.WebSocket;
import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.apache.camel.component.vertx.websocket.VertxWebsocketClientConsumer;

/**
 * The vertx-websocket client consumer with the gateway's hooks: connects and closes are reported to the
 * {@link BinanceFeed}, stopping it closes the connection, and every frame is stamped with its arrival time.
 */
public class FeedWebsocketConsumer extends VertxWebsocketClientConsumer {
    private final BinanceFeed feed;
    private final AtomicReference<WebSocket> current = new AtomicReference<>();

    FeedWebsocketConsumer(FeedWebsocketEndpoint endpoint, Processor processor, BinanceFeed feed) {
        super(endpoint, processor);
        this.feed = feed;
    }

    @Override
    protected void configureWebSocketHandlers(WebSocket webSocket) {
        super.configureWebSocketHandlers(webSocket);
        current.set(webSocket);
        // The close handler belongs to the component (it reconnects); the end handler is ours.
        webSocket.endHandler(v -> feed.disconnected());
        feed.connected(() -> webSocket.close());
    }

    @Override
    protected void handleResult(Object result) {
        Exchange exchange = createExchange(true);
        exchange.setProperty(LatestTickStore.RECEIVED_NANOS, System.nanoTime());
        exchange.getMessage().setBody(result);
        processExchange(exchange);
    }

    @Override
    protected void doStop() throws Exception {
        WebSocket webSocket = current.getAndSet(null);
        if (webSocket != null && !webSocket.isClosed()) {
            webSocket.close();
        }
        feed.disconnected();
        super.doStop();
    }
}
