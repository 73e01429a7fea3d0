package dev.marketdata.binance;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import dev.marketdata.model.ProxySpec;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import org.apache.camel.Endpoint;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Binance connection as operators see it: which proxy it goes through, when the last frame came,
 * the last connection error. It owns the {@link HttpClientOptions} the vertx-websocket consumer connects
 * with (that component has no proxy options of its own), and on each failed connect attempt of the
 * supervised ingest route it moves on to the next entry of {@code binance.proxies}, logging one line
 * that names the proxy without its password.
 */
public class BinanceFeed extends EventNotifierSupport {

    public static final String BEAN = "binanceFeed";
    public static final String INGEST_ROUTE = "binance-ingest";
    private static final Logger LOG = LoggerFactory.getLogger(BinanceFeed.class);

    private final HttpClientOptions clientOptions;
    private final List<ProxySpec> proxies;
    private final String endpoint;
    private final AtomicInteger proxyIndex = new AtomicInteger();
    private final AtomicInteger failedConnects = new AtomicInteger();
    private final AtomicLong lastFrameAt = new AtomicLong();
    private volatile String lastError;

    public BinanceFeed(List<ProxySpec> proxies, String endpoint) {
        this.proxies = List.copyOf(proxies);
        this.endpoint = endpoint;
        this.clientOptions = new HttpClientOptions()
                .setConnectTimeout(10_000)
                .setMaxWebSocketFrameSize(1 << 20)
                .setMaxWebSocketMessageSize(1 << 20);
        applyProxy(this.proxies.get(0));
    }

    public HttpClientOptions clientOptions() {
        return clientOptions;
    }

    public ProxySpec activeProxy() {
        return proxies.get(proxyIndex.get());
    }

    /** The endpoint as configured, for display; it carries no credentials. */
    public String endpoint() {
        return endpoint;
    }

    public void frameArrived(long at) {
        lastFrameAt.set(at);
    }

    /** 0 when no frame has arrived yet. */
    public long lastFrameAt() {
        return lastFrameAt.get();
    }

    public String lastError() {
        return lastError;
    }

    public int failedConnects() {
        return failedConnects.get();
    }

    @Override
    public boolean isEnabled(CamelEvent event) {
        return event instanceof CamelEvent.RouteRestartingFailureEvent;
    }

    @Override
    public void notify(CamelEvent event) {
        if (event instanceof CamelEvent.RouteRestartingFailureEvent failure
                && INGEST_ROUTE.equals(failure.getRoute().getRouteId())) {
            connectFailed(failure.getCause(), failure.getAttempt());
            // The endpoint keeps its HTTP client (and so the proxy it was built with) until stopped;
            // restarting it makes the next attempt build a client with the proxy chosen above.
            Endpoint endpoint = failure.getRoute().getEndpoint();
            ServiceHelper.stopService(endpoint);
            ServiceHelper.startService(endpoint);
        }
    }

    void connectFailed(Throwable cause, long attempt) {
        failedConnects.incrementAndGet();
        ProxySpec failed = activeProxy();
        String reason = describe(cause);
        String error = "connect via " + failed + " failed: " + reason;
        boolean repeated = error.equals(lastError);
        lastError = error;
        int next = (proxyIndex.get() + 1) % proxies.size();
        proxyIndex.set(next);
        applyProxy(proxies.get(next));
        // One line per distinct failure: an unreachable exchange retried for hours does not flood the log.
        if (repeated) {
            LOG.debug("Binance connection to {} via {} failed again (attempt {})", endpoint, failed, attempt);
        } else if (proxies.size() > 1) {
            LOG.warn("Binance connection to {} via {} failed (attempt {}): {}; next attempt via {}",
                    endpoint, failed, attempt, reason, proxies.get(next));
        } else {
            LOG.warn("Binance connection to {} via {} failed (attempt {}): {}; retrying with backoff",
                    endpoint, failed, attempt, reason);
        }
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
        if (text.contains("authStatus") || text.contains("407")) {
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
