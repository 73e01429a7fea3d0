package dev.marketdata.pipeline;

import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.marketdata.feed.RateLimitedLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes what each writer batch stored ({@link TickUpdates}) from a thread of its own, in batch order, so the
 * writer never waits a round trip for the push API: it hands the batch over and writes the next. Bounded: when
 * Redis takes the messages slower than batches come (it is down, or far behind), the oldest waiting batch is
 * dropped and counted; the push API then misses those ticks until each symbol's next one.
 */
final class TickPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(TickPublisher.class);
    private static final int QUEUE = 256;

    private final RedisTicks redis;
    private final byte[] channel;
    private final BlockingQueue<List<TickUpdates.Update>> queue = new ArrayBlockingQueue<>(QUEUE);
    private final AtomicLong dropped = new AtomicLong();
    private final RateLimitedLog log = new RateLimitedLog(LOG, 30_000);
    private volatile boolean running;
    private Thread thread;

    TickPublisher(RedisTicks redis, byte[] channel) {
        this.redis = redis;
        this.channel = channel;
    }

    /** Started by the first batch to publish; cheap to call again. */
    void start() {
        if (!running) {
            startThread();
        }
    }

    private synchronized void startThread() {
        if (running) {
            return;
        }
        running = true;
        thread = new Thread(this::run, "tick-publisher");
        thread.setDaemon(true);
        thread.start();
    }

    /** Called by the writer after a batch: never blocks. */
    void offer(List<TickUpdates.Update> stored) {
        while (!queue.offer(stored)) {
            if (queue.poll() != null) {
                dropped.incrementAndGet();
                log.warn("behind", "Publishing stored ticks for the push API fell behind; the oldest waiting batch was dropped "
                        + "({} so far)", dropped.get());
            }
        }
    }

    long dropped() {
        return dropped.get();
    }

    private void run() {
        while (running || !queue.isEmpty()) {
            List<TickUpdates.Update> stored;
            try {
                stored = queue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            if (stored == null) {
                continue;
            }
            try {
                for (byte[] message : TickUpdates.encode(stored)) {
                    redis.publish(channel, message);
                }
            } catch (RuntimeException e) {
                log.warn("publish", "Publishing {} stored tick(s) for the push API failed: {}", stored.size(),
                        e.getClass().getSimpleName());
            }
        }
    }

    /** Publishes what is waiting, for at most the given time, and stops. */
    synchronized void stop(long waitMillis) {
        running = false;
        if (thread != null) {
            try {
                thread.join(waitMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
    }
}
