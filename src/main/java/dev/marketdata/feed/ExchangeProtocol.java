package dev.marketdata.feed;

import java.net.URI;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.model.Instrument;
import dev.marketdata.model.Venue;

/**
 * What one venue's WebSocket protocol adds to the venue-neutral connection lifecycle (backoff, idle watchdog,
 * make-before-break rotation, proxy failover, connect budget): which connections to open and what to
 * subscribe on each, within the venue's limits; how to keep a quiet connection open; how to turn a frame into
 * text (HTX inflates gzip); which frames need an answer (HTX's ping) or announce a shutdown; and the mapper of
 * the frames of one connection.
 */
public interface ExchangeProtocol {

    Venue venue();

    /** The streams {@code <venue>.streams} may name, in the venue's own words. */
    Set<String> streams();

    /**
     * The connections for these instruments and streams against the configured endpoint, each with its
     * subscribe messages, split so that no connection or message exceeds the venue's published limits.
     */
    List<ConnectionSpec> connections(URI endpoint, List<Instrument> instruments, Set<String> streams);

    /**
     * A fresh limiter of new connections for this venue, shared by all its connections: the venue's published
     * limit per IP, kept a little under it. The default, for a venue that publishes no number, is 5 a second.
     */
    default ConnectLimiter connectLimiter() {
        return new ConnectLimiter(5, 1_000, System::currentTimeMillis);
    }

    /**
     * This protocol with a connection's limits lowered by the endpoint ({@code maxStreamsPerConnection},
     * {@code maxUrlLength}); only a venue whose subscriptions are in the URL (Binance) has such limits.
     */
    default ExchangeProtocol withConnectionLimits(int maxStreamsPerConnection, int maxUrlLength) {
        return this;
    }

    /** A text to send when the connection has sent nothing for {@link #keepAliveMillis()}; null for none. */
    default String keepAliveText() {
        return null;
    }

    /** How long a connection may be quiet before {@link #keepAliveText()} is sent. */
    default long keepAliveMillis() {
        return 0;
    }

    /**
     * The text of a frame: a text frame as it is; a binary frame decoded where the venue sends binary (HTX's
     * gzip), else null (a binary frame the venue does not send is rejected by the pipeline).
     */
    default String text(Object body) {
        return body instanceof String text ? text : null;
    }

    /** The answer a frame requires, sent at once on the same connection (HTX's pong); null for none. */
    default String reply(String text) {
        return null;
    }

    /** Whether the frame announces that the server will close the connection soon (switch make-before-break). */
    default boolean announcesShutdown(String text) {
        return false;
    }

    /** A mapper for the frames of one connection (some venues' deltas are merged per connection). */
    VenueMapper mapper(ObjectMapper json, ConnectionSpec connection, Set<String> streams);

    /**
     * The request target (path and query) of the configured endpoint, with {@code pathSuffix} appended to its
     * path (Bybit's {@code /spot}, {@code /linear}); {@code /} for an endpoint without a path.
     */
    static String requestTarget(URI endpoint, String pathSuffix) {
        String path = endpoint.getRawPath() == null || endpoint.getRawPath().isEmpty() ? "" : endpoint.getRawPath();
        path = path + pathSuffix;
        if (path.isEmpty()) {
            path = "/";
        }
        return endpoint.getRawQuery() == null ? path : path + "?" + endpoint.getRawQuery();
    }
}
