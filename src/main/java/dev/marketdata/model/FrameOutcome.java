package dev.marketdata.model;

/**
 * What one WebSocket frame turned into: a tick to store, a frame of a stream we did not ask for (or a
 * control message) to ignore, or a rejection with its reason.
 */
public sealed interface FrameOutcome {

    /**
     * @param sequenceReset the venue says its sequence starts again here (Bybit's {@code u=1} after a restart):
     *                      stored even though its sequence is lower than the stored one
     */
    record Accepted(MarketTick tick, boolean sequenceReset) implements FrameOutcome {

        public Accepted(MarketTick tick) {
            this(tick, false);
        }
    }

    /** A well-formed frame that is not ours to store; {@code kind} is a bounded tag (see {@code StreamTags}). */
    record Ignored(String kind) implements FrameOutcome {
    }

    /** {@code kind} is the stream kind when it was known, else "other". */
    record Rejected(String kind, RejectReason reason, String detail) implements FrameOutcome {
    }
}
