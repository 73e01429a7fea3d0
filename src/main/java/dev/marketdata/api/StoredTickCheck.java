package dev.marketdata.api;

import java.io.IOException;
import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.marketdata.model.Instrument;
import dev.marketdata.model.Market;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.StreamKind;
import dev.marketdata.model.Venue;
import dev.marketdata.pipeline.TickJson;
import dev.marketdata.pipeline.TickValidator;

/**
 * Decides whether a value read from Redis is a tick this gateway would have written for the requested
 * symbol: one JSON object, exactly the tick's own fields, each of its type (decimals as plain decimal
 * strings, times as integers), the symbol asked for, a known stream and source, nothing after the object,
 * and values ingest would have let through (a plausible price, a book that is not crossed, the stream's
 * shape, an event time not from the future). Only such a value is ever spliced into an answer; anything
 * else is a miss. Redis can hold anything: another program, a restored dump or an operator's {@code SET}
 * may have put it there.
 */
public final class StoredTickCheck {

    /** Ticks are a few hundred bytes; a value this large is not one. */
    static final int MAX_LENGTH = 4096;
    private static final JsonFactory JSON = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    /** Decimals as the gateway writes them: no leading zeros, no sign, no exponent. */
    private static final Pattern DECIMAL = Pattern.compile("(0|[1-9]\\d{0,29})(\\.\\d{1,30})?");
    private static final Pattern SIGNED_DECIMAL = Pattern.compile("-?(0|[1-9]\\d{0,29})(\\.\\d{1,30})?");
    private static final Pattern ASSET = Pattern.compile("[A-Z0-9]{0,20}");
    /** A venue's own name of an instrument: {@code BTCUSDT}, {@code BTC-USDT-SWAP}, {@code btcusdt}. */
    /** As {@link Instrument#NORMALIZED} allows: 15 characters of base and 15 of quote, joined or not. */
    private static final Pattern NATIVE_SYMBOL = Pattern.compile("[A-Za-z0-9]{1,30}(-[A-Za-z0-9]{1,15}){0,2}");

    private enum Type { TEXT, DECIMAL, OPTIONAL_DECIMAL, SIGNED_DECIMAL, OPTIONAL_INTEGER, INTEGER }

    /** The fields of {@link MarketTick} as {@code TickJson} writes them. */
    private static final Map<String, Type> FIELDS = Map.ofEntries(
            Map.entry("symbol", Type.TEXT), Map.entry("exchange", Type.TEXT), Map.entry("native_symbol", Type.TEXT),
            Map.entry("market", Type.TEXT), Map.entry("base_asset", Type.TEXT), Map.entry("quote_asset", Type.TEXT),
            Map.entry("stream", Type.TEXT), Map.entry("source", Type.TEXT),
            Map.entry("price", Type.DECIMAL),
            Map.entry("bid", Type.OPTIONAL_DECIMAL), Map.entry("bid_qty", Type.OPTIONAL_DECIMAL),
            Map.entry("ask", Type.OPTIONAL_DECIMAL), Map.entry("ask_qty", Type.OPTIONAL_DECIMAL),
            Map.entry("open_24h", Type.OPTIONAL_DECIMAL), Map.entry("high_24h", Type.OPTIONAL_DECIMAL),
            Map.entry("low_24h", Type.OPTIONAL_DECIMAL), Map.entry("volume_24h", Type.OPTIONAL_DECIMAL),
            Map.entry("quote_volume_24h", Type.OPTIONAL_DECIMAL),
            Map.entry("price_change_24h", Type.SIGNED_DECIMAL), Map.entry("price_change_percent_24h", Type.SIGNED_DECIMAL),
            Map.entry("update_id", Type.OPTIONAL_INTEGER), Map.entry("event_time", Type.OPTIONAL_INTEGER),
            Map.entry("received_at", Type.INTEGER));
    /** The order {@code TickJson} writes a tick's fields in. */
    private static final List<String> ORDER = List.of("symbol", "exchange", "native_symbol", "market", "base_asset",
            "quote_asset", "stream", "price", "bid", "bid_qty", "ask", "ask_qty", "open_24h", "high_24h", "low_24h",
            "volume_24h", "quote_volume_24h", "price_change_24h", "price_change_percent_24h", "update_id", "event_time",
            "received_at", "source");
    /** The fields {@code TickJson} always writes (null where the stream has none). */
    private static final Set<String> REQUIRED = Set.of("symbol", "base_asset", "quote_asset", "stream", "price", "bid",
            "bid_qty", "ask", "ask_qty", "update_id", "event_time", "received_at", "source");

    /** Why a stored value is not served; the tag of {@code marketdata_rest_invalid_values_total}. */
    enum Problem {
        /** Not one JSON object of the tick's fields and types. */
        MALFORMED,
        /** A well-formed tick of another symbol. */
        WRONG_SYMBOL,
        /** Received longer ago than a key lives: not written with this gateway's TTL. */
        EXPIRED,
        /** Received further in the future than a key lives: no gateway's clock is that far off. */
        FUTURE,
        /** Well-formed, but a tick ingest would have rejected or never produced. */
        IMPLAUSIBLE;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The 24h fields, null in a tick of a stream without them (and in mock entries). */
    static final List<String> DAY_FIELDS = List.of("open_24h", "high_24h", "low_24h", "volume_24h", "quote_volume_24h",
            "price_change_24h", "price_change_percent_24h");
    /**
     * Fields a tick written by an earlier version may lack: the 24h fields (before every field was always
     * written) and the venue fields (before there were venues; such a tick is of Binance spot).
     */
    static final List<String> OPTIONAL = java.util.stream.Stream.concat(DAY_FIELDS.stream(),
            java.util.stream.Stream.of("exchange", "native_symbol", "market")).toList();

    /**
     * A value that passed, with its receive time and, for a tick written by an earlier version that lacks
     * fields, the same tick written again with every field in the one order ({@code canonical}, else null);
     * or the problem with one that did not.
     */
    record Outcome(long receivedAt, String canonical, Problem problem, String detail) {
        boolean valid() {
            return problem == null;
        }
    }

    private StoredTickCheck() {
    }

    /**
     * How old or far ahead a stored tick may be: {@code window}, the tick TTL plus the allowed clock skew
     * ({@code quality.max-skew-ms}); and how far its event time may be ahead of its receive time (the skew,
     * as ingest enforces it).
     */
    public record Limits(long windowMillis, long maxSkewMillis) {
    }

    static Outcome check(String json, String symbol, long now, Limits limits) {
        if (json.length() > MAX_LENGTH) {
            return problem(Problem.MALFORMED, json.length() + " characters");
        }
        Map<String, Object> values = new HashMap<>();
        boolean outOfOrder = false;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return problem(Problem.MALFORMED, "not a JSON object");
            }
            int lastPosition = -1;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String field = p.currentName();
                Type type = FIELDS.get(field);
                if (type == null) {
                    return problem(Problem.MALFORMED, "unexpected field '" + shown(field) + "'");
                }
                int position = ORDER.indexOf(field);
                outOfOrder |= position < lastPosition;
                lastPosition = position;
                JsonToken value = p.nextToken();
                if (!fits(type, value, p)) {
                    return problem(Problem.MALFORMED, "'" + field + "' is not of the tick's form");
                }
                values.put(field, value == JsonToken.VALUE_NULL ? null
                        : value == JsonToken.VALUE_NUMBER_INT ? (Object) p.getLongValue() : p.getText());
            }
            if (p.nextToken() != null) {
                return problem(Problem.MALFORMED, "text after the object");
            }
        } catch (IOException | RuntimeException e) {
            return problem(Problem.MALFORMED, "not readable JSON");
        }
        if (!values.keySet().containsAll(REQUIRED)) {
            return problem(Problem.MALFORMED, "a field every tick has is missing");
        }
        String form = formProblem(values, symbol);
        if (form != null) {
            return problem(Problem.MALFORMED, form);
        }
        if (!symbol.equals(MarketTick.key(values.get("exchange") instanceof String e ? e : null,
                (String) values.get("symbol")))) {
            return problem(Problem.WRONG_SYMBOL, "holds a tick of '" + shown((String) values.get("symbol")) + "'");
        }
        long receivedAt = (Long) values.get("received_at");
        String implausible = implausible(values, StreamKind.fromStreamSuffix((String) values.get("stream")), receivedAt,
                limits.maxSkewMillis());
        if (implausible != null) {
            return problem(Problem.IMPLAUSIBLE, implausible);
        }
        Outcome timely = checkTime(receivedAt, now, limits.windowMillis());
        if (!timely.valid()) {
            return timely;
        }
        if (outOfOrder) {
            // Every entry has the fields in one order: a value with another order is served rewritten in it.
            return new Outcome(receivedAt, canonical(json), null, null);
        }
        for (String field : OPTIONAL) {
            if (!values.containsKey(field)) {
                return new Outcome(receivedAt, canonical(json), null, null);
            }
        }
        return new Outcome(receivedAt, null, null, null);
    }

    /** An earlier version's tick, which lacks fields, written again as this version writes ticks. */
    private static String canonical(String json) {
        MarketTick t = TickJson.read(json);
        return TickJson.write(new MarketTick(t.symbol(), t.exchange() == null ? MarketTick.SOURCE_BINANCE : t.exchange(),
                t.nativeSymbol() == null ? t.symbol() : t.nativeSymbol(), t.market() == null ? Market.SPOT : t.market(),
                t.baseAsset(), t.quoteAsset(), t.stream(), t.price(), t.bid(), t.bidQty(), t.ask(), t.askQty(),
                t.open24h(), t.high24h(), t.low24h(), t.volume24h(), t.quoteVolume24h(), t.priceChange24h(),
                t.priceChangePercent24h(), t.updateId(), t.eventTime(), t.receivedAt(), t.source()));
    }

    /** Text fields that are not of the tick's vocabulary: an unknown stream or source, an asset that is not one. */
    private static String formProblem(Map<String, Object> values, String key) {
        Object stream = values.get("stream");
        if (!(stream instanceof String name) || StreamKind.fromStreamSuffix(name) == null) {
            return "unknown stream";
        }
        Object source = values.get("source");
        if (!(source instanceof String s) || !MarketTick.SOURCES.contains(s)) {
            return "unknown source";
        }
        String venueProblem = venueProblem(values, key);
        if (venueProblem != null) {
            return venueProblem;
        }
        if (values.get("base_asset") instanceof String base && base.isEmpty()) {
            return "'base_asset' is empty";
        }
        for (String asset : List.of("base_asset", "quote_asset")) {
            if (!(values.get(asset) instanceof String a) || !ASSET.matcher(a).matches()) {
                return "'" + asset + "' is not an asset";
            }
        }
        return values.get("symbol") instanceof String ? null : "'symbol' is missing";
    }

    /**
     * The venue fields: all three absent (a tick written before there were venues, of Binance spot), or all
     * three present and agreeing with each other and with the symbol, as the venue names it.
     */
    private static String venueProblem(Map<String, Object> values, String key) {
        if (values.containsKey("exchange")
                && !(values.get("exchange") instanceof String known && MarketTick.EXCHANGES.contains(known))) {
            return "unknown exchange";
        }
        if (!(values.get("symbol") instanceof String symbol) || !key.equals(MarketTick.key(
                values.get("exchange") instanceof String e ? e : null, symbol))) {
            // Another symbol's (or venue's) tick: refused as a wrong symbol, whatever else it holds.
            return null;
        }
        int present = (values.containsKey("exchange") ? 1 : 0) + (values.containsKey("market") ? 1 : 0)
                + (values.containsKey("native_symbol") ? 1 : 0);
        if (present == 0) {
            // Written before there were venues: a Binance spot tick.
            if (!MarketTick.SOURCE_BINANCE.equals(values.get("source"))) {
                return "'source' is not binance in a tick without venue fields";
            }
            try {
                return assetsProblem(values, instrument(Venue.BINANCE, (String) values.get("symbol"), key));
            } catch (IllegalArgumentException | ClassCastException e) {
                return "a symbol binance does not have";
            }
        }
        if (present < 3) {
            return "some of exchange, market and native_symbol are missing";
        }
        if (!values.get("source").equals(values.get("exchange"))) {
            return "'source' is not the tick's exchange";
        }
        if (!(values.get("exchange") instanceof String exchange) || !MarketTick.EXCHANGES.contains(exchange)) {
            return "unknown exchange";
        }
        Market market = values.get("market") instanceof String tag ? Market.fromTag(tag) : null;
        if (market == null) {
            return "unknown market";
        }
        if (!(values.get("native_symbol") instanceof String nativeSymbol) || !NATIVE_SYMBOL.matcher(nativeSymbol).matches()) {
            return "'native_symbol' is not a symbol";
        }
        Instrument instrument;
        try {
            instrument = instrument(Venue.of(exchange), (String) values.get("symbol"), key);
        } catch (IllegalArgumentException e) {
            return "a symbol " + exchange + " does not have";
        }
        if (instrument.market() != market || !instrument.nativeSymbol().equals(nativeSymbol)) {
            return "'native_symbol' or 'market' is not the symbol's on " + exchange;
        }
        return assetsProblem(values, instrument);
    }

    /**
     * The instrument of a followed key, parsed once: only a value whose key is the one asked for gets here, so
     * only followed keys are ever kept (a busy symbol's reads would otherwise parse it on every changed value).
     */
    private static Instrument instrument(Venue venue, String symbol, String key) {
        return INSTRUMENTS.computeIfAbsent(key, k -> Instrument.parse(venue, symbol));
    }

    private static final Map<String, Instrument> INSTRUMENTS = new java.util.concurrent.ConcurrentHashMap<>();

    /** Base and quote asset as the symbol has them (Binance's own form: as its known quote assets split it). */
    private static String assetsProblem(Map<String, Object> values, Instrument instrument) {
        if (!instrument.base().equals(values.get("base_asset")) || !instrument.quote().equals(values.get("quote_asset"))) {
            return "base and quote asset are not the symbol's";
        }
        return null;
    }

    /**
     * Well-formed, but not a tick ingest would have stored: the validator's rules (a positive price below the
     * absurd, a book that is not crossed, an event time not from the future) and the stream's shape (a book
     * ticker has its book and update id, the ticker streams their event time, a mini ticker no book).
     */
    private static String implausible(Map<String, Object> values, StreamKind kind, long receivedAt, long maxSkewMillis) {
        BigDecimal price = decimal(values, "price");
        BigDecimal bid = decimal(values, "bid");
        BigDecimal ask = decimal(values, "ask");
        for (BigDecimal p : new BigDecimal[] { price, bid, ask }) {
            if (p != null && (p.signum() <= 0 || p.compareTo(TickValidator.MAX_PRICE) > 0)) {
                return "a price of " + p.toPlainString();
            }
        }
        if (bid != null && ask != null && bid.compareTo(ask) > 0) {
            return "a crossed book";
        }
        boolean book = bid != null || ask != null || values.get("bid_qty") != null || values.get("ask_qty") != null;
        if (kind == StreamKind.BOOK_TICKER && (bid == null || ask == null || values.get("bid_qty") == null
                || values.get("ask_qty") == null || values.get("update_id") == null)) {
            return "a bookTicker without its book or update id";
        }
        if (kind == StreamKind.MINI_TICKER && book) {
            return "a miniTicker with a book";
        }
        Object eventTime = values.get("event_time");
        if (kind != StreamKind.BOOK_TICKER && eventTime == null) {
            return "a " + kind.configName() + " without its event time";
        }
        if (eventTime instanceof Long e && e - receivedAt > maxSkewMillis) {
            return "an event time " + (e - receivedAt) + " ms after its receive time";
        }
        if (eventTime instanceof Long e && e <= 0) {
            return "an event time of " + e;
        }
        BigDecimal low = decimal(values, "low_24h");
        BigDecimal high = decimal(values, "high_24h");
        if (low != null && high != null && low.compareTo(high) > 0) {
            return "a 24h low above the 24h high";
        }
        return null;
    }

    private static BigDecimal decimal(Map<String, Object> values, String field) {
        return values.get(field) instanceof String text ? new BigDecimal(text) : null;
    }

    /** The receive time of a well-formed tick, against the clock: neither older nor further ahead than a key lives. */
    static Outcome checkTime(long receivedAt, long now, long window) {
        if (receivedAt < now - window) {
            return problem(Problem.EXPIRED, "received_at " + receivedAt + " is " + (now - receivedAt) + " ms old");
        }
        if (receivedAt > now + window) {
            return problem(Problem.FUTURE, "received_at " + receivedAt + " is " + (receivedAt - now) + " ms ahead");
        }
        return new Outcome(receivedAt, null, null, null);
    }

    private static boolean fits(Type type, JsonToken value, JsonParser p) throws IOException {
        return switch (type) {
            case TEXT -> value == JsonToken.VALUE_STRING && p.getTextLength() <= 64;
            case DECIMAL -> value == JsonToken.VALUE_STRING && DECIMAL.matcher(p.getText()).matches();
            case OPTIONAL_DECIMAL -> value == JsonToken.VALUE_NULL
                    || value == JsonToken.VALUE_STRING && DECIMAL.matcher(p.getText()).matches();
            case SIGNED_DECIMAL -> value == JsonToken.VALUE_NULL
                    || value == JsonToken.VALUE_STRING && SIGNED_DECIMAL.matcher(p.getText()).matches();
            case OPTIONAL_INTEGER -> value == JsonToken.VALUE_NULL || isLong(value, p);
            case INTEGER -> isLong(value, p);
        };
    }

    private static boolean isLong(JsonToken value, JsonParser p) throws IOException {
        return value == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                && p.getLongValue() >= 0;
    }

    private static Outcome problem(Problem problem, String detail) {
        return new Outcome(0, null, problem, detail);
    }

    private static String shown(String text) {
        if (text == null) {
            return "";
        }
        String printable = text.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= 32 ? printable : printable.substring(0, 32) + "...";
    }
}
