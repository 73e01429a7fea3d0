package dev.marketdata.feed;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;

/**
 * Runs one {@link StreamConnection} per connection the venue's protocol asks for and hands every frame to the
 * route. Start never fails because the venue is unreachable: the connections retry with backoff while the rest of the gateway
 * serves.
 */
public class MarketStreamConsumer extends DefaultConsumer {

    private static final long DRAIN_MILLIS = 10_000;
    private final List<StreamConnection> connections = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();
    private HttpClient client;
    private FrameRecorder recorder;
    private String what = "a frame";

    MarketStreamConsumer(MarketStreamEndpoint endpoint, Processor processor) {
        super(endpoint, processor);
    }

    @Override
    public MarketStreamEndpoint getEndpoint() {
        return (MarketStreamEndpoint) super.getEndpoint();
    }

    @Override
    protected void doStart() throws Exception {
        super.doStart();
        MarketStreamEndpoint endpoint = getEndpoint();
        MarketStreamComponent component = endpoint.getComponent();
        VenueFeed feed = endpoint.feed();
        Vertx vertx = component.vertx();
        HttpClientOptions options = new HttpClientOptions(feed.clientOptions())
                .setSsl("wss".equalsIgnoreCase(endpoint.target().getScheme()))
                .setProxyOptions(null);
        client = vertx.createHttpClient(options);
        List<ConnectionSpec> specs = endpoint.connections();
        ExchangeProtocol protocol = endpoint.protocol();
        Set<String> streams = endpoint.streamNames();
        String id = endpoint.venue().id();
        recorder = component.recorder(endpoint.venue());
        what = "a " + VenueFeed.displayName(endpoint.venue()) + " frame";
        for (int i = 0; i < specs.size(); i++) {
            VenueMapper mapper = protocol.mapper(component.json(), specs.get(i), streams);
            connections.add(new StreamConnection(id, i, specs.size(), endpoint.target(), specs.get(i), protocol,
                    vertx, client, feed, feed.connectLimiter(), endpoint.timing(), (body, nanos, v) -> dispatch(mapper, body, nanos)));
        }
        feed.transport(this);
        connections.forEach(StreamConnection::start);
    }

    @Override
    protected void doStop() throws Exception {
        connections.forEach(StreamConnection::stop);
        connections.clear();
        // Frames already received are still queued for the workers: let them through before the route stops.
        long deadline = System.currentTimeMillis() + DRAIN_MILLIS;
        while (queued.get() > 0 && System.currentTimeMillis() < deadline) {
            java.util.concurrent.locks.LockSupport.parkNanos(5_000_000L);
        }
        if (client != null) {
            client.close();
            client = null;
        }
        super.doStop();
    }

    /** Closes every open connection; each reconnects at once (make-before-break is for planned switches). */
    void reconnectAll() {
        connections.forEach(StreamConnection::dropAndReconnect);
    }

    int openConnections() {
        return (int) connections.stream().filter(StreamConnection::isOpen).count();
    }

    int connectionCount() {
        return connections.size();
    }

    /**
     * Maps one frame with its connection's mapper and runs the route for each outcome, here on the event loop:
     * the pipeline only checks and hands the tick to the store's writer, it never waits on I/O, so no worker hop
     * (and no reordering) is needed.
     */
    private void dispatch(VenueMapper mapper, Object body, long receivedNanos) {
        if (!isRunAllowed()) {
            // Stopping (an operator's suspendIngest, a shutdown): a frame arriving now would only be refused by
            // the stopping route, with a stack trace each; the connections are closing.
            return;
        }
        queued.incrementAndGet();
        try {
            long now = System.currentTimeMillis();
            if (recorder != null && body instanceof String text) {
                recorder.record(text, now);
            }
            getEndpoint().feed().frameArrived(now);
            OutcomeDispatch.dispatch(this, OutcomeDispatch.outcomes(mapper, body, now), receivedNanos, what);
        } finally {
            queued.decrementAndGet();
        }
    }
}
