package dev.marketdata.feed;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;

/**
 * Logs at most one line per key and interval, and says how many were held back, so that a flood of
 * bad frames or a Redis outage produces a readable log rather than one line per event.
 */
public class RateLimitedLog {

    private final Logger log;
    private final long intervalMillis;
    private final Map<String, Window> windows = new ConcurrentHashMap<>();

    private static final class Window {
        volatile long openedAt = Long.MIN_VALUE;
        final AtomicLong suppressed = new AtomicLong();
    }

    public RateLimitedLog(Logger log, long intervalMillis) {
        this.log = log;
        this.intervalMillis = intervalMillis;
    }

    /** Starts a window for the key without logging: the caller has just said it in a line of its own. */
    public void opened(String key) {
        Window window = windows.computeIfAbsent(key, k -> new Window());
        synchronized (window) {
            window.openedAt = System.currentTimeMillis();
        }
    }

    public void warn(String key, String format, Object... args) {
        Window window = windows.computeIfAbsent(key, k -> new Window());
        long now = System.currentTimeMillis();
        synchronized (window) {
            if (window.openedAt != Long.MIN_VALUE && now - window.openedAt < intervalMillis) {
                window.suppressed.incrementAndGet();
                return;
            }
            window.openedAt = now;
        }
        long held = window.suppressed.getAndSet(0);
        if (held > 0) {
            log.warn(format + " (" + held + " similar held back in the last " + intervalMillis / 1000 + " s)", args);
        } else {
            log.warn(format, args);
        }
    }
}
