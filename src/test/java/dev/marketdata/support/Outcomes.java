package dev.marketdata.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.util.List;

import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.RejectReason;

/** Assertions on what a venue mapper made of one frame. */
public final class Outcomes {

    private Outcomes() {
    }

    /** The frame's single outcome. */
    public static FrameOutcome one(List<FrameOutcome> outcomes) {
        assertEquals(1, outcomes.size(), outcomes.toString());
        return outcomes.get(0);
    }

    /** The tick of the frame's single outcome, which must be accepted. */
    public static MarketTick accepted(List<FrameOutcome> outcomes) {
        return assertInstanceOf(FrameOutcome.Accepted.class, one(outcomes), outcomes.toString()).tick();
    }

    /** The reason of the frame's single outcome, which must be a rejection. */
    public static RejectReason rejected(List<FrameOutcome> outcomes) {
        return assertInstanceOf(FrameOutcome.Rejected.class, one(outcomes), outcomes.toString()).reason();
    }
}
