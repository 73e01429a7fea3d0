package dev.marketdata.feed;

import java.util.List;

import dev.marketdata.model.FrameBatch;
import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.RejectReason;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultConsumer;

/**
 * How a venue consumer hands a frame to its route: the connection's mapper turns it into outcomes (a binary
 * frame the protocol could not decode is rejected here, whatever the venue), and a {@link FrameBatch} of them
 * (with when each frame was received, for the store's latency meter) is one exchange.
 */
public final class OutcomeDispatch {

    private OutcomeDispatch() {
    }

    /** The outcomes of one frame: text through the mapper; anything else is a binary frame the venue does not send. */
    public static List<FrameOutcome> outcomes(VenueMapper mapper, Object body, long receivedAtMillis) {
        if (body instanceof String text) {
            return mapper.map(text, receivedAtMillis);
        }
        return List.of(new FrameOutcome.Rejected("other", RejectReason.BINARY_FRAME,
                "binary frame of " + (body instanceof byte[] bytes ? bytes.length : -1) + " bytes"));
    }

    /** Runs the consumer's route once for one frame's outcomes (a replayed frame). */
    public static void dispatch(DefaultConsumer consumer, List<FrameOutcome> outcomes, long receivedNanos, String what) {
        dispatch(consumer, FrameBatch.of(outcomes, receivedNanos), what);
    }

    /**
     * Runs the consumer's route once for a batch of outcomes. A failure is the consumer's exception handler's to
     * log; it never stops the connection.
     */
    public static void dispatch(DefaultConsumer consumer, FrameBatch batch, String what) {
        if (batch.size() == 0) {
            return;
        }
        Exchange exchange = consumer.createExchange(false);
        try {
            exchange.getMessage().setBody(batch);
            consumer.getProcessor().process(exchange);
            if (exchange.getException() != null) {
                consumer.getExceptionHandler().handleException("Error processing " + what, exchange,
                        exchange.getException());
            }
        } catch (Exception e) {
            consumer.getExceptionHandler().handleException("Error processing " + what, exchange, e);
        } finally {
            consumer.releaseExchange(exchange, false);
        }
    }
}
