package dev.marketdata.feed;

import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;

import io.vertx.core.net.ProxyOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A venue's limit on new connections from one IP (Binance: 300 per 5 minutes). This keeps the gateway under
 * it, across all the venue's connections: {@link #reserve()} books a slot now, or says how long until one
 * frees up.
 * <p>
 * The venue counts per address, not per process: once {@link #share shared}, a connect is also booked in a
 * window every instance on the same egress address keeps in Redis ({@link SharedConnectWindow}), so N instances
 * behind one address stay under the limit together. This process's own window still counts every connect and
 * still applies (one process never goes over the limit, whatever Redis says), and it is what is left when Redis
 * does not answer: then each instance keeps the limit on its own, which bounds every instance but no longer the
 * instances together. That is logged once per outage (at most a line a minute) and shown on the feed MBean.
 */
public final class ConnectLimiter {

    public static final long WINDOW_MILLIS = 5 * 60_000L;
    /**
     * Safely under Binance's 300: the instances sharing an address count together, but anything else on that
     * address (a second tool, a gateway on another Redis) does not.
     */
    public static final int DEFAULT_LIMIT = 250;
    /** After Redis failed to answer, connects are booked here only for this long before Redis is asked again. */
    static final long SHARED_RETRY_MILLIS = 5_000;
    /** What the gauge and the MBean show is asked of Redis at most this often. */
    private static final long USED_REFRESH_MILLIS = 1_000;
    /** How long reading the shared count for the gauge or the MBean may take before the last one known is shown. */
    private static final long USED_READ_MILLIS = 250;
    private static final long DOWN_LOG_INTERVAL_MILLIS = 60_000;
    private static final Logger LOG = LoggerFactory.getLogger(ConnectLimiter.class);

    private final int limit;
    private final long window;
    private final LongSupplier clock;
    private final Deque<Long> recent = new ArrayDeque<>();

    /** Where connects are booked besides here; null while this process counts alone. */
    private volatile Sharing sharing;
    /** Until when Redis is not asked (it failed to answer); 0 while it answers. */
    private volatile long sharedRetryAt;
    /** When Redis last failed to answer, for the MBean; 0 while it answers. */
    private volatile long sharedDownSince;
    private long lastDownLogAt = Long.MIN_VALUE;
    private boolean downLogged;
    private volatile Used used = new Used("", 0, 0);

    private record Sharing(SharedConnectWindow window, String venue, String egress, long retryMillis) {
    }

    /** The count of a budget's window as last read for the gauge or the MBean, and when (the clock's time). */
    private record Used(String scope, int count, long at) {
    }

    /** Binance's window of 5 minutes. */
    public ConnectLimiter(int limit, LongSupplier clock) {
        this(limit, WINDOW_MILLIS, clock);
    }

    public ConnectLimiter(int limit, long windowMillis, LongSupplier clock) {
        this.limit = limit;
        this.window = windowMillis;
        this.clock = clock;
    }

    public int limit() {
        return limit;
    }

    public long windowMillis() {
        return window;
    }

    /**
     * Books every connect in {@code window} too, under this venue and egress name ({@code cluster.egress}), as
     * every instance on the same Redis does; see {@link #scope}.
     */
    public void share(SharedConnectWindow window, String venue, String egress) {
        share(window, venue, egress, SHARED_RETRY_MILLIS);
    }

    /** As {@link #share(SharedConnectWindow, String, String)}, asking a Redis that failed again after {@code retryMillis}. */
    public void share(SharedConnectWindow window, String venue, String egress, long retryMillis) {
        this.sharing = new Sharing(window, venue, egress, retryMillis);
    }

    /**
     * The budget a connect through this proxy (null: direct) is counted in, as the venue sees its source address.
     * Direct, that is the egress name: every instance given the same name leaves from the same address. Through a
     * proxy the venue sees the proxy's exit address instead, which does not depend on where the instance runs, so
     * every instance using that proxy shares its budget ({@code @host:port}), whatever its egress; and a proxy on
     * loopback is a different proxy on every machine (an SSH tunnel, a local agent), so it is counted per egress
     * name ({@code egress@127.0.0.1:1080}). Credentials are never part of it.
     */
    public static String scope(String egress, ProxyOptions via) {
        if (via == null) {
            return egress;
        }
        String host = via.getHost().toLowerCase(Locale.ROOT);
        String proxy = "@" + host + ":" + via.getPort();
        return loopback(host) ? egress + proxy : proxy;
    }

    private static boolean loopback(String host) {
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        return bare.equals("localhost") || bare.endsWith(".localhost") || bare.startsWith("127.") || bare.equals("::1")
                || bare.equals("0:0:0:0:0:0:0:1") || bare.equals("0.0.0.0");
    }

    /**
     * This process's window alone: 0 when a connect may start now (and it is counted), else the milliseconds to
     * wait before asking again.
     */
    public synchronized long reserve() {
        return book(clock.getAsLong());
    }

    /**
     * Books a connect through this proxy (null: direct): 0 when it may start now (and it is counted, here and,
     * when shared, for every instance on its egress), else the milliseconds to wait before asking again. Never
     * blocks: unshared, or full here, the answer is complete at once; else it completes when Redis answered (on a
     * thread of the shared window, not the caller's), or, when Redis does not answer within its timeout, with
     * this process's own answer.
     */
    public CompletableFuture<Long> reserve(ProxyOptions via) {
        long now = clock.getAsLong();
        long wait;
        synchronized (this) {
            wait = book(now);
        }
        Sharing s = sharing;
        if (wait > 0 || s == null || now < sharedRetryAt) {
            return CompletableFuture.completedFuture(wait);
        }
        String scope = scope(s.egress(), via);
        return s.window().reserve(s.venue(), scope, limit, window).handle((answer, error) -> {
            if (error != null) {
                sharedFailed(s, error);
                // Counted here (booked above): this process still keeps the limit on its own.
                return 0L;
            }
            sharedAnswered(s);
            if (answer.waitMillis() > 0) {
                // No connect follows: the slot booked here is given back, as Redis gave none.
                synchronized (this) {
                    recent.removeLastOccurrence(now);
                }
            }
            return answer.waitMillis();
        });
    }

    private long book(long now) {
        while (!recent.isEmpty() && now - recent.peekFirst() >= window) {
            recent.pollFirst();
        }
        if (recent.size() >= limit) {
            return window - (now - recent.peekFirst());
        }
        recent.addLast(now);
        return 0;
    }

    private void sharedFailed(Sharing s, Throwable error) {
        long now = clock.getAsLong();
        sharedRetryAt = now + s.retryMillis();
        boolean log;
        synchronized (this) {
            boolean starts = sharedDownSince == 0;
            if (starts) {
                sharedDownSince = now;
            }
            // One line an outage (not one every retry), and at most one a minute while Redis comes and goes.
            log = starts && (lastDownLogAt == Long.MIN_VALUE || now - lastDownLogAt >= DOWN_LOG_INTERVAL_MILLIS);
            if (log) {
                lastDownLogAt = now;
                downLogged = true;
            }
        }
        if (log) {
            LOG.warn("{} connect budget: Redis did not answer ({}); until it does, this instance keeps the venue's limit "
                    + "({} per {}) on its own, and the instances on egress '{}' are no longer counted together", s.venue(),
                    describe(error), limit, seconds(), s.egress());
        }
    }

    private void sharedAnswered(Sharing s) {
        if (sharedDownSince == 0) {
            return;
        }
        boolean log;
        synchronized (this) {
            sharedDownSince = 0;
            sharedRetryAt = 0;
            log = downLogged;
            downLogged = false;
        }
        if (log) {
            LOG.info("{} connect budget: Redis answers again; connects are counted with every instance on egress '{}' again",
                    s.venue(), s.egress());
        }
    }

    private static String describe(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof TimeoutException) {
            return "no answer within its timeout";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    private String seconds() {
        return window % 1000 == 0 ? window / 1000 + " s" : window + " ms";
    }

    /** Connects in this process's own window now. */
    public synchronized int inWindow() {
        long now = clock.getAsLong();
        return (int) recent.stream().filter(at -> now - at < window).count();
    }

    /**
     * Connects in the current window of the budget a connect through this proxy is counted in: every instance's
     * on its egress while shared (asked of Redis at most once a second, waiting at most 250 ms, else the count last
     * known), this process's own otherwise.
     */
    public int used(ProxyOptions via) {
        Sharing s = sharing;
        long now = clock.getAsLong();
        if (s == null || sharedDownSince != 0) {
            return inWindow();
        }
        String scope = scope(s.egress(), via);
        Used last = used;
        if (last.scope().equals(scope) && now - last.at() < USED_REFRESH_MILLIS) {
            return last.count();
        }
        try {
            int count = s.window().peek(s.venue(), scope, limit, window).get(USED_READ_MILLIS, TimeUnit.MILLISECONDS).used();
            used = new Used(scope, count, now);
            return count;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // Reported by the next connect, which asks Redis too; a gauge read does not decide the outage.
        }
        return last.scope().equals(scope) ? last.count() : inWindow();
    }

    /** Where connects through this proxy are counted: the shared window's name, or this process, and why. */
    public String usedScope(ProxyOptions via) {
        Sharing s = sharing;
        if (s == null) {
            return "this process";
        }
        long down = sharedDownSince;
        if (down != 0) {
            return "this process (Redis unreachable since " + Instant.ofEpochMilli(down) + "; "
                    + s.window().name(s.venue(), scope(s.egress(), via)) + " once it answers)";
        }
        return s.window().name(s.venue(), scope(s.egress(), via));
    }
}
