package dev.marketdata.exchange.okx;

import static dev.marketdata.support.Outcomes.accepted;
import static dev.marketdata.support.Outcomes.rejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marketdata.model.Instrument;
import dev.marketdata.model.Venue;
import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.Market;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.RejectReason;
import dev.marketdata.model.StreamKind;
import dev.marketdata.pipeline.TickJson;
import dev.marketdata.support.VenueRecordings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

class OkxMapperTest {

    private static final Instrument BTC = Instrument.parse(Venue.OKX, "BTC-USDT");
    private static final Instrument UNI = Instrument.parse(Venue.OKX, "uni-usd-perp");
    private final OkxMapper mapper = new OkxMapper(TickJson.newMapper(), List.of(BTC, UNI),
            Set.of(OkxMapper.TICKERS, OkxMapper.BBO_TBT));

    @Test
    void symbolsMapToOkxInstrumentIds() {
        assertEquals("BTC-USDT", BTC.nativeSymbol());
        assertEquals("UNI-USD-SWAP", UNI.nativeSymbol());
        assertEquals("UNI-USD-PERP", UNI.symbol());
        assertEquals(Market.PERP, UNI.market());
        assertEquals("UNI", UNI.base());
        assertEquals("USD", UNI.quote());
    }

    @Test
    @EnabledIf(value = "dev.marketdata.support.VenueRecordings#available", disabledReason = VenueRecordings.MISSING)
    void everyRecordedTickerMapsToItsExactValues() throws IOException {
        int accepted = 0;
        int unknown = 0;
        int control = 0;
        int ignored = 0;
        for (VenueRecordings.Received frame : VenueRecordings.received(VenueRecordings.OKX)) {
            JsonNode root = TickJson.mapper().readTree(frame.text());
            List<FrameOutcome> outcomes = mapper.map(frame.text(), 1_000L);
            assertEquals(1, outcomes.size(), frame.text());
            FrameOutcome outcome = outcomes.get(0);
            if (root.has("event")) {
                assertEquals(new FrameOutcome.Ignored("control"), outcome);
                control++;
                continue;
            }
            String channel = root.get("arg").get("channel").asText();
            String instId = root.get("arg").get("instId").asText();
            if (!channel.equals("tickers")) {
                assertInstanceOf(FrameOutcome.Ignored.class, outcome, frame.text());
                ignored++;
            } else if (instId.equals("BTC-USD-220527")) {
                // A future: not configured (and not a market the gateway serves).
                assertEquals(RejectReason.UNKNOWN_SYMBOL, assertInstanceOf(FrameOutcome.Rejected.class, outcome).reason());
                unknown++;
            } else {
                JsonNode data = root.get("data").get(0);
                MarketTick tick = assertInstanceOf(FrameOutcome.Accepted.class, outcome, frame.text()).tick();
                boolean spot = instId.equals("BTC-USDT");
                assertEquals(spot ? "BTC-USDT" : "UNI-USD-PERP", tick.symbol());
                assertEquals(instId, tick.nativeSymbol());
                assertEquals("okx", tick.exchange());
                assertEquals(StreamKind.TICKER, tick.stream());
                assertEquals(data.get("last").asText(), tick.price().toPlainString());
                assertEquals(data.get("bidPx").asText(), tick.bid().toPlainString());
                assertEquals(data.get("bidSz").asText(), tick.bidQty().toPlainString());
                assertEquals(data.get("askPx").asText(), tick.ask().toPlainString());
                assertEquals(data.get("askSz").asText(), tick.askQty().toPlainString());
                assertEquals(data.get("open24h").asText(), tick.open24h().toPlainString());
                assertEquals(data.get("high24h").asText(), tick.high24h().toPlainString());
                assertEquals(data.get("low24h").asText(), tick.low24h().toPlainString());
                // Spot: vol24h is base, volCcy24h quote; swaps: volCcy24h is base, vol24h contracts.
                assertEquals(data.get(spot ? "vol24h" : "volCcy24h").asText(), tick.volume24h().toPlainString());
                assertEquals(spot ? data.get("volCcy24h").asText() : null,
                        tick.quoteVolume24h() == null ? null : tick.quoteVolume24h().toPlainString());
                assertEquals(Long.parseLong(data.get("ts").asText()), tick.eventTime());
                assertEquals(tick.eventTime(), tick.sequence());
                accepted++;
            }
        }
        // The recording's 46 received frames: 25 BTC-USDT and 1 UNI-USD-SWAP tickers, 2 of a future, 18 replies.
        assertEquals(List.of(26, 2, 18, 0), List.of(accepted, unknown, control, ignored));
    }

    @Test
    void aBboTbtPushIsATopOfBookOrderedBySeqId() {
        // OKX's documented bbo-tbt push (its example, with BTC-USDT's figures).
        String push = "{\"arg\":{\"channel\":\"bbo-tbt\",\"instId\":\"BTC-USDT\"},\"data\":[{\"asks\":[[\"8446\",\"95\",\"0\",\"3\"]],"
                + "\"bids\":[[\"8445.5\",\"45\",\"0\",\"2\"]],\"ts\":\"1597026383085\",\"seqId\":123456}]}";
        MarketTick tick = accepted(mapper.map(push, 5L));
        assertEquals(StreamKind.BOOK_TICKER, tick.stream());
        assertEquals("8445.75", tick.price().toPlainString());
        assertEquals("8445.5", tick.bid().toPlainString());
        assertEquals("45", tick.bidQty().toPlainString());
        assertEquals("8446", tick.ask().toPlainString());
        assertEquals("95", tick.askQty().toPlainString());
        assertEquals(123456L, tick.updateId());
        // ts comes as a string of digits; seqId as a number, and a string there is not one.
        assertEquals(RejectReason.BAD_NUMBER, rejected(mapper.map(push.replace("\"seqId\":123456", "\"seqId\":\"123456\""), 5L)));
        assertEquals(1597026383085L, tick.eventTime());
        // Ordered by event time, then seqId: OKX may reset seqId to a smaller value, and that is not an old tick.
        assertEquals(1597026383085_123456L, tick.sequence());
        MarketTick afterReset = accepted(mapper.map(push.replace("1597026383085", "1597026383086").replace("123456", "5"), 6L));
        assertEquals(true, afterReset.sequence() > tick.sequence());
        MarketTick sameMillisecond = accepted(mapper.map(push.replace("123456", "123457"), 7L));
        assertEquals(true, sameMillisecond.sequence() > tick.sequence());
        assertEquals(5L, tick.receivedAt());
        // An empty side: no top of book, nothing stored.
        assertEquals(List.of(new FrameOutcome.Ignored("bbo-tbt")), mapper.map(push.replace("[[\"8446\",\"95\",\"0\",\"3\"]]", "[]"), 5L));
    }

    @Test
    void hostileAndControlFramesAreNamed() {
        String push = "{\"arg\":{\"channel\":\"tickers\",\"instId\":\"BTC-USDT\"},\"data\":[{\"instId\":\"BTC-USDT\","
                + "\"last\":\"9999.99\",\"bidPx\":\"9999.98\",\"bidSz\":\"1\",\"askPx\":\"9999.99\",\"askSz\":\"2\","
                + "\"open24h\":\"9000\",\"high24h\":\"10000\",\"low24h\":\"8888.88\",\"vol24h\":\"2222\",\"volCcy24h\":\"2222\","
                + "\"ts\":\"1597026383085\"}]}";
        MarketTick tick = accepted(mapper.map(push, 1L));
        assertEquals("999.99", tick.priceChange24h().toPlainString());
        assertNull(tick.priceChangePercent24h());
        // OKX sends "" for a side with no order: no bid, not a bad number. Elsewhere "" is not a decimal.
        assertNull(accepted(mapper.map(push.replace("\"bidPx\":\"9999.98\"", "\"bidPx\":\"\""), 1L)).bid());
        assertEquals(RejectReason.BAD_NUMBER, rejected(mapper.map(push.replace("\"high24h\":\"10000\"", "\"high24h\":\"\""), 1L)));
        assertEquals(RejectReason.STREAM_MISMATCH, rejected(mapper.map(push.replaceFirst("\"instId\":\"BTC-USDT\",\"last\"",
                "\"instId\":\"ETH-USDT\",\"last\""), 1L)));
        assertEquals(RejectReason.BAD_NUMBER, rejected(mapper.map(push.replace("\"9999.99\",\"bidPx\"", "9999.99,\"bidPx\""), 1L)));
        assertEquals(RejectReason.BAD_NUMBER, rejected(mapper.map(push.replace("\"9999.99\",\"bidPx\"", "\"-1\",\"bidPx\""), 1L)));
        assertEquals(RejectReason.BAD_NUMBER, rejected(mapper.map(push.replace("\"9999.99\",\"bidPx\"", "\"1e5\",\"bidPx\""), 1L)));
        assertEquals(RejectReason.MISSING_FIELD, rejected(mapper.map(push.replace(",\"ts\":\"1597026383085\"", ""), 1L)));
        assertEquals(RejectReason.MISSING_FIELD, rejected(mapper.map(
                "{\"arg\":{\"channel\":\"tickers\",\"instId\":\"BTC-USDT\"},\"data\":[]}", 1L)));
        assertEquals(RejectReason.UNKNOWN_SYMBOL, rejected(mapper.map(push.replace("BTC-USDT", "DOGE-USDT"), 1L)));
        assertEquals(RejectReason.SERVER_ERROR, rejected(mapper.map(
                "{\"event\":\"error\",\"code\":\"60012\",\"msg\":\"Invalid request\"}", 1L)));
        assertEquals(RejectReason.MALFORMED_JSON, rejected(mapper.map("{\"arg\":", 1L)));
        assertEquals(RejectReason.MALFORMED_JSON, rejected(mapper.map("[1,2]", 1L)));
        assertEquals(RejectReason.OVERSIZED_FRAME, rejected(mapper.map("{\"a\":\"" + "x".repeat(70_000) + "\"}", 1L)));
        // Text after the frame's JSON: a corrupt or spliced frame, not a tick.
        assertEquals(RejectReason.MALFORMED_JSON, rejected(mapper.map(push + " trailing {{{", 1L)));
        // Hundreds of updates in one push: one rejection, not hundreds.
        String many = "{\"arg\":{\"channel\":\"tickers\",\"instId\":\"BTC-USDT\"},\"data\":[" + "1,".repeat(300) + "1]}";
        assertEquals(RejectReason.OVERSIZED_FRAME, rejected(mapper.map(many, 1L)));
        assertEquals(List.of(new FrameOutcome.Ignored("control")), mapper.map("pong", 1L));
        assertEquals(List.of(new FrameOutcome.Ignored("control")), mapper.map(
                "{\"event\":\"subscribe\",\"arg\":{\"channel\":\"tickers\",\"instId\":\"BTC-USDT\"}}", 1L));
        // A duplicated key is not a frame OKX sends: which of the two would count?
        assertEquals(RejectReason.MALFORMED_JSON, rejected(mapper.map(push.replace("\"last\":\"9999.99\",",
                "\"last\":\"9999.99\",\"last\":\"1\","), 1L)));
    }

    @Test
    void symbolsThatAreNotOfTheNormalizedFormAreRefusedWithTheirForm() {
        assertEquals("'BTCUSDT' is not BASE-QUOTE or BASE-QUOTE-PERP (letters and digits, for example BTC-USDT)",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> Instrument.parse(Venue.OKX, "BTCUSDT")).getMessage());
        assertEquals("'BTC-USD-PERP': coinbase serves no perpetuals here, only spot (BASE-QUOTE)",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> Instrument.parse(Venue.COINBASE, "BTC-USD-PERP")).getMessage());
        // Letters outside ASCII are refused, not folded into others ("ſ" would upper-case to "S").
        assertEquals("'btc-usdtſ' is not BASE-QUOTE or BASE-QUOTE-PERP (letters and digits, for example BTC-USDT)",
                org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                        () -> Instrument.parse(Venue.OKX, "btc-usdtſ")).getMessage());
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Instrument.parse(Venue.OKX, "ıNJ-USDT"));
        assertEquals("BTCUSDT", Instrument.parse(Venue.BINANCE, "btcusdt").nativeSymbol());
        assertEquals("BTCUSDT", Instrument.parse(Venue.BINANCE, "BTC-USDT").nativeSymbol());
        assertEquals("btcusdt", Instrument.parse(Venue.HTX, "BTC-USDT").nativeSymbol());
        assertEquals("BTCUSDT", Instrument.parse(Venue.BYBIT, "BTC-USDT-PERP").nativeSymbol());
        assertEquals("BTC-USD", Instrument.parse(Venue.COINBASE, "btc-usd").nativeSymbol());
    }
}
