package dev.marketdata.feed;

import java.net.URI;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.net.ProxyOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription of a venue (one {@link ConnectionSpec}), kept alive by the venue-neutral rules, with the
 * venue's own protocol for what is said on the connection:
 * <ul>
 * <li>a close, an error or silence (no frame for the idle timeout) leads to a reconnect after exponential
 * backoff with full jitter, capped at the maximum delay; the backoff resets once a connection has stayed up
 * for the reset time;</li>
 * <li>every connect, across all connections of the venue, is booked with the venue's {@link ConnectLimiter}, and
 * through it with every instance on the same egress address (in Redis; the event loop does not wait for it);</li>
 * <li>a failed attempt moves to the next proxy; the whole list is tried before backing off;</li>
 * <li>once open, the protocol's subscribe messages are sent in order; a frame the protocol answers (HTX's
 * ping) is answered at once; the protocol's keep-alive text is sent after its interval without sending;</li>
 * <li>before the maximum age, and when the protocol recognises a shutdown notice, the connection is rotated
 * make-before-break: a second connection is opened, and the old one is closed when the new one delivers
 * its first frame, so no update is missed;</li>
 * <li>WebSocket pings are answered by Vert.x with pongs on the event loop, whatever the workers are doing.</li>
 * </ul>
 * All state changes happen on the Vert.x event loop of this connection, so no locking is needed.
 */
public final class StreamConnection {

    /** Where frames go: the text (decoded by the protocol), or the raw body when the protocol has no text for it. */
    public interface FrameSink {
        void accept(Object body, long receivedNanos, Vertx vertx);
    }

    private static final Logger LOG = LoggerFactory.getLogger(StreamConnection.class);
    private static final AtomicInteger IDS = new AtomicInteger();
    private static final long CHECK_PERIOD_MILLIS = 250;

    /** A request waits this long for the venue's reply before it is reported as unanswered. */
    static final long REPLY_TIMEOUT_MILLIS = 10_000;

    private final String name;
    private final URI target;
    private final String partition;
    /** The topics this connection is to carry: a connect asks for all of them; a live change, for the difference. */
    private final java.util.LinkedHashSet<Topic> topics = new java.util.LinkedHashSet<>();
    private volatile List<String> topicNames = List.of();
    private final ExchangeProtocol protocol;
    private final Vertx vertx;
    private final HttpClient client;
    private final FeedEvents feed;
    private final ConnectLimiter limiter;
    private final FrameSink sink;
    private final ReconnectBackoff backoff;
    private final long idleMillis;
    private final long maxAgeMillis;
    private final long resetAfterMillis;
    private final String keepAliveText;
    private final long keepAliveMillis;

    /** A spec given whole, without topics (tests of the lifecycle alone): connected as it is, never changed. */
    private ConnectionSpec fixedSpec;
    /** Live requests' ids start far above those of the subscribe messages sent when a connection opens (HTX: 1, 2, ...). */
    private long nextRequestId = 1_000_000;
    private volatile boolean running;
    private Link active;
    private Link standby;
    private boolean connecting;
    /** A reconnect came due while another connect (a rotation's) was in flight: run it once that one ends. */
    private boolean reconnectDue;
    private int failuresThisRound;
    private long checkTimer = -1;
    private long retryTimer = -1;
    private long nextRotationAttempt;

    /** One WebSocket of this subscription. */
    private final class Link {
        final int id = IDS.incrementAndGet();
        final WebSocket socket;
        final long openedAt = System.currentTimeMillis();
        /** What the venue has been asked to send on this socket: at connect, then by live requests. */
        final java.util.Set<Topic> subscribed;
        final java.util.ArrayDeque<ExchangeProtocol.Request> outbox = new java.util.ArrayDeque<>();
        /** Requests sent and not yet answered, oldest first, with what is still awaited of each. */
        final java.util.Map<ExchangeProtocol.Request, Waiting> waiting = new java.util.LinkedHashMap<>();
        long lastFrameAt;
        long lastSentAt = openedAt;
        long lastRequestAt;
        long pumpTimer = -1;
        boolean delivered;
        boolean retiring;

        Link(WebSocket socket, java.util.Collection<Topic> subscribed) {
            this.socket = socket;
            this.subscribed = new java.util.LinkedHashSet<>(subscribed);
        }
    }

    /** A sent request: when, and the topic names a venue that answers per topic has yet to name. */
    private static final class Waiting {
        final long sentAt;
        final java.util.Set<String> names;

        Waiting(long sentAt, java.util.Set<String> names) {
            this.sentAt = sentAt;
            this.names = names;
        }
    }

    /**
     * @param index which of the venue's {@code count} connections this is (for its name in logs)
     * @param target the venue's endpoint (scheme, host and port; the path comes from {@code spec})
     */
    public StreamConnection(String venue, int index, int count, URI target, ConnectionSpec spec, ExchangeProtocol protocol,
            Vertx vertx, HttpClient client, FeedEvents feed, ConnectLimiter limiter, ConnectionTiming timing, FrameSink sink) {
        this(count == 1 && index == 0 ? venue : venue + "#" + (index + 1), target, spec.partition(), spec.topics(), protocol,
                vertx, client, feed, limiter, timing, sink);
        if (spec.topics().isEmpty()) {
            fixedSpec = spec;
        }
    }

    /**
     * @param name    how logs name this connection ({@code binance#2})
     * @param target  the venue's endpoint (scheme, host and port; the protocol builds the request target)
     * @param topics  what it carries to begin with; {@link #change} changes it while it runs
     */
    public StreamConnection(String name, URI target, String partition, List<Topic> topics, ExchangeProtocol protocol,
            Vertx vertx, HttpClient client, FeedEvents feed, ConnectLimiter limiter, ConnectionTiming timing, FrameSink sink) {
        this.name = name;
        this.target = target;
        this.partition = partition;
        this.topics.addAll(topics);
        this.topicNames = topics.stream().map(protocol::topicName).toList();
        this.protocol = protocol;
        this.vertx = vertx;
        this.client = client;
        this.feed = feed;
        this.limiter = limiter;
        this.sink = sink;
        this.backoff = new ReconnectBackoff(timing.initialDelayMillis(), timing.maxDelayMillis());
        this.idleMillis = timing.idleMillis();
        this.maxAgeMillis = timing.maxAgeMillis();
        this.resetAfterMillis = timing.resetAfterMillis();
        this.keepAliveText = protocol.keepAliveText();
        this.keepAliveMillis = timing.keepAliveMillis() > 0 ? timing.keepAliveMillis() : protocol.keepAliveMillis();
    }

    public void start() {
        running = true;
        vertx.runOnContext(v -> {
            checkTimer = vertx.setPeriodic(CHECK_PERIOD_MILLIS, id -> check());
            connect(false);
        });
    }

    public void stop() {
        running = false;
        vertx.runOnContext(v -> {
            vertx.cancelTimer(checkTimer);
            vertx.cancelTimer(retryTimer);
            retire(active);
            retire(standby);
            active = null;
            standby = null;
        });
    }

    public boolean isOpen() {
        Link link = active;
        return link != null && !link.socket.isClosed();
    }

    /** Drops the current connection now; the reconnect follows without backoff. */
    public void dropAndReconnect() {
        vertx.runOnContext(v -> {
            Link link = active;
            if (link != null) {
                backoff.reset();
                link.socket.close((short) 1000, "reconnect requested");
            }
        });
    }

    private void connect(boolean rotation) {
        if (!running) {
            return;
        }
        if (connecting) {
            reconnectDue |= !rotation;
            return;
        }
        if (!rotation && active != null && !active.socket.isClosed()) {
            // Already connected (a rotation's connection took over meanwhile): a second one would double every frame.
            return;
        }
        // The proxy is read once: the connect is booked in its budget and made through it, even if another connection
        // of the venue moves the feed to the next proxy meanwhile.
        ProxyOptions via = feed.proxyOptions();
        java.util.concurrent.CompletableFuture<Long> booking = limiter.reserve(via);
        if (booking.isDone()) {
            booked(booking.join(), rotation, via);
            return;
        }
        // Asking the budget shared with the other instances (Redis) takes a round trip, on a thread of its own: the
        // event loop goes on, and the answer comes back to this connection's context. Meanwhile this connection is
        // connecting, as far as every other path is concerned.
        connecting = true;
        Context context = vertx.getOrCreateContext();
        booking.whenComplete((wait, error) -> context.runOnContext(v -> {
            connecting = false;
            // The limiter answers every failure itself (its own window); an error here would be a bug: book nothing.
            booked(error == null ? wait : limiter.windowMillis(), rotation, via);
            if (!connecting) {
                reconnectIfDue();
            }
        }));
    }

    /** A connect was booked ({@code wait} 0) or has to wait: connects now, or later. */
    private void booked(long wait, boolean rotation, ProxyOptions via) {
        if (!running) {
            return;
        }
        if (wait > 0 && rotation) {
            // The old connection still serves: try the switch when a slot is free, without a line every check.
            nextRotationAttempt = System.currentTimeMillis() + wait;
            return;
        }
        if (wait > 0) {
            LOG.warn("{}: holding the reconnect {} ms to stay under the venue's connection limit ({} per {} s, counted in {})",
                    name, wait, limiter.limit(), limiter.windowMillis() / 1000, limiter.usedScope(via));
            schedule(wait, rotation);
            return;
        }
        connecting = true;
        feed.connectAttempt();
        ConnectionSpec spec = currentSpec();
        int port = target.getPort() > 0 ? target.getPort() : ("wss".equals(target.getScheme()) ? 443 : 80);
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost(target.getHost())
                .setPort(port)
                .setURI(spec.requestTarget())
                .setSsl("wss".equals(target.getScheme()));
        options.setProxyOptions(via);
        client.webSocket(options).onComplete(result -> {
            connecting = false;
            if (result.failed()) {
                connectFailed(result.cause(), rotation);
            } else {
                opened(new Link(result.result(), spec.topics()), spec, rotation);
            }
            reconnectIfDue();
        });
    }

    /** A reconnect that came due while another connect was in flight, run now that it ended. */
    private void reconnectIfDue() {
        if (reconnectDue) {
            reconnectDue = false;
            if (active == null && retryTimer == -1) {
                schedule(0, false);
            }
        }
    }

    private void opened(Link link, ConnectionSpec spec, boolean rotation) {
        if (!running) {
            link.socket.close();
            return;
        }
        failuresThisRound = 0;
        // Handlers are attached on the event loop, before any frame of this socket can be handled.
        link.socket.textMessageHandler(text -> frame(link, text));
        link.socket.binaryMessageHandler(buffer -> frame(link, buffer.getBytes()));
        link.socket.exceptionHandler(error -> LOG.debug("{}: connection {} error: {}", name, link.id, error.toString()));
        link.socket.closeHandler(v -> closed(link));
        // Subscribe at once: some venues close a connection that has not subscribed within seconds (Coinbase: 5).
        for (String message : spec.subscribeMessages()) {
            send(link, message);
        }
        // Their replies are checked as a live request's are: a topic the venue refuses is reported, not assumed.
        if (fixedSpec == null) {
            long now = System.currentTimeMillis();
            for (ExchangeProtocol.Request request : protocol.openingRequests(spec.topics())) {
                awaitReply(link, request, now);
            }
        }
        if (rotation && active != null) {
            standby = link;
            feed.connected(false);
            LOG.info("{}: connection {} open for the switch from connection {}", name, link.id, active.id);
        } else {
            active = link;
            feed.connected(true);
        }
        // Topics changed while it was connecting: ask for the difference on it now.
        reconcile(link);
    }

    /** The connection as the topics are now. */
    private synchronized ConnectionSpec currentSpec() {
        return fixedSpec != null ? fixedSpec : protocol.connection(target, partition, List.copyOf(topics));
    }

    public String name() {
        return name;
    }

    public String partition() {
        return partition;
    }

    /** The venue's names of the topics this connection carries (or is asking for), in order. */
    public List<String> topicNames() {
        return topicNames;
    }

    public synchronized List<Topic> topics() {
        return List.copyOf(topics);
    }

    /** Whether this connection may carry these topics besides its own, under the venue's limits. */
    public synchronized boolean canTake(List<Topic> more) {
        if (fixedSpec != null) {
            return false;
        }
        List<Topic> all = new java.util.ArrayList<>(topics);
        all.addAll(more);
        return protocol.fits(target, all);
    }

    /**
     * Adds and removes topics while the connection runs: the open socket is asked for the difference with the
     * venue's subscribe and unsubscribe requests (paced, their replies checked); a connect from now on asks for
     * the new set. Returns whether the connection still carries any topic.
     */
    public boolean change(List<Topic> add, List<Topic> remove) {
        synchronized (this) {
            // One by one: a set's removeAll of a list as long as itself scans the list for every element.
            remove.forEach(topics::remove);
            topics.addAll(add);
            topicNames = topics.stream().map(protocol::topicName).toList();
        }
        vertx.runOnContext(v -> {
            for (Link link : new Link[] { active, standby }) {
                if (link != null) {
                    reconcile(link);
                }
            }
        });
        synchronized (this) {
            return !topics.isEmpty();
        }
    }

    /** Queues the requests that bring what the socket was asked for to the topics as they are now. */
    private void reconcile(Link link) {
        if (link.retiring || link.socket.isClosed() || fixedSpec != null) {
            return;
        }
        List<Topic> wanted = topics();
        java.util.Set<Topic> wantedSet = new java.util.HashSet<>(wanted);
        List<Topic> add = wanted.stream().filter(t -> !link.subscribed.contains(t)).toList();
        List<Topic> drop = link.subscribed.stream().filter(t -> !wantedSet.contains(t)).toList();
        // What is queued is replaced by what is needed now, against what the requests sent so far asked for: a burst of
        // changes costs the net difference, not one request each.
        link.outbox.clear();
        // The new are subscribed before the old are unsubscribed, so that a replacement leaves no gap, unless the
        // connection could not carry both for that moment (Binance's 1024 streams).
        List<Topic> both = new java.util.ArrayList<>(link.subscribed);
        both.addAll(add);
        boolean addFirst = protocol.fits(target, both);
        if (addFirst && !add.isEmpty()) {
            link.outbox.addAll(protocol.subscribe(add, () -> ++nextRequestId));
        }
        if (!drop.isEmpty()) {
            link.outbox.addAll(protocol.unsubscribe(drop, () -> ++nextRequestId));
        }
        if (!addFirst && !add.isEmpty()) {
            link.outbox.addAll(protocol.subscribe(add, () -> ++nextRequestId));
        }
        pump(link);
    }

    /** Sends the next queued request when the venue's spacing allows, and schedules the one after. */
    private void pump(Link link) {
        if (link.pumpTimer != -1 || link.outbox.isEmpty() || link.retiring || link.socket.isClosed()) {
            return;
        }
        long now = System.currentTimeMillis();
        long wait = link.lastRequestAt + protocol.requestSpacingMillis() - now;
        if (wait > 0) {
            link.pumpTimer = vertx.setTimer(wait, id -> {
                link.pumpTimer = -1;
                pump(link);
            });
            return;
        }
        ExchangeProtocol.Request request = link.outbox.poll();
        link.lastRequestAt = now;
        awaitReply(link, request, now);
        if (request.subscribe()) {
            link.subscribed.addAll(request.topics());
        } else {
            request.topics().forEach(link.subscribed::remove);
        }
        feed.requestSent(request);
        send(link, request.text());
        if (!link.outbox.isEmpty()) {
            link.pumpTimer = vertx.setTimer(protocol.requestSpacingMillis(), id -> {
                link.pumpTimer = -1;
                pump(link);
            });
        }
    }

    private void awaitReply(Link link, ExchangeProtocol.Request request, long now) {
        java.util.Set<String> names = new java.util.HashSet<>();
        request.topics().forEach(t -> names.add(protocol.topicName(t)));
        link.waiting.put(request, new Waiting(now, names));
    }

    /** The venue answered a request: by its id, by a topic it names, or else the oldest one waiting. */
    private void answered(Link link, ExchangeProtocol.Reply reply) {
        ExchangeProtocol.Request request = null;
        Waiting waiting = null;
        for (java.util.Map.Entry<ExchangeProtocol.Request, Waiting> e : link.waiting.entrySet()) {
            boolean match = reply.id() != null ? reply.id().equals(e.getKey().id())
                    : reply.topicName() != null ? e.getValue().names.contains(reply.topicName()) : true;
            if (match) {
                request = e.getKey();
                waiting = e.getValue();
                break;
            }
        }
        if (request == null) {
            return;
        }
        if (reply.ok()) {
            if (reply.id() == null && reply.topicName() != null) {
                waiting.names.remove(reply.topicName());
                if (!waiting.names.isEmpty()) {
                    return;
                }
            }
            link.waiting.remove(request);
            feed.requestAnswered(request, null);
            return;
        }
        link.waiting.remove(request);
        // A venue that acknowledges topic by topic (OKX) and refuses without naming one refuses those not yet acknowledged.
        Waiting still = waiting;
        List<Topic> refused = request.topics().stream().filter(t -> still.names.contains(protocol.topicName(t))).toList();
        ExchangeProtocol.Request shownRequest = refused.size() == request.topics().size() ? request
                : new ExchangeProtocol.Request(request.id(), request.text(), refused, request.subscribe());
        if (request.subscribe()) {
            // Not subscribed: not asked for again on the next connect either. Dropped before it is reported, so that
            // whoever sees the report sees the subscriptions without it.
            refused.forEach(link.subscribed::remove);
            synchronized (this) {
                refused.forEach(topics::remove);
                topicNames = topics.stream().map(protocol::topicName).toList();
            }
        }
        LOG.warn("{}: the venue refused {} of {}: {}", name, request.subscribe() ? "the subscription" : "the unsubscription",
                shown(shownRequest), reply.error());
        feed.requestAnswered(shownRequest, reply.error());
    }

    private String shown(ExchangeProtocol.Request request) {
        List<String> names = request.topics().stream().map(protocol::topicName).toList();
        return names.size() <= 5 ? String.join(", ", names) : String.join(", ", names.subList(0, 5)) + " and "
                + (names.size() - 5) + " more";
    }

    /** Requests the venue has not answered within {@link #REPLY_TIMEOUT_MILLIS}: reported, not assumed. */
    private void expireWaiting(Link link, long now) {
        java.util.Iterator<java.util.Map.Entry<ExchangeProtocol.Request, Waiting>> it = link.waiting.entrySet().iterator();
        while (it.hasNext()) {
            java.util.Map.Entry<ExchangeProtocol.Request, Waiting> e = it.next();
            if (now - e.getValue().sentAt >= REPLY_TIMEOUT_MILLIS) {
                it.remove();
                LOG.warn("{}: no reply from the venue within {} s to the {} of {}", name, REPLY_TIMEOUT_MILLIS / 1000,
                        e.getKey().subscribe() ? "subscription" : "unsubscription", shown(e.getKey()));
                feed.requestAnswered(e.getKey(), "no reply within " + REPLY_TIMEOUT_MILLIS / 1000 + " s");
            }
        }
    }

    private void frame(Link link, Object body) {
        long nanos = System.nanoTime();
        link.lastFrameAt = System.currentTimeMillis();
        if (!link.delivered) {
            link.delivered = true;
            if (link == standby) {
                switchTo(link, "its first frame arrived");
            }
        }
        String text = protocol.text(body);
        if (text != null && !link.waiting.isEmpty()) {
            ExchangeProtocol.Reply answer = protocol.requestReply(text);
            if (answer != null) {
                answered(link, answer);
            }
        }
        if (text != null) {
            String reply = protocol.reply(text);
            if (reply != null) {
                // A venue's keep-alive question (HTX's ping) is answered on every connection, the retiring one too.
                send(link, reply);
            }
        }
        if (link.retiring) {
            // Already replaced: its frames duplicate the new connection's; the store would drop them anyway.
            return;
        }
        if (text != null && protocol.announcesShutdown(text)) {
            LOG.info("{}: the venue announced a shutdown of connection {}: switching connections", name, link.id);
            rotate();
        }
        sink.accept(text != null ? text : body, nanos, vertx);
    }

    private void send(Link link, String text) {
        link.lastSentAt = System.currentTimeMillis();
        link.socket.writeTextMessage(text).onFailure(error -> LOG.debug("{}: sending on connection {} failed: {}", name,
                link.id, error.toString()));
    }

    private void switchTo(Link next, String why) {
        Link old = active;
        active = next;
        standby = null;
        feed.rotated();
        LOG.info("{}: switched to connection {} ({}); closing connection {}", name, next.id, why,
                old == null ? "-" : old.id);
        retire(old);
    }

    private void rotate() {
        if (standby == null && running) {
            connect(true);
        }
    }

    private void retire(Link link) {
        if (link != null) {
            link.retiring = true;
            if (!link.socket.isClosed()) {
                link.socket.close((short) 1000, "rotated");
            }
        }
    }

    private void closed(Link link) {
        feed.disconnected();
        if (!running || link.retiring) {
            return;
        }
        long lived = System.currentTimeMillis() - link.openedAt;
        if (lived >= resetAfterMillis) {
            backoff.reset();
        }
        if (link == standby) {
            standby = null;
            nextRotationAttempt = System.currentTimeMillis() + backoff.nextDelay();
            return;
        }
        if (link == active) {
            active = null;
            if (standby != null) {
                switchTo(standby, "the old connection closed first");
                return;
            }
            Short code = link.socket.closeStatusCode();
            long delay = backoff.nextDelay();
            LOG.warn("{}: connection {} closed ({}) after {} s; reconnecting in {} ms", name, link.id,
                    code == null ? "1006, no close frame" : code + (link.socket.closeReason() == null ? ""
                            : " " + link.socket.closeReason()), lived / 1000, delay);
            schedule(delay, false);
        }
    }

    private void connectFailed(Throwable cause, boolean rotation) {
        boolean moreProxies = feed.connectFailed(cause);
        if (rotation && active != null) {
            // The old connection still serves; try the switch again later.
            nextRotationAttempt = System.currentTimeMillis() + backoff.nextDelay();
            return;
        }
        failuresThisRound++;
        if (moreProxies && failuresThisRound < feed.proxyCount()) {
            schedule(0, false);
        } else {
            failuresThisRound = 0;
            schedule(backoff.nextDelay(), false);
        }
    }

    private void schedule(long delay, boolean rotation) {
        if (!running) {
            return;
        }
        vertx.cancelTimer(retryTimer);
        if (delay <= 0) {
            retryTimer = -1;
            vertx.runOnContext(v -> connect(rotation));
        } else {
            retryTimer = vertx.setTimer(delay, id -> {
                retryTimer = -1;
                connect(rotation);
            });
        }
    }

    private void check() {
        if (!running) {
            return;
        }
        long now = System.currentTimeMillis();
        Link link = active;
        if (link != null && !link.retiring) {
            long quietFor = now - Math.max(link.lastFrameAt, link.openedAt);
            if (quietFor > idleMillis) {
                LOG.warn("{}: no frame on connection {} for {} ms; reconnecting", name, link.id, quietFor);
                link.socket.close((short) 1000, "idle");
                return;
            }
            if (now - link.openedAt >= maxAgeMillis && standby == null && now >= nextRotationAttempt) {
                LOG.info("{}: connection {} reached the maximum age; switching connections", name, link.id);
                rotate();
            }
        }
        for (Link open : new Link[] { active, standby }) {
            if (open != null && !open.waiting.isEmpty()) {
                expireWaiting(open, now);
            }
        }
        if (keepAliveText != null) {
            for (Link open : new Link[] { active, standby }) {
                if (open != null && !open.retiring && !open.socket.isClosed() && now - open.lastSentAt >= keepAliveMillis) {
                    send(open, keepAliveText);
                }
            }
        }
        Link next = standby;
        if (next != null && !next.delivered && now - next.openedAt > idleMillis) {
            // The streams are quiet: nothing can be missed, switch on the open connection.
            switchTo(next, "no frame within the idle timeout, the streams are quiet");
        }
    }
}
