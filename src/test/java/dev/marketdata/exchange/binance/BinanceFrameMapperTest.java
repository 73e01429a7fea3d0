package dev.marketdata.exchange.binance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.RejectReason;
import dev.marketdata.model.StreamKind;
import dev.marketdata.pipeline.TickJson;
import dev.marketdata.support.RecordedFrames;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

class BinanceFrameMapperTest {

    private static final long NOW = 1_700_000_000_000L;
    private final BinanceFrameMapper all = new BinanceFrameMapper(TickJson.newMapper(),
            EnumSet.allOf(StreamKind.class), () -> NOW);
    private final BinanceFrameMapper bookOnly = new BinanceFrameMapper(TickJson.newMapper(),
            EnumSet.of(StreamKind.BOOK_TICKER), () -> NOW);

    @Test
    void bookTickerBecomesATickWithExactDecimalsAndTheMid() throws IOException {
        MarketTick tick = accepted(all.map(documented().get(0)));
        assertEquals("BNBUSDT", tick.symbol());
        assertEquals("BNB", tick.baseAsset());
        assertEquals("USDT", tick.quoteAsset());
        assertEquals(StreamKind.BOOK_TICKER, tick.stream());
        assertEquals("25.35190000", tick.bid().toPlainString());
        assertEquals("31.21000000", tick.bidQty().toPlainString());
        assertEquals("25.36520000", tick.ask().toPlainString());
        assertEquals("40.66000000", tick.askQty().toPlainString());
        assertEquals("25.35855000", tick.price().toPlainString());
        assertEquals(400900217L, tick.updateId());
        assertEquals(400900217L, tick.sequence());
        assertNull(tick.eventTime());
        assertEquals(NOW, tick.receivedAt());
        assertEquals("binance", tick.source());
        assertNull(tick.open24h());
    }

    @Test
    void tickerCarriesLastPriceBookTopAnd24hStats() throws IOException {
        MarketTick tick = accepted(all.map(documented().get(1)));
        assertEquals("BNBBTC", tick.symbol());
        assertEquals("BTC", tick.quoteAsset());
        assertEquals(StreamKind.TICKER, tick.stream());
        assertEquals(new BigDecimal("0.0025"), tick.price());
        assertEquals("0.0024", tick.bid().toPlainString());
        assertEquals("0.0026", tick.ask().toPlainString());
        assertEquals("0.0010", tick.open24h().toPlainString());
        assertEquals("0.0025", tick.high24h().toPlainString());
        assertEquals("10000", tick.volume24h().toPlainString());
        assertEquals("0.0015", tick.priceChange24h().toPlainString());
        assertEquals("250.00", tick.priceChangePercent24h().toPlainString());
        assertEquals(18150L, tick.updateId());
        assertEquals(1672515782136L, tick.eventTime());
        assertEquals(1672515782136L, tick.sequence());
        MarketTick falling = accepted(all.map(documented().get(3)));
        assertEquals("-0.0005", falling.priceChange24h().toPlainString());
        assertEquals("-16.67", falling.priceChangePercent24h().toPlainString());
    }

    @Test
    void miniTickerHasNoBookButA24hChange() throws IOException {
        MarketTick tick = accepted(all.map(documented().get(2)));
        assertEquals(StreamKind.MINI_TICKER, tick.stream());
        assertEquals("0.0025", tick.price().toPlainString());
        assertNull(tick.bid());
        assertNull(tick.ask());
        assertEquals("0.0015", tick.priceChange24h().toPlainString());
        assertEquals(1672515782136L, tick.sequence());
    }

    @Test
    void streamsNotSubscribedToAreIgnoredNotRejected() throws IOException {
        assertEquals(new FrameOutcome.Ignored("ticker"), bookOnly.map(documented().get(1)));
        assertEquals(new FrameOutcome.Ignored("miniTicker"), bookOnly.map(documented().get(2)));
        assertEquals(new FrameOutcome.Ignored("depth"), bookOnly.map(
                "{\"stream\":\"bnbusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"u\":5}}"));
        assertEquals(new FrameOutcome.Ignored("kline"), bookOnly.map(
                "{\"stream\":\"bnbusdt@kline_1m\",\"data\":{\"e\":\"kline\"}}"));
        assertEquals(new FrameOutcome.Ignored("other"), bookOnly.map(
                "{\"stream\":\"bnbusdt@somethingNew\",\"data\":{}}"));
        assertEquals(new FrameOutcome.Ignored("control"), bookOnly.map("{\"result\":null,\"id\":1}"));
    }

    @Test
    void aPayloadOfAnotherSymbolOrEventTypeThanItsStreamIsRejected() {
        FrameOutcome otherSymbol = all.map("{\"stream\":\"eeeusdt@bookTicker\",\"data\":{\"u\":5,\"s\":\"DDDUSDT\","
                + "\"b\":\"1.00\",\"B\":\"1\",\"a\":\"1.02\",\"A\":\"1\"}}");
        assertEquals(new FrameOutcome.Rejected("bookTicker", RejectReason.STREAM_MISMATCH,
                "stream 'eeeusdt@bookTicker' carries DDDUSDT"), otherSymbol);
        FrameOutcome otherEvent = all.map("{\"stream\":\"bnbbtc@miniTicker\",\"data\":{\"e\":\"24hrTicker\","
                + "\"E\":1672515782136,\"s\":\"BNBBTC\",\"c\":\"0.0025\",\"o\":\"0.0010\",\"h\":\"0.0025\","
                + "\"l\":\"0.0010\",\"v\":\"10000\",\"q\":\"18\"}}");
        assertEquals(RejectReason.STREAM_MISMATCH, ((FrameOutcome.Rejected) otherEvent).reason());
        // The futures bookTicker names its event type; the same one as the stream is fine.
        accepted(all.map("{\"stream\":\"btcusdt@bookTicker\",\"data\":{\"e\":\"bookTicker\",\"u\":5,"
                + "\"s\":\"BTCUSDT\",\"b\":\"1.00\",\"B\":\"1\",\"a\":\"1.02\",\"A\":\"1\"}}"));
    }

    @Test
    void aBareTickPayloadWithoutItsStreamIsRejected() {
        FrameOutcome bare = bookOnly.map("{\"u\":7,\"s\":\"BNBUSDT\",\"b\":\"1.0\",\"B\":\"2\",\"a\":\"1.2\",\"A\":\"3\"}");
        assertEquals(new FrameOutcome.Rejected("bookTicker", RejectReason.STREAM_MISMATCH,
                "a bookTicker payload without its stream name"), bare);
        // Bare control messages stay what they are.
        assertEquals(new FrameOutcome.Ignored("control"), bookOnly.map("{\"result\":null,\"id\":1}"));
    }

    @Test
    void malformedFramesAreRejectedWithTheirReason() throws IOException {
        int checked = 0;
        for (String line : lines("malformed-frames.txt")) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] parts = line.split("\t", 2);
            FrameOutcome outcome = all.map(parts[1]);
            FrameOutcome.Rejected rejected = assertInstanceOf(FrameOutcome.Rejected.class, outcome, parts[1]);
            assertEquals(parts[0], rejected.reason().tag(), parts[1]);
            checked++;
        }
        assertEquals(16, checked);
    }

    @Test
    @EnabledIf(value = "dev.marketdata.support.RecordedFrames#available", disabledReason = RecordedFrames.MISSING)
    void everyRecordedBookTickerMapsToItsExactValues() throws IOException {
        for (String file : List.of(RecordedFrames.SPOT, RecordedFrames.US)) {
            List<String> frames = RecordedFrames.load(file);
            int accepted = 0;
            int ignored = 0;
            for (String frame : frames) {
                FrameOutcome outcome = bookOnly.map(frame);
                if (outcome instanceof FrameOutcome.Accepted a) {
                    JsonNode data = TickJson.mapper().readTree(frame).get("data");
                    assertEquals(data.get("u").asLong(), a.tick().updateId());
                    assertEquals(data.get("b").asText(), a.tick().bid().toPlainString());
                    assertEquals(data.get("A").asText(), a.tick().askQty().toPlainString());
                    accepted++;
                } else {
                    assertInstanceOf(FrameOutcome.Ignored.class, outcome, frame);
                    ignored++;
                }
            }
            assertEquals(RecordedFrames.count(frames, "@bookTicker"), accepted, file);
            assertEquals(frames.size() - accepted, ignored, file);
        }
    }

    @Test
    void aStoredTickIsPlainSnakeCaseJsonWithDecimalStrings() throws IOException {
        MarketTick tick = accepted(all.map(documented().get(0)));
        JsonNode json = TickJson.mapper().readTree(TickJson.write(tick));
        assertEquals("25.35190000", json.get("bid").textValue());
        assertEquals("31.21000000", json.get("bid_qty").textValue());
        assertEquals(400900217L, json.get("update_id").longValue());
        assertEquals("bookTicker", json.get("stream").textValue());
        assertEquals("binance", json.get("exchange").textValue());
        assertEquals("BNBUSDT", json.get("native_symbol").textValue());
        assertEquals("spot", json.get("market").textValue());
        // Every field is written, null where the stream has none: every tick has the same fields.
        assertEquals(true, json.get("open_24h").isNull());
        assertEquals(23, json.size());
        assertEquals(tick, TickJson.read(TickJson.write(tick)));
        Map<?, ?> asMap = TickJson.mapper().readValue(TickJson.write(accepted(all.map(documented().get(1)))), Map.class);
        assertEquals("0.0010", asMap.get("open_24h"));
    }

    private static MarketTick accepted(FrameOutcome outcome) {
        return assertInstanceOf(FrameOutcome.Accepted.class, outcome, outcome.toString()).tick();
    }

    private static List<String> documented() throws IOException {
        return lines("documented-frames.ndjson");
    }

    private static List<String> lines(String name) throws IOException {
        try (InputStream in = BinanceFrameMapperTest.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
        }
    }
}
