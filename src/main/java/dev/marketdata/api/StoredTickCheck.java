package dev.marketdata.api;

import java.io.IOException;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.StreamKind;

/**
 * Decides whether a value read from Redis is a tick this gateway would have written for the requested
 * symbol: one JSON object, only the tick's own fields, each of its type (decimals as plain decimal strings,
 * times as integers), the symbol asked for, a known stream and source, nothing after the object. Only such a
 * value is ever spliced into an answer; anything else is a miss. Redis can hold anything: another program,
 * a restored dump or an operator's {@code SET} may have put it there.
 */
final class StoredTickCheck {

    /** Ticks are a few hundred bytes; a value this large is not one. */
    static final int MAX_LENGTH = 4096;
    private static final JsonFactory JSON = JsonFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    private static final Pattern DECIMAL = Pattern.compile("\\d{1,30}(\\.\\d{1,30})?");
    private static final Pattern SIGNED_DECIMAL = Pattern.compile("-?\\d{1,30}(\\.\\d{1,30})?");
    private static final Pattern ASSET = Pattern.compile("[A-Z0-9]{0,20}");

    private enum Type { TEXT, DECIMAL, OPTIONAL_DECIMAL, SIGNED_DECIMAL, OPTIONAL_INTEGER, INTEGER }

    /** The fields of {@link MarketTick} as {@code TickJson} writes them. */
    private static final Map<String, Type> FIELDS = Map.ofEntries(
            Map.entry("symbol", Type.TEXT), Map.entry("base_asset", Type.TEXT), Map.entry("quote_asset", Type.TEXT),
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
    private static final Set<String> REQUIRED = Set.of("symbol", "stream", "price", "received_at", "source");

    /** Why a stored value is not served; the tag of {@code marketdata_rest_invalid_values_total}. */
    enum Problem {
        /** Not one JSON object of the tick's fields and types. */
        MALFORMED,
        /** A well-formed tick of another symbol. */
        WRONG_SYMBOL,
        /** Received longer ago than a key lives: not written with this gateway's TTL. */
        EXPIRED,
        /** Received further in the future than a key lives: no gateway's clock is that far off. */
        FUTURE;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** A value that passed, or the problem with one that did not. */
    record Outcome(long receivedAt, Problem problem, String detail) {
        boolean valid() {
            return problem == null;
        }
    }

    private StoredTickCheck() {
    }

    /**
     * @param window how far {@code received_at} may lie in the past or the future (the tick TTL plus the
     *               allowed clock skew)
     */
    static Outcome check(String json, String symbol, long now, long window) {
        if (json.length() > MAX_LENGTH) {
            return problem(Problem.MALFORMED, json.length() + " characters");
        }
        long receivedAt;
        try (JsonParser p = JSON.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return problem(Problem.MALFORMED, "not a JSON object");
            }
            Set<String> seen = new HashSet<>();
            String storedSymbol = null;
            Long at = null;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_OBJECT; t = p.nextToken()) {
                String field = p.currentName();
                Type type = FIELDS.get(field);
                if (type == null) {
                    return problem(Problem.MALFORMED, "unexpected field '" + shown(field) + "'");
                }
                seen.add(field);
                JsonToken value = p.nextToken();
                if (!fits(type, value, p)) {
                    return problem(Problem.MALFORMED, "'" + field + "' is not of the tick's form");
                }
                switch (field) {
                    case "symbol" -> storedSymbol = p.getText();
                    case "received_at" -> at = p.getLongValue();
                    case "stream" -> {
                        if (StreamKind.fromStreamSuffix(p.getText()) == null) {
                            return problem(Problem.MALFORMED, "unknown stream");
                        }
                    }
                    case "source" -> {
                        if (!MarketTick.SOURCES.contains(p.getText())) {
                            return problem(Problem.MALFORMED, "unknown source");
                        }
                    }
                    case "base_asset", "quote_asset" -> {
                        if (!ASSET.matcher(p.getText()).matches()) {
                            return problem(Problem.MALFORMED, "'" + field + "' is not an asset");
                        }
                    }
                    default -> {
                        // type checked above
                    }
                }
            }
            if (p.nextToken() != null) {
                return problem(Problem.MALFORMED, "text after the object");
            }
            if (!seen.containsAll(REQUIRED)) {
                return problem(Problem.MALFORMED, "a required field is missing");
            }
            if (!symbol.equals(storedSymbol)) {
                return problem(Problem.WRONG_SYMBOL, "holds a tick of '" + shown(storedSymbol) + "'");
            }
            receivedAt = at;
        } catch (IOException | RuntimeException e) {
            return problem(Problem.MALFORMED, "not readable JSON");
        }
        return checkTime(receivedAt, now, window);
    }

    /** The receive time of a well-formed tick, against the clock: neither older nor further ahead than a key lives. */
    static Outcome checkTime(long receivedAt, long now, long window) {
        if (receivedAt < now - window) {
            return problem(Problem.EXPIRED, "received_at " + receivedAt + " is " + (now - receivedAt) + " ms old");
        }
        if (receivedAt > now + window) {
            return problem(Problem.FUTURE, "received_at " + receivedAt + " is " + (receivedAt - now) + " ms ahead");
        }
        return new Outcome(receivedAt, null, null);
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
        return new Outcome(0, problem, detail);
    }

    private static String shown(String text) {
        if (text == null) {
            return "";
        }
        String printable = text.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= 32 ? printable : printable.substring(0, 32) + "...";
    }
}
