package dev.marketdata.exchange.binance;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.Locale;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.marketdata.exchange.VenueJson;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.StreamKind;

/**
 * The one frame Binance sends most, read with Jackson's streaming parser instead of a tree: a combined-stream
 * bookTicker {@code {"stream":"<symbol>@bookTicker","data":{"u":..,"s":..,"b":..,"B":..,"a":..,"A":..}}}
 * (with {@code e} and {@code E} where sent). Only a frame of exactly that shape, every value of the type and
 * form the tree path accepts, its symbol the stream's, and nothing after it, becomes a tick here; anything
 * else (another field, a missing or repeated one, a bad value, a syntax error) returns null and goes the
 * tree path, which gives the precise rejection. So this path never accepts a frame the tree path refuses,
 * and a frame it accepts maps to the same tick (BinanceFrameMapperTest checks both on every recorded frame).
 */
final class BookTickerFastPath {

    private static final String STREAM_SUFFIX = "@" + StreamKind.BOOK_TICKER.configName();
    private static final int U = 1;
    private static final int S = 2;
    private static final int BID = 4;
    private static final int BID_QTY = 8;
    private static final int ASK = 16;
    private static final int ASK_QTY = 32;
    private static final int EVENT_TYPE = 64;
    private static final int EVENT_TIME = 128;
    private static final int REQUIRED = U | S | BID | BID_QTY | ASK | ASK_QTY;

    private final JsonFactory factory;
    private final BookTickerMapper mapper;

    BookTickerFastPath(JsonFactory factory, BookTickerMapper mapper) {
        this.factory = factory;
        this.mapper = mapper;
    }

    /** The tick of a well-formed combined bookTicker frame, or null: let the tree path judge it. */
    MarketTick tryMap(String frame, long receivedAt) {
        try (JsonParser parser = factory.createParser(frame)) {
            if (parser.nextToken() != JsonToken.START_OBJECT || parser.nextToken() != JsonToken.FIELD_NAME
                    || !"stream".equals(parser.currentName()) || parser.nextToken() != JsonToken.VALUE_STRING) {
                return null;
            }
            String stream = parser.getText();
            if (!stream.endsWith(STREAM_SUFFIX) || stream.indexOf('@') != stream.length() - STREAM_SUFFIX.length()) {
                return null;
            }
            if (parser.nextToken() != JsonToken.FIELD_NAME || !"data".equals(parser.currentName())
                    || parser.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            int seen = 0;
            long updateId = 0;
            Long eventTime = null;
            String symbol = null;
            String bid = null;
            String bidQty = null;
            String ask = null;
            String askQty = null;
            JsonToken token;
            while ((token = parser.nextToken()) == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                int bit = bit(field);
                if (bit == 0 || (seen & bit) != 0) {
                    return null;
                }
                seen |= bit;
                switch (bit) {
                    case U -> {
                        updateId = nonNegativeLong(parser, value);
                        if (updateId < 0) {
                            return null;
                        }
                    }
                    case EVENT_TIME -> {
                        if (value != JsonToken.VALUE_NULL) {
                            long time = nonNegativeLong(parser, value);
                            if (time < 0) {
                                return null;
                            }
                            eventTime = time;
                        }
                    }
                    case EVENT_TYPE -> {
                        if (value != JsonToken.VALUE_STRING
                                || !StreamKind.BOOK_TICKER.eventType().equals(parser.getText())) {
                            return null;
                        }
                    }
                    default -> {
                        if (value != JsonToken.VALUE_STRING) {
                            return null;
                        }
                        String text = parser.getText();
                        if (bit == S) {
                            symbol = text;
                        } else if (!VenueJson.isPlainDecimal(text)) {
                            return null;
                        } else if (bit == BID) {
                            bid = text;
                        } else if (bit == BID_QTY) {
                            bidQty = text;
                        } else if (bit == ASK) {
                            ask = text;
                        } else {
                            askQty = text;
                        }
                    }
                }
            }
            if (token != JsonToken.END_OBJECT || (seen & REQUIRED) != REQUIRED
                    || parser.nextToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
                return null;
            }
            if (!BinanceFrameMapper.isSymbol(symbol)
                    || !stream.regionMatches(0, symbol.toLowerCase(Locale.ROOT), 0, stream.length() - STREAM_SUFFIX.length())
                    || symbol.length() != stream.length() - STREAM_SUFFIX.length()) {
                return null;
            }
            return mapper.tick(symbol, updateId, new BigDecimal(bid), new BigDecimal(bidQty), new BigDecimal(ask),
                    new BigDecimal(askQty), eventTime, receivedAt);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static int bit(String field) {
        return switch (field) {
            case "u" -> U;
            case "s" -> S;
            case "b" -> BID;
            case "B" -> BID_QTY;
            case "a" -> ASK;
            case "A" -> ASK_QTY;
            case "e" -> EVENT_TYPE;
            case "E" -> EVENT_TIME;
            default -> 0;
        };
    }

    /** The value as a long when it is a non-negative integer that fits one; -1 otherwise. */
    private static long nonNegativeLong(JsonParser parser, JsonToken value) throws IOException {
        if (value != JsonToken.VALUE_NUMBER_INT) {
            return -1;
        }
        JsonParser.NumberType type = parser.getNumberType();
        if (type != JsonParser.NumberType.INT && type != JsonParser.NumberType.LONG) {
            return -1;
        }
        return parser.getLongValue();
    }
}
