package dev.marketdata.feed;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;

/**
 * A venue's limit on new connections from one IP (Binance: 300 per 5 minutes). This keeps the gateway under
 * it, across all the venue's connections: {@link #reserve()} books a slot now, or says how long until one
 * frees up.
 */
public final class ConnectLimiter {

    public static final long WINDOW_MILLIS = 5 * 60_000L;
    /** Safely under Binance's 300, leaving room for another process on the same IP to reconnect. */
    public static final int DEFAULT_LIMIT = 250;

    private final int limit;
    private final long window;
    private final LongSupplier clock;
    private final Deque<Long> recent = new ArrayDeque<>();

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

    /** 0 when a connect may start now (and it is counted), else the milliseconds to wait before asking again. */
    public synchronized long reserve() {
        long now = clock.getAsLong();
        while (!recent.isEmpty() && now - recent.peekFirst() >= window) {
            recent.pollFirst();
        }
        if (recent.size() >= limit) {
            return window - (now - recent.peekFirst());
        }
        recent.addLast(now);
        return 0;
    }

    public synchronized int inWindow() {
        return recent.size();
    }
}
