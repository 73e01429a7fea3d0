package dev.marketdata.pipeline;

import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the gateway has to say when it stops: whether the ticks it held were written. The packaged jar
 * defers it so that it is the very last line of the log (after Camel's own shutdown lines); anything else
 * that runs the gateway (tests, an embedding) gets it logged at once.
 */
public final class ShutdownReport {

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownReport.class);
    private static final AtomicReference<String> DEFERRED_WARNING = new AtomicReference<>();
    private static volatile boolean deferred;

    private ShutdownReport() {
    }

    /** From now on warnings are kept for {@link #logDeferred()} instead of logged. */
    public static void defer() {
        deferred = true;
    }

    /** A loss at shutdown: logged now, or kept to be the last line. */
    public static void warn(String line) {
        if (deferred) {
            DEFERRED_WARNING.set(line);
        } else {
            LOG.warn(line);
        }
    }

    /** Logs the kept warning, if any. */
    public static void logDeferred() {
        String line = DEFERRED_WARNING.getAndSet(null);
        if (line != null) {
            LOG.warn(line);
        }
    }
}
