package dev.marketdata.pipeline;

import dev.marketdata.feed.RateLimitedLog;
import dev.marketdata.model.FrameBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the pipeline does with a step that fails on one outcome of a batch: logs it (at most once per 10 s) and
 * drops that outcome; the rest of the batch, the route and the connection go on, as with a whole exchange that
 * fails (the route's error handler logs those the same way).
 */
final class StepFailures {

    private static final Logger LOG = LoggerFactory.getLogger(TickPipelineRoutes.class);
    private static final RateLimitedLog FAILURE_LOG = new RateLimitedLog(LOG, 10_000);

    /** Logs and drops the one outcome. */
    static final FrameBatch.Failure LOG_AND_DROP = (outcome, cause) -> log(cause);

    private StepFailures() {
    }

    static void log(Throwable cause) {
        FAILURE_LOG.warn("pipeline", "Tick pipeline failed for one frame: {}", Failures.describe(cause));
    }
}
