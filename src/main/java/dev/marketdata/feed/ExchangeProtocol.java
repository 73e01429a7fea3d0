package dev.marketdata.feed;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.LongSupplier;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.model.Followed;
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
     * subscribe messages, split so that no connection or message exceeds the venue's published limits: the
     * topics (every stream of every instrument, in that order) of each partition in turn, as many on a
     * connection as {@link #fits} allows.
     */
    default List<ConnectionSpec> connections(URI endpoint, List<Instrument> instruments, Set<String> streams) {
        List<Topic> topics = new ArrayList<>();
        for (Instrument instrument : instruments) {
            for (String stream : streams) {
                topics.add(new Topic(instrument, stream));
            }
        }
        List<ConnectionSpec> specs = new ArrayList<>();
        for (String partition : partitions()) {
            for (List<Topic> group : plan(endpoint, topics.stream().filter(t -> partition(t.instrument()).equals(partition)).toList())) {
                specs.add(connection(endpoint, partition, group));
            }
        }
        return specs;
    }

    /** Topics of one partition cut into connections, in order, each as full as {@link #fits} allows. */
    default List<List<Topic>> plan(URI endpoint, List<Topic> topics) {
        List<List<Topic>> groups = new ArrayList<>();
        List<Topic> group = new ArrayList<>();
        for (Topic topic : topics) {
            group.add(topic);
            if (group.size() > 1 && !fits(endpoint, group)) {
                group.remove(group.size() - 1);
                groups.add(group);
                group = new ArrayList<>(List.of(topic));
            }
        }
        if (!group.isEmpty()) {
            groups.add(group);
        }
        return groups;
    }

    /** The partitions of the venue's connections, in order: one endpoint each (Bybit: spot, then linear). */
    default List<String> partitions() {
        return List.of("");
    }

    /** The partition an instrument's topics belong to; topics of two partitions never share a connection. */
    default String partition(Instrument instrument) {
        return "";
    }

    /** What the venue calls a topic in its subscribe messages, its URL and its replies. */
    String topicName(Topic topic);

    /** Whether one connection may carry all these topics under the venue's limits (count, characters, URL). */
    boolean fits(URI endpoint, List<Topic> topics);

    /** The connection for these topics of one partition: its request target, and what it sends once open. */
    ConnectionSpec connection(URI endpoint, String partition, List<Topic> topics);

    /**
     * A request on an open connection: its text, the id the venue's reply will carry (null when the venue's
     * reply names the topics instead, or nothing), and the topics it asks for.
     */
    record Request(String id, String text, List<Topic> topics, boolean subscribe) {
        public Request {
            topics = List.copyOf(topics);
        }
    }

    /**
     * The venue's answer to a request: by the request's id, or by the topic it names, or by neither (then it
     * answers the oldest request waiting). {@code error} is null for an acknowledgement.
     */
    record Reply(String id, String topicName, String error) {
        public boolean ok() {
            return error == null;
        }
    }

    /**
     * The requests {@link #connection}'s subscribe messages make, in their order, for checking the venue's replies
     * to them (none for a venue whose subscriptions are in the URL).
     */
    default List<Request> openingRequests(List<Topic> topics) {
        return List.of();
    }

    /**
     * Live subscription (or unsubscription) of these topics on an open connection, in as few messages as the
     * venue's limits allow; {@code ids} gives each message's id.
     */
    List<Request> requests(List<Topic> topics, LongSupplier ids, boolean subscribe);

    default List<Request> subscribe(List<Topic> topics, LongSupplier ids) {
        return requests(topics, ids, true);
    }

    default List<Request> unsubscribe(List<Topic> topics, LongSupplier ids) {
        return requests(topics, ids, false);
    }

    /**
     * The reply to a live request that this frame is, or null; called only while a request waits for its reply,
     * so it may parse (replies are rare), but should step aside cheaply for a data frame.
     */
    default Reply requestReply(String text) {
        return null;
    }

    /**
     * The least time between two requests on one connection: the venue's limit on messages a client sends, with
     * room for its keep-alive.
     */
    default long requestSpacingMillis() {
        return 250;
    }

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

    /**
     * A mapper for the frames of one connection of a partition: it looks each frame's instrument and the
     * subscribed streams up in the followed set as it is now, so a symbol added at run time is mapped from its
     * first frame, while the mapper's own state (Bybit's merged deltas) stays.
     */
    VenueMapper mapper(ObjectMapper json, Followed followed, String partition);

    /** A mapper for a fixed set: one connection's instruments and these streams (tests, tools). */
    default VenueMapper mapper(ObjectMapper json, ConnectionSpec connection, Set<String> streams) {
        return mapper(json, Followed.of(venue(), connection == null ? List.of() : connection.instruments(),
                List.copyOf(streams)), connection == null ? "" : connection.partition());
    }

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
