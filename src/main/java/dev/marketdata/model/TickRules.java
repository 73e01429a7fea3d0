package dev.marketdata.model;

import java.math.BigDecimal;

/**
 * The rules every tick must keep whatever its venue, and that a stored value is checked against when read back:
 * positive prices below the absurd, non-negative quantities, a book that is not crossed (a locked one passes),
 * a positive event time and update id, a 24h low not above the high, a book top with its book and update id, a
 * ticker with its event time, and decimals a stored tick may hold. The pipeline's validator applies them (with
 * the followed keys and the clock); a mapper that merges deltas applies them before it keeps a merged state, so
 * that a delta the pipeline would refuse does not poison the state for the deltas after it.
 */
public final class TickRules {

    /** No asset trades above this; a larger price is a corrupt frame, not a market move. */
    public static final BigDecimal MAX_PRICE = new BigDecimal("1000000000000");
    /** Digits a stored decimal may have before, and after, the point. */
    public static final int MAX_DIGITS = 30;

    /** A broken rule: the reason it is counted under and what is wrong, for the log. */
    public record Problem(RejectReason reason, String detail) {
    }

    private TickRules() {
    }

    /** The first rule the tick breaks, or null. */
    public static Problem problem(MarketTick tick) {
        if (!positive(tick.price()) || !positiveOrAbsent(tick.bid()) || !positiveOrAbsent(tick.ask())
                || !positiveOrAbsent(tick.open24h()) || !positiveOrAbsent(tick.high24h())
                || !positiveOrAbsent(tick.low24h())) {
            return new Problem(RejectReason.NON_POSITIVE_PRICE, "a price that is not positive");
        }
        if (tooLarge(tick.price()) || tooLarge(tick.bid()) || tooLarge(tick.ask())) {
            return new Problem(RejectReason.PRICE_OUT_OF_RANGE, "a price above " + MAX_PRICE.toPlainString());
        }
        if (negative(tick.bidQty()) || negative(tick.askQty()) || negative(tick.volume24h())
                || negative(tick.quoteVolume24h())) {
            return new Problem(RejectReason.NEGATIVE_QUANTITY, "a negative quantity");
        }
        if (tick.bid() != null && tick.ask() != null && tick.bid().compareTo(tick.ask()) > 0) {
            return new Problem(RejectReason.CROSSED_BOOK, "bid " + tick.bid().toPlainString() + " above ask "
                    + tick.ask().toPlainString());
        }
        if (tick.eventTime() != null && tick.eventTime() <= 0) {
            return new Problem(RejectReason.BAD_NUMBER, "an event time of " + tick.eventTime());
        }
        if (tick.updateId() != null && tick.updateId() < 0) {
            return new Problem(RejectReason.BAD_NUMBER, "an update id of " + tick.updateId());
        }
        if (tick.low24h() != null && tick.high24h() != null && tick.low24h().compareTo(tick.high24h()) > 0) {
            return new Problem(RejectReason.BAD_NUMBER, "a 24h low " + tick.low24h().toPlainString() + " above the high "
                    + tick.high24h().toPlainString());
        }
        if (tick.stream() == StreamKind.BOOK_TICKER ? tick.bid() == null || tick.ask() == null || tick.bidQty() == null
                || tick.askQty() == null || tick.updateId() == null : tick.eventTime() == null) {
            return new Problem(RejectReason.MISSING_FIELD, tick.stream() == StreamKind.BOOK_TICKER
                    ? "a book top without its book or update id" : "a " + tick.stream().configName() + " without its event time");
        }
        for (BigDecimal value : new BigDecimal[] { tick.price(), tick.bid(), tick.bidQty(), tick.ask(), tick.askQty(),
                tick.open24h(), tick.high24h(), tick.low24h(), tick.volume24h(), tick.quoteVolume24h(),
                tick.priceChange24h(), tick.priceChangePercent24h() }) {
            if (!storable(value)) {
                return new Problem(RejectReason.BAD_NUMBER, "a decimal of more than " + MAX_DIGITS + "+" + MAX_DIGITS + " digits");
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
