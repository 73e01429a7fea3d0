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
    /** Digits a stored decimal may have before, and after, the point. */
    public static final int MAX_DIGITS = 30;

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
                return new FrameOutcome.Rejected(accepted.tick().stream().configName(), reason, accepted.tick().key());
            }
        }
        return outcome;
    }

    /** Null when the tick is valid, else the first rule it breaks. */
    public RejectReason check(MarketTick tick) {
        if (!symbols.contains(tick.key())) {
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
        // The rules a stored value is checked against when read back (StoredTickCheck): a tick breaking one would be
        // stored and then never served.
        if (tick.eventTime() != null && tick.eventTime() <= 0 || tick.updateId() != null && tick.updateId() < 0) {
            return RejectReason.BAD_NUMBER;
        }
        if (tick.low24h() != null && tick.high24h() != null && tick.low24h().compareTo(tick.high24h()) > 0) {
            return RejectReason.BAD_NUMBER;
        }
        if (tick.stream() == dev.marketdata.model.StreamKind.BOOK_TICKER ? tick.bid() == null || tick.ask() == null
                || tick.bidQty() == null || tick.askQty() == null || tick.updateId() == null : tick.eventTime() == null) {
            return RejectReason.MISSING_FIELD;
        }
        for (BigDecimal value : new BigDecimal[] { tick.price(), tick.bid(), tick.bidQty(), tick.ask(), tick.askQty(),
                tick.open24h(), tick.high24h(), tick.low24h(), tick.volume24h(), tick.quoteVolume24h(),
                tick.priceChange24h(), tick.priceChangePercent24h() }) {
            if (!storable(value)) {
                return RejectReason.BAD_NUMBER;
            }
        }
        return null;
    }

    /**
     * At most 30 digits before and 30 after the point, the form a stored tick is checked against when read
     * back: a value beyond it (a venue's 1E-40, the mid of two prices with 30 decimals) would be stored and then
     * never served.
     */
    private static boolean storable(BigDecimal value) {
        return value == null || value.scale() <= MAX_DIGITS && value.precision() - value.scale() <= MAX_DIGITS;
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
