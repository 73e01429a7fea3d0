package dev.marketdata.feed;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import dev.marketdata.model.MarketTick;
import dev.marketdata.model.ProxySpec;
import dev.marketdata.model.Venue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One venue's connections and their state: which proxy it goes through, whether it is connected and since
 * when, connects / disconnects / attempts, the last frame, the last error. It owns the
 * {@link HttpClientOptions} the WebSocket consumer connects with (camel-vertx-websocket has no proxy
 * options of its own) and moves to the next entry of {@code binance.proxies} after a failed attempt,
 * logging one line per distinct failure that names the proxy without its password. Exposed over JMX as
 * {@link VenueFeedMXBean}.
 */
public class VenueFeed implements VenueFeedMXBean, FeedEvents {

    /** The Binance feed's bean; every venue's is {@link #bean(Venue)}. */
    public static final String BINANCE_BEAN = "binanceFeed";
    private static final Logger LOG = LoggerFactory.getLogger(VenueFeed.class);
    private static final int RATE_WINDOW_SECONDS = 10;

    private final Venue venue;
    /** How logs name the venue: "Binance", "OKX". */
    private final String display;
    private final String ingestRoute;
    private final HttpClientOptions clientOptions;
    private final List<ProxySpec> proxies;
    private final String endpoint;
    private final LongSupplier clock;
    private final AtomicInteger proxyIndex = new AtomicInteger();
    private final AtomicLong lastFrameAt = new AtomicLong();
    private final AtomicLong connectedSince = new AtomicLong();
    private final AtomicLong failedConnects = new AtomicLong();
    private final AtomicLong rotations = new AtomicLong();
    private final AtomicLongArray frameBuckets = new AtomicLongArray(RATE_WINDOW_SECONDS);
    private final AtomicLongArray bucketSecond = new AtomicLongArray(RATE_WINDOW_SECONDS);
    private final Counter connects;
    private final Counter disconnects;
    private final Counter attempts;
    private volatile String lastError;
    /** The recording being replayed in place of the venue, or null. */
    private volatile String replaying;
    private final Map<Integer, String> lastErrorByProxy = new ConcurrentHashMap<>();
    private final RateLimitedLog failureLog = new RateLimitedLog(LOG, 60_000);
    private volatile boolean suspended;
    private volatile MarketStreamConsumer transport;
    // Shared by every connection and kept across a suspend and resume of ingest: the limit is per IP and time.
    private final ConnectLimiter limiter;
    private volatile java.util.function.BooleanSupplier leads = () -> true;
    private volatile java.util.function.Supplier<String> leader = () -> null;
    private volatile CamelContext camelContext;
    private volatile Supplier<Map<String, Long>> lastUpdates = Map::of;
    private volatile Supplier<Map<String, Long>> ages = Map::of;
    private volatile Supplier<List<String>> activeAlerts = List::of;
    private volatile LongSupplier sequenceResets = () -> 0;
    private volatile Supplier<List<String>> heldSymbols = List::of;
    private volatile Supplier<List<String>> symbols = List::of;
    private volatile SymbolEditor editor;
    private final Map<String, Counter> requests = new ConcurrentHashMap<>();
    /** The last refused (or unanswered) requests, newest last, for JMX and health. */
    private final java.util.Deque<String> refused = new java.util.concurrent.ConcurrentLinkedDeque<>();
    private static final int REFUSALS_KEPT = 20;

    /** Applies an operator's change of a venue's symbols (JMX), as a file edit would be; returns what was applied. */
    public interface SymbolEditor {
        /** @param operation set, add or remove */
        String edit(Venue venue, String operation, String symbols);
    }

    /**
     * @param limiter the venue's connect budget ({@link ExchangeProtocol#connectLimiter()}), shared by all its
     *                connections and kept across a suspend and resume of ingest: the limit is per IP and time
     */
    public VenueFeed(Venue venue, List<ProxySpec> proxies, String endpoint, ConnectLimiter limiter, MeterRegistry registry,
            LongSupplier clock) {
        this.venue = venue;
        this.display = displayName(venue);
        this.ingestRoute = venue.id() + "-ingest";
        this.limiter = limiter;
        this.proxies = List.copyOf(proxies);
        this.endpoint = endpoint;
        this.clock = clock;
        this.clientOptions = new HttpClientOptions()
                .setConnectTimeout(10_000)
                // Far above any Binance frame, so that even a hostile 1 MB frame is read and rejected by
                // the mapper rather than cutting the connection (Vert.x closes with 1009 above these).
                .setMaxWebSocketFrameSize(4 << 20)
                .setMaxWebSocketMessageSize(4 << 20);
        applyProxy(this.proxies.get(0));
        Tags tags = Tags.of("exchange", venue.id());
        connects = Counter.builder("marketdata.websocket.connects").tags(tags)
                .description("WebSocket connections established to the venue").register(registry);
        disconnects = Counter.builder("marketdata.websocket.disconnects").tags(tags)
                .description("Established WebSocket connections that closed").register(registry);
        attempts = Counter.builder("marketdata.websocket.reconnect.attempts").tags(tags)
                .description("Connection attempts, the first one included").register(registry);
        for (String result : List.of("sent", "acknowledged", "refused", "unanswered")) {
            requests.put(result, Counter.builder("marketdata.subscription.requests").tags(tags).tag("result", result)
                    .description("Live subscribe and unsubscribe requests sent to the venue, and how it answered")
                    .register(registry));
        }
        Gauge.builder("marketdata.websocket.connected", this, f -> f.isConnected() ? 1 : 0).tags(tags)
                .description("1 while every WebSocket connection to the venue is open").register(registry);
        // One series a venue: what an operator alerts on before the venue refuses (or bans) connections.
        Gauge.builder("marketdata.connect.budget.used", this, VenueFeed::getConnectBudgetUsed).tags(tags)
                .description("Connects in the venue's current window, of every instance counted in the same budget "
                        + "(this instance's egress, or proxy)").register(registry);
    }

    /** The registry name of a venue's feed: {@code binanceFeed}, {@code okxFeed}. */
    public static String bean(Venue venue) {
        return venue.id() + "Feed";
    }

    /** How logs name a venue. */
    public static String displayName(Venue venue) {
        return switch (venue) {
            case BINANCE -> "Binance";
            case OKX -> "OKX";
            case BYBIT -> "Bybit";
            case COINBASE -> "Coinbase";
            case HTX -> "HTX";
        };
    }

    public Venue venue() {
        return venue;
    }


    /** Wires what the feed reports on but does not own; called once the beans exist. */
    public void attach(CamelContext context, Supplier<Map<String, Long>> lastUpdates, Supplier<Map<String, Long>> ages,
            Supplier<List<String>> alerts,
            LongSupplier resets, Supplier<List<String>> held) {
        this.camelContext = context;
        this.lastUpdates = lastUpdates;
        this.ages = ages;
        this.activeAlerts = alerts;
        this.sequenceResets = resets;
        this.heldSymbols = held;
    }

    public HttpClientOptions clientOptions() {
        return clientOptions;
    }

    public ProxySpec activeProxy() {
        return proxies.get(proxyIndex.get());
    }

    @Override
    public ProxyOptions proxyOptions() {
        return clientOptions.getProxyOptions() == null ? null : new ProxyOptions(clientOptions.getProxyOptions());
    }

    @Override
    public int proxyCount() {
        return proxies.size();
    }

    public ConnectLimiter connectLimiter() {
        return limiter;
    }

    @Override
    public int getConnectBudgetUsed() {
        return limiter.used(proxyOptions());
    }

    @Override
    public int getConnectBudgetLimit() {
        return limiter.limit();
    }

    @Override
    public long getConnectBudgetWindowSeconds() {
        return limiter.windowMillis() / 1000;
    }

    @Override
    public String getConnectBudgetScope() {
        return limiter.usedScope(proxyOptions());
    }

    void transport(MarketStreamConsumer consumer) {
        this.transport = consumer;
    }

    /** Where the symbol operations of the MBean go, and where the current symbols come from. */
    public void editor(SymbolEditor editor, Supplier<List<String>> symbols) {
        this.editor = editor;
        this.symbols = symbols;
    }

    /**
     * Brings the open connections to the followed set as it is now (see {@link MarketStreamConsumer#resubscribe});
     * null while ingest is not running: the next start connects with the set as it is then.
     */
    public MarketStreamConsumer.Resubscription resubscribe() {
        MarketStreamConsumer t = transport;
        return t == null || !t.isRunAllowed() ? null : t.resubscribe();
    }

    @Override
    public void requestSent(ExchangeProtocol.Request request) {
        requests.get("sent").increment();
    }

    @Override
    public void requestAnswered(ExchangeProtocol.Request request, String error) {
        if (error == null) {
            requests.get("acknowledged").increment();
            return;
        }
        // Listed before it is counted: whoever sees the count (a dashboard, a test) finds the refusal listed.
        refused.addLast((request.subscribe() ? "subscribe " : "unsubscribe ") + request.topics().stream()
                .map(t -> t.instrument().symbol() + "@" + t.stream()).limit(5).toList() + ": " + error);
        while (refused.size() > REFUSALS_KEPT) {
            refused.pollFirst();
        }
        requests.get(error.startsWith("no reply") ? "unanswered" : "refused").increment();
    }

    /** Live requests so far by result: sent, acknowledged, refused, unanswered. */
    public long requestCount(String result) {
        Counter counter = requests.get(result);
        return counter == null ? 0 : (long) counter.count();
    }

    // --- reported by the WebSocket transport ---

    @Override
    public void connectAttempt() {
        attempts.increment();
    }

    /** Records a failed attempt and switches to the next proxy; returns whether the proxy changed. */
    @Override
    public boolean connectFailed(Throwable cause) {
        failedConnects.incrementAndGet();
        int index = proxyIndex.get();
        ProxySpec failed = proxies.get(index);
        String reason = describe(cause);
        String error = "connect via " + failed + " failed: " + reason;
        lastError = error;
        // One line per distinct failure of each proxy: with a list of proxies the failures alternate, so "the
        // same as last time" is judged per proxy; a proxy whose failures keep changing is rate-limited too.
        boolean repeated = error.equals(lastErrorByProxy.put(index, error));
        int next = (index + 1) % proxies.size();
        proxyIndex.set(next);
        applyProxy(proxies.get(next));
        if (repeated) {
            LOG.debug("{} connection to {} via {} failed again", display, endpoint, failed);
        } else if (proxies.size() > 1) {
            failureLog.warn("proxy" + index, "{} connection to {} via {} failed: {}; next attempt via {}", display, endpoint,
                    failed, reason, proxies.get(next));
        } else {
            failureLog.warn("proxy" + index, "{} connection to {} via {} failed: {}; retrying with backoff", display, endpoint,
                    failed, reason);
        }
        return proxies.size() > 1;
    }

    @Override
    public void connected(boolean primary) {
        if (primary) {
            connectedSince.set(clock.getAsLong());
        }
        // A failure after a healthy connection is news again.
        lastErrorByProxy.clear();
        connects.increment();
        if (lastError != null) {
            LOG.info("{} connection to {} established via {} after earlier failures", display, endpoint, activeProxy());
        } else {
            LOG.info("{} connection to {} established via {}", display, endpoint, activeProxy());
        }
    }

    @Override
    public void rotated() {
        connectedSince.set(clock.getAsLong());
        rotations.incrementAndGet();
    }

    @Override
    public long getRotations() {
        return rotations.get();
    }

    @Override
    public void disconnected() {
        disconnects.increment();
        MarketStreamConsumer t = transport;
        if (t == null || t.openConnections() == 0) {
            connectedSince.set(0);
        }
    }

    public void frameArrived(long at) {
        lastFrameAt.set(at);
        long second = at / 1000;
        int slot = (int) (second % RATE_WINDOW_SECONDS);
        if (bucketSecond.get(slot) != second) {
            bucketSecond.set(slot, second);
            frameBuckets.set(slot, 0);
        }
        frameBuckets.incrementAndGet(slot);
    }

    /** 0 when no frame has arrived yet. */
    public long lastFrameAt() {
        return lastFrameAt.get();
    }

    // --- the MXBean ---

    /** A recording is being played back in place of the venue ({@code replay.file}); null when it stops. */
    public void replaying(String file) {
        replaying = file;
        connectedSince.set(file == null ? 0 : clock.getAsLong());
    }

    /** Every subscription (one per group of at most 1024 streams) has an open connection, or a replay runs. */
    @Override
    public boolean isConnected() {
        if (replaying != null) {
            return true;
        }
        MarketStreamConsumer t = transport;
        return t != null && t.connectionCount() > 0 && t.openConnections() == t.connectionCount();
    }

    @Override
    public int getConnections() {
        MarketStreamConsumer t = transport;
        return t == null ? 0 : t.openConnections();
    }

    @Override
    public String getEndpoint() {
        String file = replaying;
        return file != null ? "replay:" + file : endpoint;
    }

    @Override
    public String getActiveProxy() {
        return activeProxy().toString();
    }

    @Override
    public long getConnectionAgeSeconds() {
        long since = connectedSince.get();
        return since == 0 || !isConnected() ? -1 : (clock.getAsLong() - since) / 1000;
    }

    @Override
    public long getConnects() {
        return (long) connects.count();
    }

    @Override
    public long getDisconnects() {
        return (long) disconnects.count();
    }

    @Override
    public long getReconnectAttempts() {
        return (long) attempts.count();
    }

    @Override
    public long getFailedConnects() {
        return failedConnects.get();
    }

    @Override
    public String getLastFrameTime() {
        long at = lastFrameAt.get();
        return at == 0 ? "" : Instant.ofEpochMilli(at).toString();
    }

    @Override
    public double getFramesPerSecond() {
        long now = clock.getAsLong() / 1000;
        long total = 0;
        // The current second is still filling up: average over the complete seconds before it.
        for (int i = 0; i < RATE_WINDOW_SECONDS; i++) {
            long second = bucketSecond.get(i);
            if (second < now && second >= now - (RATE_WINDOW_SECONDS - 1)) {
                total += frameBuckets.get(i);
            }
        }
        return total / (double) (RATE_WINDOW_SECONDS - 1);
    }

    @Override
    public String getLastError() {
        return lastError == null ? "" : lastError;
    }

    @Override
    public boolean isIngestSuspended() {
        return suspended;
    }

    @Override
    public Map<String, Long> getSymbolLastUpdate() {
        return own(lastUpdates.get());
    }

    @Override
    public Map<String, Long> getSymbolAgeMillis() {
        return own(ages.get());
    }

    /** This venue's keys of a map of every followed key, in order. */
    private Map<String, Long> own(Map<String, Long> all) {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        all.forEach((key, value) -> {
            if (venue.id().equals(MarketTick.exchangeOfKey(key))) {
                out.put(key, value);
            }
        });
        return out;
    }

    @Override
    public List<String> getActiveAlerts() {
        // kind:KEY
        return activeAlerts.get().stream()
                .filter(a -> venue.id().equals(MarketTick.exchangeOfKey(a.substring(a.indexOf(':') + 1)))).toList();
    }

    @Override
    public long getSequenceResets() {
        return sequenceResets.getAsLong();
    }

    @Override
    public List<String> getHeldSymbols() {
        // KEY:stream
        return heldSymbols.get().stream()
                .filter(h -> venue.id().equals(MarketTick.exchangeOfKey(h.substring(0, h.lastIndexOf(':'))))).toList();
    }

    @Override
    public List<String> getSymbols() {
        return symbols.get();
    }

    @Override
    public Map<String, List<String>> getSubscriptions() {
        MarketStreamConsumer t = transport;
        return t == null || !t.isRunAllowed() ? Map.of() : t.subscriptions();
    }

    @Override
    public List<String> getRefusedSubscriptions() {
        return List.copyOf(refused);
    }

    @Override
    public String setSymbols(String symbols) {
        return edit("set", symbols);
    }

    @Override
    public String addSymbols(String symbols) {
        return edit("add", symbols);
    }

    @Override
    public String removeSymbols(String symbols) {
        return edit("remove", symbols);
    }

    private String edit(String operation, String list) {
        SymbolEditor e = editor;
        if (e == null) {
            throw new IllegalStateException("live changes are not available");
        }
        return e.edit(venue, operation, list == null ? "" : list);
    }

    @Override
    public void reconnect() {
        LOG.info("Reconnect of the {} feed requested by an operator", display);
        MarketStreamConsumer t = transport;
        if (t != null) {
            t.reconnectAll();
        }
    }

    @Override
    public void suspendIngest() throws Exception {
        LOG.info("{} ingest suspended by an operator", display);
        suspended = true;
        camelContext.getRouteController().stopRoute(ingestRoute);
    }

    /**
     * Whether this instance may ingest the venue now (with a cluster service, only the one that leads it), and who
     * does otherwise; an operator's resume on another instance would start a second ingest beside the leader's.
     */
    public void ingestOnlyWhile(java.util.function.BooleanSupplier leads, java.util.function.Supplier<String> leader) {
        this.leads = leads;
        this.leader = leader;
    }

    @Override
    public void resumeIngest() throws Exception {
        if (!leads.getAsBoolean()) {
            String who = leader.get();
            throw new IllegalStateException("this instance does not lead " + venue.id() + (who == null ? "" : "; " + who
                    + " does") + ": resume it on the leader");
        }
        LOG.info("{} ingest resumed by an operator", display);
        suspended = false;
        camelContext.getRouteController().startRoute(ingestRoute);
    }

    private void applyProxy(ProxySpec spec) {
        if (spec.isDirect()) {
            clientOptions.setProxyOptions(null);
            return;
        }
        ProxyOptions options = new ProxyOptions()
                .setType(switch (spec.type()) {
                    case SOCKS5 -> ProxyType.SOCKS5;
                    case SOCKS4 -> ProxyType.SOCKS4;
                    default -> ProxyType.HTTP;
                })
                .setHost(spec.host())
                .setPort(spec.port());
        if (spec.username() != null) {
            options.setUsername(spec.username());
        }
        if (spec.password() != null) {
            options.setPassword(spec.password());
        }
        clientOptions.setProxyOptions(options);
    }

    /** The innermost message, never containing a configured proxy password. */
    private String describe(Throwable cause) {
        Throwable root = cause;
        while (root != null && root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root == null ? "unknown error" : root.getClass().getSimpleName()
                + (root.getMessage() == null ? "" : ": " + root.getMessage());
        if (cause instanceof UpgradeRejectedException rejected && (rejected.getStatus() == 414 || rejected.getStatus() == 431)) {
            text = "the server refused the connection URL as too long (HTTP " + rejected.getStatus()
                    + "): lower binance.max-url-length";
        } else if (text.contains("authStatus") || text.contains("407")) {
            text = "the proxy rejected the credentials (" + text + ")";
        }
        for (ProxySpec proxy : proxies) {
            if (proxy.password() != null && !proxy.password().isEmpty()) {
                text = text.replace(proxy.password(), "***");
            }
        }
        return text;
    }
}
