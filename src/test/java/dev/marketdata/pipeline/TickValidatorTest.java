package dev.marketdata.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.math.BigDecimal;
import java.util.List;

import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.Market;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.RejectReason;
import dev.marketdata.model.StreamKind;
import org.junit.jupiter.api.Test;

class TickValidatorTest {

    private final TickValidator validator = new TickValidator(List.of("BTCUSDT"), 5_000);

    @Test
    void aSaneTickPasses() {
        assertNull(validator.check(book("BTCUSDT", "100.10", "1", "100.20", "2")));
    }

    @Test
    void aLockedBookPassesACrossedOneDoesNot() {
        assertNull(validator.check(book("BTCUSDT", "100.20", "1", "100.20", "2")));
        assertEquals(RejectReason.CROSSED_BOOK, validator.check(book("BTCUSDT", "100.30", "1", "100.20", "2")));
    }

    @Test
    void pricesMustBePositiveAndQuantitiesNotNegative() {
        assertEquals(RejectReason.NON_POSITIVE_PRICE, validator.check(book("BTCUSDT", "0", "1", "100.20", "2")));
        assertEquals(RejectReason.NON_POSITIVE_PRICE, validator.check(book("BTCUSDT", "0.00000000", "1", "0.00000000", "2")));
        assertEquals(RejectReason.NEGATIVE_QUANTITY, validator.check(book("BTCUSDT", "100.10", "-1", "100.20", "2")));
        assertNull(validator.check(book("BTCUSDT", "100.10", "0", "100.20", "0")));
    }

    @Test
    void onlyFollowedSymbolsPass() {
        assertEquals(RejectReason.UNKNOWN_SYMBOL, validator.check(book("ETHUSDT", "100.10", "1", "100.20", "2")));
    }

    @Test
    void anEventTimeFurtherAheadThanTheAllowedSkewIsRejected() {
        long receivedAt = 1_700_000_000_000L;
        assertNull(validator.check(withEventTime(receivedAt + 5_000, receivedAt)));
        assertNull(validator.check(withEventTime(receivedAt - 86_400_000L, receivedAt)));
        assertEquals(RejectReason.FUTURE_EVENT_TIME, validator.check(withEventTime(receivedAt + 5_001, receivedAt)));
        assertEquals(RejectReason.FUTURE_EVENT_TIME, validator.check(withEventTime(receivedAt + 86_400_000L, receivedAt)));
    }

    @Test
    void aRejectedTickBecomesARejectionWithItsStreamKind() {
        FrameOutcome out = validator.validate(new FrameOutcome.Accepted(book("BTCUSDT", "100.30", "1", "100.20", "2")));
        assertEquals(new FrameOutcome.Rejected("bookTicker", RejectReason.CROSSED_BOOK, "BTCUSDT: bid 100.30 above ask 100.20"), out);
        FrameOutcome ignored = new FrameOutcome.Ignored("depth");
        assertEquals(ignored, validator.validate(ignored));
    }

    /** Only what can be read back: a stored tick's decimals have at most 30 digits either side of the point. */
    @Test
    void decimalsBeyondWhatAStoredTickMayHoldAreRejected() {
        String thirty = "0." + "0".repeat(29) + "1";
        // Each side is storable; their mid has 31 decimals.
        assertEquals(RejectReason.BAD_NUMBER, validator.check(book("BTCUSDT", thirty, "1", "0." + "0".repeat(29) + "2", "1")));
        assertNull(validator.check(book("BTCUSDT", "0." + "0".repeat(28) + "10", "1", "0." + "0".repeat(28) + "20", "1")));
        assertEquals(RejectReason.BAD_NUMBER, validator.check(book("BTCUSDT", "100.10", "1E-40", "100.20", "2")));
        assertEquals(RejectReason.BAD_NUMBER, validator.check(withEventTime(-315619200000L, 1L)));
    }

    /** A venue's tick is followed by its exchange and symbol: the same symbol on another venue is not followed. */
    @Test
    void anotherVenuesTickIsFollowedByExchangeAndSymbol() {
        BigDecimal p = new BigDecimal("100");
        MarketTick okx = new MarketTick("BTC-USDT", "okx", "BTC-USDT", Market.SPOT, "BTC", "USDT", StreamKind.BOOK_TICKER, p,
                p, BigDecimal.ONE, p, BigDecimal.ONE, null, null, null, null, null, null, null, 1L, 1L, 1L, "okx");
        assertEquals("okx:BTC-USDT", okx.key());
        assertNull(new TickValidator(List.of("okx:BTC-USDT"), 5_000).check(okx));
        assertEquals(RejectReason.UNKNOWN_SYMBOL, new TickValidator(List.of("BTC-USDT", "bybit:BTC-USDT"), 5_000).check(okx));
        assertEquals("BTCUSDT", book("BTCUSDT", "1", "1", "2", "1").key());
    }

    /** What the stored-value check would refuse when read back is refused here, before it is ever stored. */
    @Test
    void whatTheStoredValueCheckRefusesNeverGetsStored() {
        TickValidator validator = new TickValidator(List.of("BTCUSDT"), 5_000);
        assertEquals(null, validator.check(withEventTime(1, 2)));
        assertEquals(RejectReason.BAD_NUMBER, validator.check(withEventTime(0, 2)));
        MarketTick t = withEventTime(1, 2);
        MarketTick lowAboveHigh = new MarketTick(t.symbol(), t.exchange(), t.nativeSymbol(), t.market(), t.baseAsset(),
                t.quoteAsset(), t.stream(), t.price(), null, null, null, null, t.open24h(), new BigDecimal("100"),
                new BigDecimal("200"), t.volume24h(), t.quoteVolume24h(), t.priceChange24h(), null, null, 1L, 2L, "binance");
        assertEquals(RejectReason.BAD_NUMBER, validator.check(lowAboveHigh));
        MarketTick noEventTime = new MarketTick(t.symbol(), t.exchange(), t.nativeSymbol(), t.market(), t.baseAsset(),
                t.quoteAsset(), t.stream(), t.price(), null, null, null, null, null, null, null, null, null, null, null,
                null, null, 2L, "binance");
        assertEquals(RejectReason.MISSING_FIELD, validator.check(noEventTime));
        MarketTick b = book("BTCUSDT", "1", "1", "2", "1");
        MarketTick noUpdateId = new MarketTick(b.symbol(), b.exchange(), b.nativeSymbol(), b.market(), b.baseAsset(),
                b.quoteAsset(), b.stream(), b.price(), b.bid(), b.bidQty(), b.ask(), null, null, null, null, null, null, null,
                null, null, null, 1L, "binance");
        assertEquals(RejectReason.MISSING_FIELD, validator.check(noUpdateId));
    }

    private static MarketTick withEventTime(long eventTime, long receivedAt) {
        BigDecimal p = new BigDecimal("100");
        return new MarketTick("BTCUSDT", "binance", "BTCUSDT", Market.SPOT, "BTC", "USDT", StreamKind.MINI_TICKER, p, null, null, null, null, p, p, p,
                BigDecimal.ONE, BigDecimal.ONE, BigDecimal.ZERO, null, null, eventTime, receivedAt, "binance");
    }

    static MarketTick book(String symbol, String bid, String bidQty, String ask, String askQty) {
        BigDecimal b = new BigDecimal(bid);
        BigDecimal a = new BigDecimal(ask);
        return new MarketTick(symbol, "binance", symbol, Market.SPOT, "BTC", "USDT", StreamKind.BOOK_TICKER, b.add(a).divide(BigDecimal.valueOf(2)),
                b, new BigDecimal(bidQty), a, new BigDecimal(askQty), null, null, null, null, null, null, null,
                1L, null, 1L, "binance");
    }
}
