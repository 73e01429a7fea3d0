package dev.marketdata.pipeline;

import dev.marketdata.feed.RateLimitedLog;
import dev.marketdata.model.FrameBatch;
import dev.marketdata.model.FrameOutcome;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counts what each frame turned into and passes on only the ticks to store. Rejections are logged,
 * rate-limited per reason; ignored frames are counted, not logged.
 */
public class IngestRecorder {

    public static final String BEAN = "ingestRecorder";
    private static final Logger LOG = LoggerFactory.getLogger(IngestRecorder.class);

    private final IngestMetrics metrics;
    private final RateLimitedLog rejectLog = new RateLimitedLog(LOG, 10_000);

    public IngestRecorder(IngestMetrics metrics) {
        this.metrics = metrics;
    }

    /** The pipeline's step: counts each outcome of the batch and keeps only the ticks to store. */
    public FrameBatch recordAll(FrameBatch batch, Exchange exchange) {
        String from = from(exchange);
        return batch.apply((outcome, nanos) -> record(outcome, from) ? outcome : null, StepFailures.LOG_AND_DROP);
    }

    /** The route the frame came in on names its venue: okx-ingest, binance-ingest, replay. */
    private static String from(Exchange exchange) {
        return exchange == null || exchange.getFromRouteId() == null ? "a" : exchange.getFromRouteId().replace("-ingest", "");
    }

    /** Counts the outcome; true when it is a tick to store. */
    private boolean record(FrameOutcome outcome, String from) {
        if (outcome instanceof FrameOutcome.Accepted accepted) {
            metrics.frameReceived(accepted.tick().stream().configName());
            return true;
        }
        if (outcome instanceof FrameOutcome.Ignored ignored) {
            metrics.frameReceived(ignored.kind());
            metrics.ignored(ignored.kind());
            return false;
        }
        FrameOutcome.Rejected rejected = (FrameOutcome.Rejected) outcome;
        metrics.frameReceived(rejected.kind());
        metrics.rejected(rejected.reason());
        rejectLog.warn(from + rejected.reason().tag(), "Rejected {} frame ({}): {}", from, rejected.reason().tag(),
                rejected.detail());
        return false;
    }
}
