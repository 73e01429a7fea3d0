package dev.marketdata.pipeline;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.Set;
import java.util.function.Predicate;

import dev.marketdata.model.FrameBatch;
import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.RejectReason;
import dev.marketdata.model.TickRules;

/**
 * The business rules a tick must pass before it may be stored: a symbol we follow, positive prices,
 * non-negative quantities, a book that is not crossed (bid above ask; a locked book, bid = ask, passes),
 * and an event time not further in the future than {@code quality.max-skew-ms}: a tick from the future
 * would otherwise outrank every real one that follows (the ticker streams are ordered by event time).
 */
public class TickValidator {

    public static final String BEAN = "tickValidator";

    /** No asset trades above this; a larger price is a corrupt frame, not a market move. */
    public static final BigDecimal MAX_PRICE = TickRules.MAX_PRICE;
    /** Digits a stored decimal may have before, and after, the point. */
    public static final int MAX_DIGITS = TickRules.MAX_DIGITS;

    private final Predicate<String> follows;
    private volatile long maxFutureMillis;

    public TickValidator(Collection<String> symbols, long maxFutureMillis) {
        this(Set.copyOf(symbols)::contains, maxFutureMillis);
    }

    /** @param follows whether a key is followed now (the followed set changes at run time) */
    public TickValidator(Predicate<String> follows, long maxFutureMillis) {
        this.follows = follows;
        this.maxFutureMillis = maxFutureMillis;
    }

    /** {@code quality.max-skew-ms}, changed at run time. */
    public void maxFutureMillis(long millis) {
        this.maxFutureMillis = millis;
    }

    /** The pipeline's step: each outcome of the batch, validated. */
    public FrameBatch validateAll(FrameBatch batch) {
        return batch.apply((outcome, nanos) -> validate(outcome), StepFailures.LOG_AND_DROP);
    }

    public FrameOutcome validate(FrameOutcome outcome) {
        if (outcome instanceof FrameOutcome.Accepted accepted) {
            TickRules.Problem problem = problem(accepted.tick());
            if (problem != null) {
                return new FrameOutcome.Rejected(accepted.tick().stream().configName(), problem.reason(),
                        accepted.tick().key() + ": " + problem.detail());
            }
        }
        return outcome;
    }

    /** Null when the tick is valid, else the first rule it breaks. */
    public RejectReason check(MarketTick tick) {
        TickRules.Problem problem = problem(tick);
        return problem == null ? null : problem.reason();
    }

    private TickRules.Problem problem(MarketTick tick) {
        if (!follows.test(tick.key())) {
            return new TickRules.Problem(RejectReason.UNKNOWN_SYMBOL, "not a followed symbol");
        }
        if (tick.eventTime() != null && tick.eventTime() - tick.receivedAt() > maxFutureMillis) {
            return new TickRules.Problem(RejectReason.FUTURE_EVENT_TIME, "an event time " + (tick.eventTime() - tick.receivedAt())
                    + " ms after its receive time");
        }
        return TickRules.problem(tick);
    }
}
