package dev.marketdata.feed;

import java.util.Map;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.model.Venue;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import org.apache.camel.Endpoint;
import org.apache.camel.support.DefaultComponent;

/**
 * {@code market-stream:<exchange>}: one venue's public market streams as a Camel consumer, for every venue
 * alike. The connection lifecycle (backoff with jitter, idle watchdog, make-before-break rotation, proxy
 * failover, connect budget) is {@link StreamConnection}'s; what differs per venue (connections and subscribe
 * messages under its limits, keep-alive, decoding, control frames, the mapper) is its {@link ExchangeProtocol}.
 * Built on the Vert.x WebSocket client, as camel-vertx-websocket is, but its client consumer cannot hold two
 * connections for a make-before-break switch, split subscriptions over connections, back off with jitter, or
 * notice a silent connection, and it attaches its frame handler only after the handshake, losing the first
 * frames.
 */
public class MarketStreamComponent extends DefaultComponent {

    private final Map<Venue, VenueStream> venues;
    private final FrameRecorder recorder;
    private final ObjectMapper json;
    private Vertx vertx;

    /**
     * @param venues   the enabled venues
     * @param recorder writes every raw Binance frame to {@code record.file}; null when not recording
     * @param json     the mappers' JSON reader
     */
    public MarketStreamComponent(Map<Venue, VenueStream> venues, FrameRecorder recorder, ObjectMapper json) {
        this.venues = Map.copyOf(venues);
        this.recorder = recorder;
        this.json = json;
    }

    ObjectMapper json() {
        return json;
    }

    /** The recorder for a venue's frames: recordings (and replay) are of Binance's combined streams. */
    FrameRecorder recorder(Venue venue) {
        return venue == Venue.BINANCE ? recorder : null;
    }

    @Override
    protected Endpoint createEndpoint(String uri, String remaining, Map<String, Object> parameters) throws Exception {
        Venue venue = Venue.of(remaining);
        if (venue == null) {
            throw new IllegalArgumentException("market-stream needs an exchange id (" + String.join(", ",
                    new TreeSet<>(venues.keySet().stream().map(Venue::id).toList())) + "), got '" + remaining + "'");
        }
        // A venue not among the exchanges still gets an endpoint (its route exists, with autoStartup off); its
        // consumer refuses to start.
        VenueStream stream = venues.get(venue);
        MarketStreamEndpoint endpoint = new MarketStreamEndpoint(uri, this, venue, stream);
        setProperties(endpoint, parameters);
        return endpoint;
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
