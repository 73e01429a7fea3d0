package dev.marketdata.exchange.binance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;

import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.StreamKind;
import dev.marketdata.pipeline.TickJson;
import dev.marketdata.support.RecordedFrames;
import org.junit.jupiter.api.Test;

/**
 * The streaming bookTicker path against the tree path it short-cuts: on every frame it takes, the same tick;
 * on every frame the tree path refuses, or that is not exactly a combined bookTicker, it steps aside (null).
 * Hostile variants are made from a real frame by one edit each.
 */
class BookTickerFastPathTest {

    private static final String GOOD = "{\"stream\":\"bnbusdt@bookTicker\",\"data\":{\"u\":400900217,\"s\":\"BNBUSDT\","
            + "\"b\":\"25.35190000\",\"B\":\"31.21000000\",\"a\":\"25.36520000\",\"A\":\"40.66000000\"}}";

    private final BinanceFrameMapper mapper = new BinanceFrameMapper(TickJson.newMapper(),
            EnumSet.of(StreamKind.BOOK_TICKER, StreamKind.TICKER, StreamKind.MINI_TICKER), () -> 1L);
    private final BookTickerFastPath fast = new BookTickerFastPath(TickJson.newMapper().getFactory(), new BookTickerMapper());

    @Test
    void aWellFormedFrameMapsToTheTreePathsTickAndNothingElseIsTaken() {
        MarketTick tick = fast.tryMap(GOOD, 7L);
        assertNotNull(tick);
        assertEquals(((FrameOutcome.Accepted) mapper.mapTree(GOOD, 7L)).tick(), tick);
        String withEvent = GOOD.replace("{\"u\"", "{\"e\":\"bookTicker\",\"E\":1672515782136,\"u\"");
        assertEquals(((FrameOutcome.Accepted) mapper.mapTree(withEvent, 7L)).tick(), fast.tryMap(withEvent, 7L));
        String nullTime = GOOD.replace("{\"u\"", "{\"E\":null,\"u\"");
        assertEquals(((FrameOutcome.Accepted) mapper.mapTree(nullTime, 7L)).tick(), fast.tryMap(nullTime, 7L));

        List<String> hostile = List.of(
                GOOD.replace("\"u\":400900217,", ""),                          // a field missing
                GOOD.replace("\"u\":400900217", "\"u\":400900217,\"u\":5"),     // a field twice
                GOOD.replace("\"u\":400900217", "\"u\":-1"),
                GOOD.replace("\"u\":400900217", "\"u\":4.5"),
                GOOD.replace("\"u\":400900217", "\"u\":\"400900217\""),
                GOOD.replace("\"u\":400900217", "\"u\":99999999999999999999"),  // beyond a long
                GOOD.replace("\"u\":400900217", "\"u\":null"),
                GOOD.replace("25.35190000", "2.5e1"),
                GOOD.replace("25.35190000", "-25.3519"),
                GOOD.replace("25.35190000", ""),
                GOOD.replace("\"25.35190000\"", "25.3519"),
                GOOD.replace("\"BNBUSDT\"", "\"DDDUSDT\""),                     // another symbol than the stream's
                GOOD.replace("\"BNBUSDT\"", "\"bnbusdt\""),
                GOOD.replace("\"BNBUSDT\"", "\"BNB-USDT\""),
                GOOD.replace("\"BNBUSDT\"", "\"BNBUSDTX\""),
                GOOD.replace("bnbusdt@bookTicker", "bnbusd@bookTicker"),
                GOOD.replace("bnbusdt@bookTicker", "bnbusdt@bookTicker@bookTicker"),
                GOOD.replace("bnbusdt@bookTicker", "bnbusdt@bookticker"),
                GOOD.replace("{\"u\"", "{\"e\":\"24hrTicker\",\"u\""),           // another event type
                GOOD.replace("{\"u\"", "{\"e\":null,\"u\""),
                GOOD.replace("{\"u\"", "{\"T\":1,\"u\""),                        // a field it does not know
                GOOD.replace("{\"u\"", "{\"E\":-5,\"u\""),
                GOOD + " ",
                GOOD + "{}",                                                     // text after the frame
                GOOD.substring(0, GOOD.length() - 1),                            // truncated
                GOOD.replace("{\"stream\"", "{\"code\":1,\"msg\":\"x\",\"stream\""),
                GOOD.replace("}}", "},\"stream\":\"x@bookTicker\"}"),
                GOOD.replace("\"data\":{", "\"data\":{\"data\":{},"),
                "{\"data\":" + GOOD.substring(GOOD.indexOf("{\"u\""), GOOD.length() - 1) + ",\"stream\":\"bnbusdt@bookTicker\"}",
                GOOD.substring(GOOD.indexOf("{\"u\""), GOOD.length() - 1),        // a bare payload
                "[" + GOOD + "]", "null", "", "{}");
        int checked = 0;
        for (String frame : hostile) {
            MarketTick taken = fast.tryMap(frame, 7L);
            FrameOutcome tree = mapper.mapTree(frame, 7L);
            if (taken != null) {
                // Only a variant the tree path also accepts may be taken (trailing whitespace is such a one).
                assertEquals(((FrameOutcome.Accepted) assertInstanceOf(FrameOutcome.Accepted.class, tree, frame)).tick(), taken, frame);
            } else {
                checked++;
            }
            assertEquals(tree, mapper.mapReceivedAt(frame, 7L), frame);
        }
        assertEquals(hostile.size() - 1, checked);
        assertNull(fast.tryMap(GOOD.replace("{\"u\"", "{\"T\":1,\"u\""), 7L));
    }

    @Test
    void onEveryRecordedFrameBothPathsAgree() throws IOException {
        List<String> frames = new ArrayList<>(RecordedFrames.demo());
        if (RecordedFrames.available()) {
            frames.addAll(RecordedFrames.load(RecordedFrames.SPOT));
            frames.addAll(RecordedFrames.load(RecordedFrames.US));
        }
        int taken = 0;
        for (String frame : frames) {
            MarketTick tick = fast.tryMap(frame, 7L);
            FrameOutcome tree = mapper.mapTree(frame, 7L);
            if (tick != null) {
                assertEquals(((FrameOutcome.Accepted) assertInstanceOf(FrameOutcome.Accepted.class, tree, frame)).tick(), tick, frame);
                taken++;
            }
        }
        long bookTickers = frames.stream().filter(f -> f.contains("@bookTicker")).count();
        assertEquals(bookTickers, taken);
    }
}
