package dev.marketdata.binance;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.LongSupplier;

/**
 * Binance allows an IP at most 300 new connections per 5 minutes. This keeps the gateway under that,
 * across all its connections: {@link #reserve()} books a slot now, or says how long until one frees up.
 */
public final class ConnectLimiter {

    public static final long WINDOW_MILLIS = 5 * 60_000L;
    /** Safely under Binance's 300, leaving room for another process on the same IP to reconnect. */
    public static final int DEFAULT_LIMIT = 250;

    private final int limit;
    private final LongSupplier clock;
    private final Deque<Long> recent = new ArrayDeque<>();

    public ConnectLimiter(int limit, LongSupplier clock) {
        this.limit = limit;
        this.clock = clock;
    }

    /** 0 when a connect may start now (and it is counted), else the milliseconds to wait before asking again. */
    public synchronized long reserve() {
        long now = clock.getAsLong();
        while (!recent.isEmpty() && now - recent.peekFirst() >= WINDOW_MILLIS) {
            recent.pollFirst();
        }
        if (recent.size() >= limit) {
            return WINDOW_MILLIS - (now - recent.peekFirst());
        }
        recent.addLast(now);
        return 0;
    }

    public synchronized int inWindow() {
        return recent.size();
    }
}
