package dev.marketdata.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class FrameBatchTest {

    private static final FrameOutcome IGNORED = new FrameOutcome.Ignored("depth");
    private static final FrameOutcome REJECTED = new FrameOutcome.Rejected("bookTicker", RejectReason.MALFORMED_JSON, "x");

    @Test
    void aStepFailingOnOneOutcomeDropsThatOneOnlyAndTheRestGoOnInOrder() {
        FrameBatch batch = new FrameBatch(1);
        FrameOutcome[] given = { IGNORED, REJECTED, new FrameOutcome.Ignored("trade") };
        for (int i = 0; i < given.length; i++) {
            batch.add(given[i], 100 + i);
        }
        List<String> seen = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        batch.apply((outcome, nanos) -> {
            seen.add(nanos + "");
            if (outcome == REJECTED) {
                throw new IllegalStateException("boom");
            }
            return outcome;
        }, (outcome, cause) -> failed.add(outcome + " " + cause.getMessage()));
        assertEquals(List.of("100", "101", "102"), seen);
        assertEquals(List.of(REJECTED + " boom"), failed);
        assertEquals(3, batch.size());
        assertSame(IGNORED, batch.outcome(0));
        assertNull(batch.outcome(1));
        assertSame(given[2], batch.outcome(2));
        assertEquals(102, batch.receivedNanos(2));
        // A dropped outcome is not offered to later steps.
        List<FrameOutcome> later = new ArrayList<>();
        batch.apply((outcome, nanos) -> {
            later.add(outcome);
            return null;
        }, (outcome, cause) -> { });
        assertEquals(List.of(IGNORED, given[2]), later);
        assertNull(batch.outcome(0));
    }

    @Test
    void hasTicksOnlyWhileAnAcceptedOutcomeIsLeft() {
        FrameBatch batch = FrameBatch.of(List.of(IGNORED, REJECTED), 7);
        assertFalse(batch.hasTicks());
        FrameBatch withTick = new FrameBatch();
        withTick.add(IGNORED, 1);
        withTick.add(new FrameOutcome.Accepted(null), 2);
        assertTrue(withTick.hasTicks());
        withTick.apply((outcome, nanos) -> outcome instanceof FrameOutcome.Accepted ? null : outcome, (o, e) -> { });
        assertFalse(withTick.hasTicks());
        assertEquals(0, new FrameBatch().size());
    }
}
