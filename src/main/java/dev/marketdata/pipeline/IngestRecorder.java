package dev.marketdata.pipeline;

import dev.marketdata.feed.RateLimitedLog;
import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.MarketTick;
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

    /** The exchange property telling the store that the venue reset its sequence at this tick. */
    public static final String SEQUENCE_RESET = "marketdata.sequenceReset";

    /** The tick to store, or null when the frame was ignored or rejected. */
    public MarketTick record(FrameOutcome outcome, Exchange exchange) {
        if (outcome instanceof FrameOutcome.Accepted accepted) {
            metrics.frameReceived(accepted.tick().stream().configName());
            if (accepted.sequenceReset() && exchange != null) {
                exchange.setProperty(SEQUENCE_RESET, Boolean.TRUE);
            }
            return accepted.tick();
        }
        if (outcome instanceof FrameOutcome.Ignored ignored) {
            metrics.frameReceived(ignored.kind());
            metrics.ignored(ignored.kind());
            return null;
        }
        FrameOutcome.Rejected rejected = (FrameOutcome.Rejected) outcome;
        metrics.frameReceived(rejected.kind());
        metrics.rejected(rejected.reason());
        // The route the frame came in on names its venue: okx-ingest, binance-ingest, replay.
        String from = exchange == null || exchange.getFromRouteId() == null ? "a" : exchange.getFromRouteId().replace("-ingest", "");
        rejectLog.warn(from + rejected.reason().tag(), "Rejected {} frame ({}): {}", from, rejected.reason().tag(),
                rejected.detail());
        return null;
    }
}
