package dev.marketdata.exchange.bybit;

import static dev.marketdata.support.Outcomes.accepted;
import static dev.marketdata.support.Outcomes.one;
import static dev.marketdata.support.Outcomes.rejected;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

class BybitMapperTest {

    private static final Set<String> STREAMS = Set.of(BybitMapper.TICKERS, BybitMapper.ORDERBOOK_1);

    private static List<Instrument> instruments(String... symbols) {
        return java.util.Arrays.stream(symbols).map(s -> Instrument.parse(Venue.BYBIT, s)).toList();
    }

    @Test
    @EnabledIf(value = "dev.marketdata.support.VenueRecordings#available", disabledReason = VenueRecordings.MISSING)
    void linearTickerDeltasAreMergedIntoWholeTicks() throws IOException {
        BybitMapper linear = new BybitMapper(TickJson.newMapper(),
                instruments("BTC-USDT-PERP", "ETH-USDT-PERP", "SOL-USDT-PERP", "DOGE-USDT-PERP"), STREAMS);
        Map<String, Map<String, String>> expected = new HashMap<>();
        int accepted = 0;
        int control = 0;
        int ignored = 0;
        for (VenueRecordings.Received frame : VenueRecordings.received(VenueRecordings.BYBIT)) {
            if (!frame.connection().endsWith("/linear")) {
                continue;
            }
            JsonNode root = TickJson.mapper().readTree(frame.text());
            FrameOutcome outcome = one(linear.map(frame.text(), 7L));
            if (root.has("op")) {
                assertEquals(new FrameOutcome.Ignored("control"), outcome);
                control++;
            } else if (root.get("topic").asText().startsWith("orderbook.200")) {
                assertEquals(new FrameOutcome.Ignored("other"), outcome);
                ignored++;
            } else {
                // The test's own merge: a snapshot is every field, a delta the ones that changed.
                JsonNode data = root.get("data");
                String symbol = data.get("symbol").asText();
                Map<String, String> fields = root.get("type").asText().equals("snapshot") ? new HashMap<>()
                        : expected.get(symbol);
                data.fields().forEachRemaining(f -> fields.put(f.getKey(), f.getValue().asText()));
                expected.put(symbol, fields);
                MarketTick tick = assertInstanceOf(FrameOutcome.Accepted.class, outcome, frame.text()).tick();
                assertEquals(symbol.replace("USDT", "-USDT-PERP"), tick.symbol());
                assertEquals(symbol, tick.nativeSymbol());
                assertEquals(Market.PERP, tick.market());
                assertEquals("bybit", tick.exchange());
                assertEquals(StreamKind.TICKER, tick.stream());
                assertEquals(fields.get("lastPrice"), tick.price().toPlainString());
                assertEquals(fields.get("bid1Price"), tick.bid().toPlainString());
                assertEquals(fields.get("bid1Size"), tick.bidQty().toPlainString());
                assertEquals(fields.get("ask1Price"), tick.ask().toPlainString());
                assertEquals(fields.get("ask1Size"), tick.askQty().toPlainString());
                assertEquals(fields.get("prevPrice24h"), tick.open24h().toPlainString());
                assertEquals(fields.get("highPrice24h"), tick.high24h().toPlainString());
                assertEquals(fields.get("lowPrice24h"), tick.low24h().toPlainString());
                assertEquals(fields.get("volume24h"), tick.volume24h().toPlainString());
                assertEquals(fields.get("turnover24h"), tick.quoteVolume24h().toPlainString());
                assertEquals(0, new BigDecimal(fields.get("price24hPcnt")).movePointRight(2)
                        .compareTo(tick.priceChangePercent24h()));
                assertEquals(root.get("ts").asLong(), tick.eventTime());
                accepted++;
            }
        }
        assertEquals(List.of(758, 17, 1598), List.of(accepted, control, ignored));
    }

    @Test
    @EnabledIf(value = "dev.marketdata.support.VenueRecordings#available", disabledReason = VenueRecordings.MISSING)
    void spotTickersHaveNoBook() throws IOException {
        BybitMapper spot = new BybitMapper(TickJson.newMapper(), instruments("BTC-USDT", "ETH-USDT"), STREAMS);
        int accepted = 0;
        for (VenueRecordings.Received frame : VenueRecordings.received(VenueRecordings.BYBIT)) {
            if (!frame.connection().endsWith("/spot")) {
                continue;
            }
            JsonNode root = TickJson.mapper().readTree(frame.text());
            FrameOutcome outcome = one(spot.map(frame.text(), 7L));
            if (root.path("topic").asText().startsWith("tickers.")) {
                JsonNode data = root.get("data");
                MarketTick tick = assertInstanceOf(FrameOutcome.Accepted.class, outcome).tick();
                assertEquals(data.get("lastPrice").asText(), tick.price().toPlainString());
                assertEquals(Market.SPOT, tick.market());
                assertNull(tick.bid());
                assertNull(tick.ask());
                assertEquals(new BigDecimal(data.get("lastPrice").asText()).subtract(new BigDecimal(data.get("prevPrice24h").asText())),
                        tick.priceChange24h());
                accepted++;
            } else {
                assertInstanceOf(FrameOutcome.Ignored.class, outcome);
            }
        }
        assertEquals(81, accepted);
        // The first spot snapshot of BTCUSDT: price24hPcnt 0.0015 is 0.15 %.
        String first = "{\"topic\":\"tickers.BTCUSDT\",\"ts\":1786310819126,\"type\":\"snapshot\",\"cs\":112488546160,\"data\":"
                + "{\"symbol\":\"BTCUSDT\",\"lastPrice\":\"65140.5\",\"highPrice24h\":\"65305.6\",\"lowPrice24h\":\"64727.9\","
                + "\"prevPrice24h\":\"65045.3\",\"volume24h\":\"2953.835931\",\"turnover24h\":\"191907024.69597728\","
                + "\"price24hPcnt\":\"0.0015\",\"usdIndexPrice\":\"65091.459221\"}}";
        MarketTick tick = assertInstanceOf(FrameOutcome.Accepted.class, one(spot.map(first, 1L))).tick();
        assertEquals("0.15", tick.priceChangePercent24h().toPlainString());
        assertEquals("95.2", tick.priceChange24h().toPlainString());
    }

    @Test
    void orderbookOneKeepsTheBestLevelThroughDeltas() {
        BybitMapper linear = new BybitMapper(TickJson.newMapper(), instruments("BTC-USDT-PERP"), STREAMS);
        String snapshot = "{\"topic\":\"orderbook.1.BTCUSDT\",\"type\":\"snapshot\",\"ts\":1672304484978,\"data\":{\"s\":\"BTCUSDT\","
                + "\"b\":[[\"16493.50\",\"0.006\"]],\"a\":[[\"16611.00\",\"0.029\"]],\"u\":18521288,\"seq\":7961638724},\"cts\":1672304484976}";
        MarketTick first = assertInstanceOf(FrameOutcome.Accepted.class, one(linear.map(snapshot, 1L))).tick();
        assertEquals("16552.25", first.price().toPlainString());
        assertEquals(18521288L, first.sequence());
        assertEquals(1672304484978L, first.eventTime());
        // A delta replaces the bid only.
        String delta = "{\"topic\":\"orderbook.1.BTCUSDT\",\"type\":\"delta\",\"ts\":1672304484990,\"data\":{\"s\":\"BTCUSDT\","
                + "\"b\":[[\"16493.50\",\"0\"],[\"16494.00\",\"1.5\"]],\"a\":[],\"u\":18521289,\"seq\":7961638725},\"cts\":1672304484988}";
        MarketTick second = assertInstanceOf(FrameOutcome.Accepted.class, one(linear.map(delta, 2L))).tick();
        assertEquals("16494.00", second.bid().toPlainString());
        assertEquals("1.5", second.bidQty().toPlainString());
        assertEquals("16611.00", second.ask().toPlainString());
        // A delta that empties the ask side: no top of book until it comes back.
        String emptied = delta.replace("\"b\":[[\"16493.50\",\"0\"],[\"16494.00\",\"1.5\"]],\"a\":[]",
                "\"b\":[],\"a\":[[\"16611.00\",\"0\"]]").replace("18521289", "18521290");
        assertEquals(new FrameOutcome.Ignored("orderbook.1"), one(linear.map(emptied, 3L)));
        // u=1: the service restarted and sends a snapshot; the tick carries sequence 1 (a reset, not an old tick).
        FrameOutcome.Accepted restart = assertInstanceOf(FrameOutcome.Accepted.class,
                one(linear.map(snapshot.replace("18521288", "1"), 4L)));
        MarketTick restarted = restart.tick();
        assertEquals(1L, restarted.sequence());
        // Marked, so that the store takes it at once instead of refusing it as older than 18521288.
        assertEquals(true, restart.sequenceReset());
        assertEquals(false, assertInstanceOf(FrameOutcome.Accepted.class, one(linear.map(snapshot, 5L))).sequenceReset());
        assertEquals("16493.50", restarted.bid().toPlainString());
    }

    @Test
    void hostileAndControlFramesAreNamed() {
        BybitMapper linear = new BybitMapper(TickJson.newMapper(), instruments("BTC-USDT-PERP"), STREAMS);
        String snapshot = "{\"topic\":\"tickers.BTCUSDT\",\"type\":\"snapshot\",\"data\":{\"symbol\":\"BTCUSDT\","
                + "\"lastPrice\":\"65114.30\",\"bid1Price\":\"65114.20\",\"bid1Size\":\"5.954\",\"ask1Price\":\"65114.30\","
                + "\"ask1Size\":\"10.470\"},\"cs\":753843900397,\"ts\":1786310817583}";
        // A delta before any snapshot cannot make a whole tick.
        assertEquals(new FrameOutcome.Ignored("tickers"), one(linear.map(snapshot.replace("snapshot", "delta"), 1L)));
        assertInstanceOf(FrameOutcome.Accepted.class, one(linear.map(snapshot, 1L)));
        // A bad delta is rejected alone: the next good one still merges into the last good state.
        String bad = "{\"topic\":\"tickers.BTCUSDT\",\"type\":\"delta\",\"data\":{\"symbol\":\"BTCUSDT\",\"bid1Price\":\"abc\"},"
                + "\"cs\":753843900398,\"ts\":1786310817683}";
        assertEquals(RejectReason.BAD_NUMBER, rejected(linear.map(bad, 1L)));
        assertEquals(RejectReason.MISSING_FIELD, rejected(linear.map(bad.replace("\"bid1Price\":\"abc\"", "\"lastPrice\":null"), 1L)));
        MarketTick after = accepted(linear.map(bad.replace("\"bid1Price\":\"abc\"", "\"lastPrice\":\"65115.00\""), 1L));
        assertEquals("65115.00", after.price().toPlainString());
        assertEquals("65114.20", after.bid().toPlainString());
        // Found by a breaker: a delta the pipeline would refuse (a bid above the ask, a 24h low above the high) is
        // refused here, and the state stays as it was for the next delta.
        assertEquals(RejectReason.CROSSED_BOOK, rejected(linear.map(bad.replace("\"bid1Price\":\"abc\"", "\"bid1Price\":\"70000\""), 1L)));
        assertEquals(RejectReason.BAD_NUMBER, rejected(linear.map(bad.replace("\"bid1Price\":\"abc\"",
                "\"highPrice24h\":\"100\",\"lowPrice24h\":\"200\""), 1L)));
        MarketTick next = accepted(linear.map(bad.replace("\"bid1Price\":\"abc\"", "\"lastPrice\":\"65116.00\""), 1L));
        assertEquals("65114.20", next.bid().toPlainString());
        assertEquals(null, next.low24h());
        assertEquals(RejectReason.STREAM_MISMATCH, rejected(linear.map(snapshot.replace("\"symbol\":\"BTCUSDT\"",
                "\"symbol\":\"ETHUSDT\""), 1L)));
        assertEquals(RejectReason.UNKNOWN_SYMBOL, rejected(linear.map(snapshot.replace("BTCUSDT", "XRPUSDT"), 1L)));
        assertEquals(RejectReason.BAD_NUMBER, rejected(linear.map(snapshot.replace("\"65114.30\",\"bid1Price\"",
                "65114.30,\"bid1Price\""), 1L)));
        assertEquals(RejectReason.MISSING_FIELD, rejected(linear.map(snapshot.replace("\"type\":\"snapshot\"",
                "\"type\":\"other\""), 1L)));
        assertEquals(RejectReason.MISSING_FIELD, rejected(linear.map(snapshot.replace(",\"ts\":1786310817583", ""), 1L)));
        assertEquals(RejectReason.SERVER_ERROR, rejected(linear.map(
                "{\"success\":false,\"ret_msg\":\"error:handler not found\",\"conn_id\":\"x\",\"op\":\"subscribe\"}", 1L)));
        assertEquals(new FrameOutcome.Ignored("control"), one(linear.map(
                "{\"success\":true,\"ret_msg\":\"pong\",\"conn_id\":\"x\",\"op\":\"ping\"}", 1L)));
        assertEquals(RejectReason.MALFORMED_JSON, rejected(linear.map("pong", 1L)));
    }
}
