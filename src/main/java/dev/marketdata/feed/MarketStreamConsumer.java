package dev.marketdata.feed;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.marketdata.model.FrameBatch;
import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.Instrument;
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
    private final List<StreamConnection> connections = new CopyOnWriteArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger queued = new java.util.concurrent.atomic.AtomicInteger();
    private HttpClient client;
    private FrameRecorder recorder;
    private String what = "a frame";
    private int opened;

    /** What a change of the followed set did to the connections. */
    public record Resubscription(int subscribed, int unsubscribed, int connectionsOpened, int connectionsClosed) {
        @Override
        public String toString() {
            return subscribed + " topic(s) to subscribe, " + unsubscribed + " to unsubscribe, " + connectionsOpened
                    + " connection(s) opened, " + connectionsClosed + " closed";
        }
    }

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
        VenueFeed feed = endpoint.feed();
        Vertx vertx = endpoint.getComponent().vertx();
        HttpClientOptions options = new HttpClientOptions(feed.clientOptions())
                .setSsl("wss".equalsIgnoreCase(endpoint.target().getScheme()))
                .setProxyOptions(null);
        client = vertx.createHttpClient(options);
        recorder = endpoint.getComponent().recorder(endpoint.venue());
        what = "a " + VenueFeed.displayName(endpoint.venue()) + " frame";
        opened = 0;
        synchronized (this) {
            for (ConnectionSpec spec : endpoint.connections()) {
                open(spec.partition(), spec.topics(), spec);
            }
        }
        feed.transport(this);
        connections.forEach(StreamConnection::start);
    }

    /** A new connection for these topics (not started): its own mapper, its frames batched for the route. */
    private StreamConnection open(String partition, List<Topic> topics, ConnectionSpec spec) {
        MarketStreamEndpoint endpoint = getEndpoint();
        ExchangeProtocol protocol = endpoint.protocol();
        VenueFeed feed = endpoint.feed();
        // A route that names its own symbols keeps them: its mapper knows only those, whatever the followed set says.
        VenueMapper mapper = endpoint.pinned()
                ? protocol.mapper(endpoint.getComponent().json(), spec, endpoint.streamNames())
                : protocol.mapper(endpoint.getComponent().json(), endpoint.followed(), partition);
        ConnectionFrames frames = new ConnectionFrames(mapper);
        String id = endpoint.venue().id();
        String name = opened++ == 0 ? id : id + "#" + opened;
        StreamConnection connection = new StreamConnection(name, endpoint.target(), partition, topics, protocol,
                endpoint.getComponent().vertx(), client, feed, feed.connectLimiter(), endpoint.timing(), frames::frame);
        connections.add(connection);
        return connection;
    }

    /**
     * Brings the connections to the followed set as it is now: removed topics are unsubscribed on the
     * connections that carry them (a connection left with none is closed), added ones are subscribed on the open
     * connections of their partition that have room, and only what does not fit opens new connections. Nothing
     * else is touched: the other topics keep flowing on their sockets.
     */
    public synchronized Resubscription resubscribe() {
        MarketStreamEndpoint endpoint = getEndpoint();
        if (!isRunAllowed() || client == null || endpoint.pinned()) {
            return new Resubscription(0, 0, 0, 0);
        }
        ExchangeProtocol protocol = endpoint.protocol();
        List<Topic> desired = new ArrayList<>();
        Set<String> streams = endpoint.streamNames();
        for (Instrument instrument : endpoint.instruments()) {
            for (String stream : streams) {
                desired.add(new Topic(instrument, stream));
            }
        }
        Set<Topic> wanted = new HashSet<>(desired);
        Set<Topic> carried = new HashSet<>();
        int unsubscribed = 0;
        int closed = 0;
        for (StreamConnection connection : connections) {
            List<Topic> own = connection.topics();
            carried.addAll(own);
            List<Topic> drop = own.stream().filter(t -> !wanted.contains(t)).toList();
            if (!drop.isEmpty()) {
                unsubscribed += drop.size();
                connection.change(List.of(), drop);
            }
        }
        List<Topic> add = desired.stream().filter(t -> !carried.contains(t)).toList();
        List<StreamConnection> started = new ArrayList<>();
        for (String partition : protocol.partitions()) {
            List<Topic> left = add.stream().filter(t -> protocol.partition(t.instrument()).equals(partition)).toList();
            for (StreamConnection connection : connections) {
                if (left.isEmpty()) {
                    break;
                }
                if (!connection.partition().equals(partition) || started.contains(connection)) {
                    continue;
                }
                int room = room(connection, left);
                if (room > 0) {
                    connection.change(left.subList(0, room), List.of());
                    left = left.subList(room, left.size());
                }
            }
            for (List<Topic> group : protocol.plan(endpoint.target(), left)) {
                started.add(open(partition, group, protocol.connection(endpoint.target(), partition, group)));
            }
        }
        // Only now: a connection whose topics were all replaced by added ones stays open for them.
        for (StreamConnection connection : connections) {
            if (!started.contains(connection) && connection.topics().isEmpty()) {
                connections.remove(connection);
                connection.stop();
                closed++;
            }
        }
        started.forEach(StreamConnection::start);
        return new Resubscription(add.size(), unsubscribed, started.size(), closed);
    }

    /** How many of the first topics fit on the connection besides its own (a binary search on the venue's limits). */
    private static int room(StreamConnection connection, List<Topic> topics) {
        int low = 0;
        int high = topics.size();
        while (low < high) {
            int mid = (low + high + 1) >>> 1;
            if (connection.canTake(topics.subList(0, mid))) {
                low = mid;
            } else {
                high = mid - 1;
            }
        }
        return low;
    }

    /** Per connection, the venue's names of the topics it carries: what an operator sees in JMX. */
    Map<String, List<String>> subscriptions() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (StreamConnection connection : connections) {
            out.put(connection.name(), connection.topicNames());
        }
        return out;
    }

    @Override
    protected void doStop() throws Exception {
        // Under the lock resubscribe holds: no connection is opened after these are stopped.
        synchronized (this) {
            connections.forEach(StreamConnection::stop);
            connections.clear();
        }
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
