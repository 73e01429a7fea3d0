package dev.marketdata.exchange.coinbase;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.time.Instant;
import java.util.List;

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

class CoinbaseMapperTest {

    private final CoinbaseMapper mapper = new CoinbaseMapper(TickJson.newMapper(),
            List.of(Instrument.parse(Venue.COINBASE, "BTC-USD"), Instrument.parse(Venue.COINBASE, "ETH-USD")));

    @Test
    @EnabledIf(value = "dev.marketdata.support.VenueRecordings#available", disabledReason = VenueRecordings.MISSING)
    void everyRecordedTickerMapsToItsExactValues() throws IOException {
        int accepted = 0;
        int control = 0;
        for (VenueRecordings.Received frame : VenueRecordings.received(VenueRecordings.COINBASE)) {
            JsonNode root = TickJson.mapper().readTree(frame.text());
            List<FrameOutcome> outcomes = mapper.map(frame.text(), 3L);
            if (!root.get("channel").asText().equals("ticker")) {
                assertEquals(List.of(new FrameOutcome.Ignored("control")), outcomes);
                control++;
                continue;
            }
            JsonNode item = root.get("events").get(0).get("tickers").get(0);
            assertEquals(1, outcomes.size());
            MarketTick tick = assertInstanceOf(FrameOutcome.Accepted.class, outcomes.get(0), frame.text()).tick();
            assertEquals(item.get("product_id").asText(), tick.symbol());
            assertEquals(item.get("product_id").asText(), tick.nativeSymbol());
            assertEquals("coinbase", tick.exchange());
            assertEquals(StreamKind.TICKER, tick.stream());
            assertEquals(item.get("price").asText(), tick.price().toPlainString());
            assertEquals(item.get("best_bid").asText(), tick.bid().toPlainString());
            assertEquals(item.get("best_bid_quantity").asText(), tick.bidQty().toPlainString());
            assertEquals(item.get("best_ask").asText(), tick.ask().toPlainString());
            assertEquals(item.get("best_ask_quantity").asText(), tick.askQty().toPlainString());
            assertEquals(item.get("high_24_h").asText(), tick.high24h().toPlainString());
            assertEquals(item.get("low_24_h").asText(), tick.low24h().toPlainString());
            assertEquals(item.get("volume_24_h").asText(), tick.volume24h().toPlainString());
            assertEquals(item.get("price_percent_chg_24_h").asText(), tick.priceChangePercent24h().toPlainString());
            assertNull(tick.open24h());
            assertEquals(Instant.parse(root.get("timestamp").asText()).toEpochMilli(), tick.eventTime());
            accepted++;
        }
        assertEquals(List.of(160, 30), List.of(accepted, control));
    }

    @Test
    void severalTickersInOneMessageAreSeveralTicks() {
        String message = "{\"channel\":\"ticker\",\"timestamp\":\"2026-08-09T21:05:48.229198328Z\",\"sequence_num\":6,\"events\":["
                + "{\"type\":\"update\",\"tickers\":[" + item("BTC-USD", "65086.18") + "," + item("ETH-USD", "1919.41") + "]}]}";
        List<FrameOutcome> outcomes = mapper.map(message, 1L);
        assertEquals(2, outcomes.size());
        assertEquals("65086.18", assertInstanceOf(FrameOutcome.Accepted.class, outcomes.get(0)).tick().price().toPlainString());
        assertEquals("ETH-USD", assertInstanceOf(FrameOutcome.Accepted.class, outcomes.get(1)).tick().symbol());
        assertEquals(1786309548229L, assertInstanceOf(FrameOutcome.Accepted.class, outcomes.get(1)).tick().eventTime());
        // One bad ticker does not take its neighbour down.
        List<FrameOutcome> mixed = mapper.map(message.replace("\"1919.41\"", "1919.41"), 1L);
        assertInstanceOf(FrameOutcome.Accepted.class, mixed.get(0));
        assertEquals(RejectReason.BAD_NUMBER, assertInstanceOf(FrameOutcome.Rejected.class, mixed.get(1)).reason());
        assertEquals(RejectReason.UNKNOWN_SYMBOL, assertInstanceOf(FrameOutcome.Rejected.class,
                mapper.map(message.replace("ETH-USD", "DOGE-USD"), 1L).get(1)).reason());
        assertEquals(RejectReason.BAD_NUMBER, assertInstanceOf(FrameOutcome.Rejected.class,
                mapper.map(message.replace("2026-08-09T21:05:48.229198328Z", "yesterday"), 1L).get(0)).reason());
        assertEquals(RejectReason.SERVER_ERROR, assertInstanceOf(FrameOutcome.Rejected.class,
                mapper.map("{\"type\":\"error\",\"message\":\"failure to subscribe\"}", 1L).get(0)).reason());
        assertEquals(List.of(new FrameOutcome.Ignored("other")), mapper.map(
                "{\"channel\":\"level2\",\"timestamp\":\"2026-08-09T21:05:48Z\",\"events\":[]}", 1L));
    }

    /** Coinbase stamps to the nanosecond: two ticks in one millisecond are ordered, not taken for duplicates. */
    @Test
    void ticksInOneMillisecondAreOrderedByTheirNanoseconds() {
        String first = "{\"channel\":\"ticker\",\"timestamp\":\"2026-08-09T21:05:48.229198328Z\",\"sequence_num\":6,\"events\":["
                + "{\"type\":\"update\",\"tickers\":[" + item("BTC-USD", "65086.18") + "]}]}";
        MarketTick a = assertInstanceOf(FrameOutcome.Accepted.class, mapper.map(first, 1L).get(0)).tick();
        MarketTick b = assertInstanceOf(FrameOutcome.Accepted.class, mapper.map(first.replace("229198328", "229198329"), 1L).get(0)).tick();
        assertEquals(a.eventTime(), b.eventTime());
        assertEquals(1786309548229198328L, a.sequence());
        assertEquals(1786309548229198329L, b.sequence());
        assertEquals(1786309548229198328L, a.updateId());
        // A timestamp to the second only is a whole second of nanoseconds.
        MarketTick coarse = assertInstanceOf(FrameOutcome.Accepted.class,
                mapper.map(first.replace(".229198328Z", "Z"), 1L).get(0)).tick();
        assertEquals(1786309548000000000L, coarse.sequence());
    }

    private static String item(String product, String price) {
        return "{\"type\":\"ticker\",\"product_id\":\"" + product + "\",\"price\":\"" + price + "\",\"volume_24_h\":\"1\","
                + "\"low_24_h\":\"1\",\"high_24_h\":\"99999\",\"price_percent_chg_24_h\":\"-0.5\",\"best_bid\":\"" + price
                + "\",\"best_ask\":\"" + price + "\",\"best_bid_quantity\":\"1\",\"best_ask_quantity\":\"1\"}";
    }
}
