package dev.marketdata.exchange.htx;

import static dev.marketdata.support.Outcomes.accepted;
import static dev.marketdata.support.Outcomes.rejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.io.IOException;
import java.util.List;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marketdata.model.Instrument;
import dev.marketdata.model.Venue;
import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.RejectReason;
import dev.marketdata.model.StreamKind;
import dev.marketdata.pipeline.TickJson;
import dev.marketdata.support.VenueRecordings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

class HtxMapperTest {

    private final HtxMapper mapper = new HtxMapper(TickJson.newMapper(),
            List.of(Instrument.parse(Venue.HTX, "BTC-USDT"), Instrument.parse(Venue.HTX, "TRIO-ETH")),
            Set.of(HtxMapper.BBO, HtxMapper.TICKER));

    @Test
    @EnabledIf(value = "dev.marketdata.support.VenueRecordings#available", disabledReason = VenueRecordings.MISSING)
    void theRecordedGzipFramesAreControlOrStreamsNotAskedFor() throws IOException {
        int control = 0;
        int other = 0;
        for (VenueRecordings.Received frame : VenueRecordings.received(VenueRecordings.HTX)) {
            List<FrameOutcome> outcomes = mapper.map(frame.text(), 1L);
            JsonNode root = TickJson.mapper().readTree(frame.text());
            if (root.has("ping") || root.has("subbed")) {
                assertEquals(List.of(new FrameOutcome.Ignored("control")), outcomes);
                control++;
            } else {
                // depth.step0 and trade.detail: HTX streams the gateway does not subscribe to.
                assertEquals(List.of(new FrameOutcome.Ignored("other")), outcomes, frame.text());
                other++;
            }
        }
        assertEquals(List.of(26, 336), List.of(control, other));
    }

    @Test
    void numbersKeepTheExactDecimalOfTheirText() {
        // HTX's documented bbo push, with the recording's smallest price (TRIO-ETH at 9.121E-7).
        String bbo = "{\"ch\":\"market.trioeth.bbo\",\"ts\":1618678069870,\"tick\":{\"seqId\":103273695595,\"ask\":9.13E-7,"
                + "\"askSize\":1000.5,\"bid\":9.121E-7,\"bidSize\":92730.24,\"quoteTime\":1618678069860,\"symbol\":\"trioeth\"}}";
        MarketTick tick = accepted(mapper.map(bbo, 2L));
        assertEquals("TRIO-ETH", tick.symbol());
        assertEquals("trioeth", tick.nativeSymbol());
        assertEquals("htx", tick.exchange());
        assertEquals(StreamKind.BOOK_TICKER, tick.stream());
        assertEquals("0.0000009121", tick.bid().toPlainString());
        assertEquals("0.000000913", tick.ask().toPlainString());
        assertEquals("0.00000091255", tick.price().toPlainString());
        assertEquals("92730.24", tick.bidQty().toPlainString());
        assertEquals(103273695595L, tick.sequence());
        assertEquals(1618678069860L, tick.eventTime());
        // Trailing zeros as sent: 1.50 stays 1.50.
        assertEquals("1.50", accepted(mapper.map(bbo.replace("\"askSize\":1000.5", "\"askSize\":1.50"), 2L)).askQty().toPlainString());
        // In Redis and the API, decimals are plain strings, never an exponent.
        assertEquals(true, TickJson.write(tick).contains("\"bid\":\"0.0000009121\""));
    }

    @Test
    void aTickerPushIsOrderedByItsTs() {
        String ticker = "{\"ch\":\"market.btcusdt.ticker\",\"ts\":1630982370526,\"tick\":{\"open\":51732,\"high\":52785.64,"
                + "\"low\":51000,\"close\":52735.63,\"amount\":13259.24137056181,\"vol\":687640987.4125315,\"count\":448737,"
                + "\"bid\":52732.88,\"bidSize\":0.036,\"ask\":52732.89,\"askSize\":0.583653,\"lastPrice\":52735.63,\"lastSize\":0.03}}";
        MarketTick tick = accepted(mapper.map(ticker, 2L));
        assertEquals(StreamKind.TICKER, tick.stream());
        assertEquals("52735.63", tick.price().toPlainString());
        assertEquals("51732", tick.open24h().toPlainString());
        assertEquals("13259.24137056181", tick.volume24h().toPlainString());
        assertEquals("687640987.4125315", tick.quoteVolume24h().toPlainString());
        assertEquals("1003.63", tick.priceChange24h().toPlainString());
        assertEquals(1630982370526L, tick.sequence());
        assertEquals(RejectReason.BAD_NUMBER, rejected(mapper.map(ticker.replace("\"lastPrice\":52735.63", "\"lastPrice\":-1"), 2L)));
        assertEquals(RejectReason.BAD_NUMBER, rejected(mapper.map(ticker.replace("\"lastPrice\":52735.63", "\"lastPrice\":\"52735.63\""), 2L)));
        assertEquals(RejectReason.BAD_NUMBER, rejected(mapper.map(ticker.replace("\"lastPrice\":52735.63", "\"lastPrice\":1E+400"), 2L)));
        assertEquals(RejectReason.MISSING_FIELD, rejected(mapper.map(ticker.replace("\"ts\":1630982370526,", ""), 2L)));
        assertEquals(RejectReason.UNKNOWN_SYMBOL, rejected(mapper.map(ticker.replace("btcusdt", "ethusdt"), 2L)));
        assertEquals(RejectReason.SERVER_ERROR, rejected(mapper.map(
                "{\"status\":\"error\",\"err-code\":\"bad-request\",\"err-msg\":\"invalid topic\",\"ts\":1}", 2L)));
        assertEquals(List.of(new FrameOutcome.Ignored("control")), mapper.map("{\"ping\":1492420473027}", 2L));
        assertEquals(RejectReason.STREAM_MISMATCH, rejected(mapper.map(
                "{\"ch\":\"market.btcusdt.bbo\",\"ts\":1,\"tick\":{\"seqId\":1,\"ask\":2,\"askSize\":1,\"bid\":1,\"bidSize\":1,"
                        + "\"quoteTime\":1,\"symbol\":\"trioeth\"}}", 2L)));
    }
}
