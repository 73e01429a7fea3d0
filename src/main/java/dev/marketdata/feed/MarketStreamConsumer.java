package dev.marketdata.feed;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import dev.marketdata.model.FrameBatch;
import dev.marketdata.model.FrameOutcome;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import org.apache.camel.Processor;
import org.apache.camel.support.DefaultConsumer;

/**
 * Runs one {@link StreamConnection} per connection the venue's protocol asks for and hands every frame to the
 * route, the frames of one event-loop turn as one exchange. Start never fails because the venue is unreachable: the connections retry with backoff while the rest of the gateway
 * serves.
 */
public class MarketStreamConsumer extends DefaultConsumer {

    private static final long DRAIN_MILLIS = 10_000;
    /** The most outcomes one exchange carries: bounds a batch's memory and the wait of its first frame. */
    public static final int MAX_BATCH = 256;
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
            ConnectionFrames frames = new ConnectionFrames(mapper);
            connections.add(new StreamConnection(id, i, specs.size(), endpoint.target(), specs.get(i), protocol,
                    vertx, client, feed, feed.connectLimiter(), endpoint.timing(), frames::frame));
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
     * One connection's frames on their way to the route: each frame is mapped (here on the event loop) and its
     * outcomes join the batch of this event-loop turn, which goes to the route as one exchange once the loop has
     * handled what it read (a task queued behind the reads), or at once when it reaches {@link #MAX_BATCH}.
     * The pipeline only checks and hands the ticks to the store's writer, it never waits on I/O, so no worker
     * hop (and no reordering) is needed. Synchronized: a make-before-break switch may deliver from two sockets.
     */
    private final class ConnectionFrames {

        private final VenueMapper mapper;
        private FrameBatch batch;

        ConnectionFrames(VenueMapper mapper) {
            this.mapper = mapper;
        }

        synchronized void frame(Object body, long receivedNanos, Vertx vertx) {
            if (!isRunAllowed()) {
                // Stopping (an operator's suspendIngest, a shutdown): a frame arriving now would only be refused by
                // the stopping route, with a stack trace each; the connections are closing.
                return;
            }
            long now = System.currentTimeMillis();
            if (recorder != null && body instanceof String text) {
                recorder.record(text, now);
            }
            getEndpoint().feed().frameArrived(now);
            List<FrameOutcome> outcomes = OutcomeDispatch.outcomes(mapper, body, now);
            if (batch == null) {
                batch = new FrameBatch();
                queued.incrementAndGet();
                Context context = Vertx.currentContext();
                if (context != null) {
                    context.runOnContext(v -> flush());
                } else {
                    vertx.runOnContext(v -> flush());
                }
            }
            batch.addAll(outcomes, receivedNanos);
            if (batch.size() >= MAX_BATCH) {
                flush();
            }
        }

        synchronized void flush() {
            FrameBatch full = batch;
            if (full == null) {
                return;
            }
            batch = null;
            try {
                OutcomeDispatch.dispatch(MarketStreamConsumer.this, full, what);
            } finally {
                queued.decrementAndGet();
            }
        }
    }
}
