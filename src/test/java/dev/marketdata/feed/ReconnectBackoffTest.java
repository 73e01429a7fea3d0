package dev.marketdata.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

class ReconnectBackoffTest {

    @Test
    void delaysGrowExponentiallyWithFullJitterUpToTheCap() {
        ReconnectBackoff backoff = new ReconnectBackoff(1_000, 30_000);
        long[] ceilings = { 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000 };
        for (long ceiling : ceilings) {
            assertEquals(ceiling, backoff.currentCeiling());
            long delay = backoff.nextDelay();
            assertTrue(delay >= 0 && delay <= ceiling, delay + " outside [0, " + ceiling + "]");
        }
        backoff.reset();
        assertEquals(1_000, backoff.currentCeiling());
        assertEquals(0, backoff.failures());
    }

    @Test
    void jitterSpreadsTheDelaysOverTheWholeRange() {
        ReconnectBackoff backoff = new ReconnectBackoff(1_000, 1_000);
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 2_000; i++) {
            long d = backoff.nextDelay();
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        // Full jitter, not "base plus a little": both ends of [0, 1000] are reached.
        assertTrue(min < 50, "min " + min);
        assertTrue(max > 950, "max " + max);
    }

    @Test
    void theConnectBudgetStaysUnderBinancesLimitPerFiveMinutes() {
        AtomicLong now = new AtomicLong(1_000_000);
        ConnectLimiter limiter = new ConnectLimiter(ConnectLimiter.DEFAULT_LIMIT, now::get);
        for (int i = 0; i < ConnectLimiter.DEFAULT_LIMIT; i++) {
            assertEquals(0, limiter.reserve());
            now.addAndGet(100);
        }
        assertTrue(ConnectLimiter.DEFAULT_LIMIT < 300);
        // The next one must wait until the oldest of the window is five minutes old.
        long wait = limiter.reserve();
        assertEquals(ConnectLimiter.WINDOW_MILLIS - ConnectLimiter.DEFAULT_LIMIT * 100L, wait);
        now.addAndGet(wait);
        assertEquals(0, limiter.reserve());
        assertEquals(ConnectLimiter.DEFAULT_LIMIT, limiter.inWindow());
    }
}
