package dev.marketdata.pipeline;

import java.math.BigDecimal;
import java.util.Collection;
import java.util.Set;

import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.RejectReason;

/**
 * The business rules a tick must pass before it may be stored: a symbol we follow, positive prices,
 * non-negative quantities, a book that is not crossed (bid above ask; a locked book, bid = ask, passes),
 * and an event time not further in the future than {@code quality.max-skew-ms}: a tick from the future
 * would otherwise outrank every real one that follows (the ticker streams are ordered by event time).
 */
public class TickValidator {

    public static final String BEAN = "tickValidator";

    /** No asset trades above this; a larger price is a corrupt frame, not a market move. */
    public static final BigDecimal MAX_PRICE = new BigDecimal("1000000000000");

    private final Set<String> symbols;
    private final long maxFutureMillis;

    public TickValidator(Collection<String> symbols, long maxFutureMillis) {
        this.symbols = Set.copyOf(symbols);
        this.maxFutureMillis = maxFutureMillis;
    }

    public FrameOutcome validate(FrameOutcome outcome) {
        if (outcome instanceof FrameOutcome.Accepted accepted) {
            RejectReason reason = check(accepted.tick());
            if (reason != null) {
                return new FrameOutcome.Rejected(accepted.tick().stream().configName(), reason, accepted.tick().symbol());
            }
        }
        return outcome;
    }

    /** Null when the tick is valid, else the first rule it breaks. */
    public RejectReason check(MarketTick tick) {
        if (!symbols.contains(tick.symbol())) {
            return RejectReason.UNKNOWN_SYMBOL;
        }
        if (!positive(tick.price()) || !positiveOrAbsent(tick.bid()) || !positiveOrAbsent(tick.ask())
                || !positiveOrAbsent(tick.open24h()) || !positiveOrAbsent(tick.high24h())
                || !positiveOrAbsent(tick.low24h())) {
            return RejectReason.NON_POSITIVE_PRICE;
        }
        if (tooLarge(tick.price()) || tooLarge(tick.bid()) || tooLarge(tick.ask())) {
            return RejectReason.PRICE_OUT_OF_RANGE;
        }
        if (negative(tick.bidQty()) || negative(tick.askQty()) || negative(tick.volume24h())
                || negative(tick.quoteVolume24h())) {
            return RejectReason.NEGATIVE_QUANTITY;
        }
        if (tick.bid() != null && tick.ask() != null && tick.bid().compareTo(tick.ask()) > 0) {
            return RejectReason.CROSSED_BOOK;
        }
        if (tick.eventTime() != null && tick.eventTime() - tick.receivedAt() > maxFutureMillis) {
            return RejectReason.FUTURE_EVENT_TIME;
        }
        return null;
    }

    private static boolean positive(BigDecimal value) {
        return value != null && value.signum() > 0;
    }

    private static boolean positiveOrAbsent(BigDecimal value) {
        return value == null || value.signum() > 0;
    }

    private static boolean tooLarge(BigDecimal value) {
        return value != null && value.compareTo(MAX_PRICE) > 0;
    }

    private static boolean negative(BigDecimal value) {
        return value != null && value.signum() < 0;
    }
}
