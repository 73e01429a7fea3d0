package dev.marketdata.feed;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential backoff with full jitter and a cap: the n-th consecutive failure waits a uniformly random
 * time in [0, min(cap, base * 2^n)). Full jitter spreads many clients (or connections) apart instead of
 * having them retry in lock-step; the cap bounds the wait. {@link #reset()} after a healthy period.
 */
public final class ReconnectBackoff {

    private final long baseMillis;
    private final long capMillis;
    private int failures;

    public ReconnectBackoff(long baseMillis, long capMillis) {
        this.baseMillis = Math.max(1, baseMillis);
        this.capMillis = Math.max(this.baseMillis, capMillis);
    }

    /** The delay before the next attempt; counts one more failure. */
    public synchronized long nextDelay() {
        long ceiling = ceiling(failures);
        failures = Math.min(failures + 1, 62);
        return ThreadLocalRandom.current().nextLong(ceiling + 1);
    }

    /** The largest delay the next call may return. */
    public synchronized long currentCeiling() {
        return ceiling(failures);
    }

    public synchronized void reset() {
        failures = 0;
    }

    public synchronized int failures() {
        return failures;
    }

    private long ceiling(int n) {
        long exp = n >= 40 ? Long.MAX_VALUE : baseMillis << n;
        return exp <= 0 ? capMillis : Math.min(capMillis, exp);
    }
}
