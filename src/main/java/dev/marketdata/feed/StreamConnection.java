package dev.marketdata.feed;

import java.net.URI;
import java.util.concurrent.atomic.AtomicInteger;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription of a venue (one {@link ConnectionSpec}), kept alive by the venue-neutral rules, with the
 * venue's own protocol for what is said on the connection:
 * <ul>
 * <li>a close, an error or silence (no frame for the idle timeout) leads to a reconnect after exponential
 * backoff with full jitter, capped at the maximum delay; the backoff resets once a connection has stayed up
 * for the reset time;</li>
 * <li>every connect, across all connections of the venue, is booked with the venue's {@link ConnectLimiter};</li>
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

    private final String name;
    private final URI target;
    private final ConnectionSpec spec;
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
        long lastFrameAt;
        long lastSentAt = openedAt;
        boolean delivered;
        boolean retiring;

        Link(WebSocket socket) {
            this.socket = socket;
        }
    }

    /**
     * @param index which of the venue's {@code count} connections this is (for its name in logs)
     * @param target the venue's endpoint (scheme, host and port; the path comes from {@code spec})
     */
    public StreamConnection(String venue, int index, int count, URI target, ConnectionSpec spec, ExchangeProtocol protocol,
            Vertx vertx, HttpClient client, FeedEvents feed, ConnectLimiter limiter, ConnectionTiming timing, FrameSink sink) {
        this.name = count == 1 ? venue : venue + "[" + (index + 1) + "/" + count + "]";
        this.target = target;
        this.spec = spec;
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
        long wait = limiter.reserve();
        if (wait > 0 && rotation) {
            // The old connection still serves: try the switch when a slot is free, without a line every check.
            nextRotationAttempt = System.currentTimeMillis() + wait;
            return;
        }
        if (wait > 0) {
            LOG.warn("{}: holding the reconnect {} ms to stay under the venue's connection limit ({} per {} s)", name, wait,
                    limiter.limit(), limiter.windowMillis() / 1000);
            schedule(wait, rotation);
            return;
        }
        connecting = true;
        feed.connectAttempt();
        int port = target.getPort() > 0 ? target.getPort() : ("wss".equals(target.getScheme()) ? 443 : 80);
        WebSocketConnectOptions options = new WebSocketConnectOptions()
                .setHost(target.getHost())
                .setPort(port)
                .setURI(spec.requestTarget())
                .setSsl("wss".equals(target.getScheme()));
        options.setProxyOptions(feed.proxyOptions());
        client.webSocket(options).onComplete(result -> {
            connecting = false;
            if (result.failed()) {
                connectFailed(result.cause(), rotation);
            } else {
                opened(new Link(result.result()), rotation);
            }
            if (reconnectDue) {
                reconnectDue = false;
                if (active == null && retryTimer == -1) {
                    schedule(0, false);
                }
            }
        });
    }

    private void opened(Link link, boolean rotation) {
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
        if (rotation && active != null) {
            standby = link;
            feed.connected(false);
            LOG.info("{}: connection {} open for the switch from connection {}", name, link.id, active.id);
        } else {
            active = link;
            feed.connected(true);
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
