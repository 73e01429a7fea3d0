package dev.marketdata.feed;

import java.util.List;

import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.RejectReason;
import org.apache.camel.Exchange;
import org.apache.camel.support.DefaultConsumer;

/**
 * How a venue consumer hands a frame to its route: the connection's mapper turns it into outcomes (a binary
 * frame the protocol could not decode is rejected here, whatever the venue), and each outcome is one
 * exchange, carrying when the frame was received for the store's latency meter.
 */
public final class OutcomeDispatch {

    /** The exchange property with {@link System#nanoTime()} at the frame's arrival. */
    public static final String RECEIVED_NANOS = "marketdata.receivedNanos";

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

    /**
     * Runs the consumer's route once per outcome. A failure is the consumer's exception handler's to log; it
     * never stops the other outcomes or the connection.
     */
    public static void dispatch(DefaultConsumer consumer, List<FrameOutcome> outcomes, long receivedNanos, String what) {
        for (FrameOutcome outcome : outcomes) {
            Exchange exchange = consumer.createExchange(false);
            try {
                exchange.setProperty(RECEIVED_NANOS, receivedNanos);
                exchange.getMessage().setBody(outcome);
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
}
