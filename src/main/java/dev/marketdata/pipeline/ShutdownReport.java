package dev.marketdata.pipeline;

import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicReference;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The gateway's last word when it stops: how long it ran, how many ticks it wrote, and what it could not
 * write. The packaged jar defers it so that it is the very last line of the log (after Camel's own shutdown
 * lines); anything else that runs the gateway (tests, an embedding) gets it logged at once.
 */
public final class ShutdownReport {

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownReport.class);
    private record Line(boolean warning, String text) {
    }

    private static final AtomicReference<Line> DEFERRED = new AtomicReference<>();
    private static volatile boolean deferred;

    private ShutdownReport() {
    }

    /** From now on the report is kept for {@link #logDeferred()} instead of logged. */
    public static void defer() {
        deferred = true;
    }

    /**
     * @param written    ticks written to Redis since start
     * @param notWritten ticks Redis did not confirm before the bound ran out
     * @param why        for a loss: why and which, per symbol and stream
     */
    public static void stopped(long written, int notWritten, String why) {
        String text = "Stopped after " + ManagementFactory.getRuntimeMXBean().getUptime() / 1000 + " s: " + written
                + " tick(s) written to Redis, " + (notWritten == 0 ? "none left unwritten" : notWritten + " not written: " + why);
        Line line = new Line(notWritten > 0, text);
        if (deferred) {
            DEFERRED.set(line);
        } else {
            log(line);
        }
    }

    /** Logs the kept report, if any. */
    public static void logDeferred() {
        Line line = DEFERRED.getAndSet(null);
        if (line != null) {
            log(line);
        }
    }

    private static void log(Line line) {
        if (line.warning()) {
            LOG.warn(line.text());
        } else {
            LOG.info(line.text());
        }
    }
}
