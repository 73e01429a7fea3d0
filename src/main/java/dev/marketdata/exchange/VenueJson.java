package dev.marketdata.exchange;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Strict readers of venue payload fields, shared by the venue mappers (Binance's included). Most venues send prices and
 * quantities as plain decimal strings; HTX sends JSON numbers ({@code 9.121E-7}), whose exact decimal is the
 * number's text as parsed with {@code USE_BIG_DECIMAL_FOR_FLOATS}, never a double. Anything else (a sign, NaN,
 * an exponent in a string, a boolean) is a bad frame, not a value to guess at.
 */
public final class VenueJson {

    /** No price or quantity needs more digits than this; a longer number is not one. */
    private static final int MAX_DIGITS = 60;

    private VenueJson() {
    }

    /** A field that is missing or not of its documented form; {@link #missing} tells which reject reason it is. */
    public static final class FieldException extends Exception {
        private final boolean missing;

        public FieldException(String message, boolean missing) {
            super(message, null, false, false);
            this.missing = missing;
        }

        public boolean missing() {
            return missing;
        }
    }

    /**
     * Whether the text is a plain decimal: 1 to 30 ASCII digits, optionally a point and 1 to 30 more, a leading
     * '-' only when signed. A scan rather than a regular expression: every price and quantity of every frame
     * passes here.
     */
    /** Whether the text is a non-negative plain decimal, as {@link #decimal} takes it. */
    public static boolean isPlainDecimal(String text) {
        return isDecimal(text, false);
    }

    static boolean isDecimal(String text, boolean signed) {
        int at = signed && !text.isEmpty() && text.charAt(0) == '-' ? 1 : 0;
        int whole = digits(text, at);
        if (whole < 1 || whole > 30) {
            return false;
        }
        at += whole;
        if (at == text.length()) {
            return true;
        }
        if (text.charAt(at) != '.') {
            return false;
        }
        int fraction = digits(text, at + 1);
        return fraction >= 1 && fraction <= 30 && at + 1 + fraction == text.length();
    }

    private static int digits(String text, int from) {
        int at = from;
        while (at < text.length() && text.charAt(at) >= '0' && text.charAt(at) <= '9') {
            at++;
        }
        return at - from;
    }

    /** A non-negative plain decimal string. */
    public static BigDecimal decimal(JsonNode data, String field) throws FieldException {
        JsonNode node = present(data, field);
        if (!node.isTextual() || !isDecimal(node.textValue(), false)) {
            throw new FieldException("'" + field + "' is not a plain decimal string", false);
        }
        return new BigDecimal(node.textValue());
    }

    /** A decimal string, or null when the field is absent or null. */
    public static BigDecimal optionalDecimal(JsonNode data, String field) throws FieldException {
        JsonNode node = data.get(field);
        return node == null || node.isNull() ? null : decimal(data, field);
    }

    /** As {@link #optionalDecimal}, and null for "" too: OKX's way of saying a side of the book is empty. */
    public static BigDecimal optionalDecimalOrEmpty(JsonNode data, String field) throws FieldException {
        JsonNode node = data.get(field);
        return node != null && node.isTextual() && node.textValue().isEmpty() ? null : optionalDecimal(data, field);
    }

    /** A decimal string that may be negative (a 24h change), or null when absent or null. */
    public static BigDecimal optionalSignedDecimal(JsonNode data, String field) throws FieldException {
        JsonNode node = data.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual() || !isDecimal(node.textValue(), true)) {
            throw new FieldException("'" + field + "' is not a decimal string", false);
        }
        return new BigDecimal(node.textValue());
    }

    /**
     * A non-negative JSON number, kept exact: the decimal of the number's text ({@code 9.121E-7} is
     * 0.0000009121), with trailing zeros as sent.
     */
    public static BigDecimal number(JsonNode data, String field) throws FieldException {
        JsonNode node = present(data, field);
        if (!node.isNumber()) {
            throw new FieldException("'" + field + "' is not a number", false);
        }
        BigDecimal value = node.decimalValue();
        if (value.signum() < 0 || value.precision() > MAX_DIGITS || Math.abs(value.scale()) > MAX_DIGITS) {
            throw new FieldException("'" + field + "' is not a price or quantity", false);
        }
        // A plain scale: 9.121E-7 becomes 0.0000009121, 1E+2 becomes 100.
        return value.scale() < 0 ? value.setScale(0) : value;
    }

    /** A non-negative JSON number, or null when absent. */
    public static BigDecimal optionalNumber(JsonNode data, String field) throws FieldException {
        JsonNode node = data.get(field);
        return node == null || node.isNull() ? null : number(data, field);
    }

    /** A non-negative integer, as a JSON number. */
    public static long integer(JsonNode data, String field) throws FieldException {
        JsonNode node = present(data, field);
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            throw new FieldException("'" + field + "' is not a non-negative integer", false);
        }
        return node.longValue();
    }

    /** A non-negative integer, or null when absent or null. */
    public static Long optionalInteger(JsonNode data, String field) throws FieldException {
        JsonNode node = data.get(field);
        return node == null || node.isNull() ? null : integer(data, field);
    }

    /** A non-negative integer as a JSON number or a string of digits (OKX sends its {@code ts} as a string). */
    public static long integerOrDigits(JsonNode data, String field) throws FieldException {
        JsonNode node = present(data, field);
        if (node.isTextual() && !node.textValue().isEmpty() && node.textValue().length() <= 18
                && digits(node.textValue(), 0) == node.textValue().length()) {
            return Long.parseLong(node.textValue());
        }
        return integer(data, field);
    }

    /**
     * The best level of a book side, {@code [["price","size",...], ...]}: {price, size}, both plain decimal
     * strings; null when the side is empty (a venue's way of saying there is no order on it).
     */
    public static BigDecimal[] bestLevel(JsonNode data, String side) throws FieldException {
        List<BigDecimal[]> all = levels(data, side);
        return all.isEmpty() ? null : all.get(0);
    }

    /** Every level of a book side, {@code [["price","size",...], ...]}, in the order sent. */
    public static List<BigDecimal[]> levels(JsonNode data, String side) throws FieldException {
        JsonNode levels = present(data, side);
        if (!levels.isArray()) {
            throw new FieldException("'" + side + "' is not a list of levels", false);
        }
        List<BigDecimal[]> out = new ArrayList<>(levels.size());
        for (JsonNode level : levels) {
            if (!level.isArray() || level.size() < 2) {
                throw new FieldException("'" + side + "' has a level that is not [price, size]", false);
            }
            BigDecimal[] pair = new BigDecimal[2];
            for (int i = 0; i < 2; i++) {
                JsonNode value = level.get(i);
                if (!value.isTextual() || !isDecimal(value.textValue(), false)) {
                    throw new FieldException("'" + side + "' has a level that is not plain decimal strings", false);
                }
                pair[i] = new BigDecimal(value.textValue());
            }
            out.add(pair);
        }
        return out;
    }

    public static String text(JsonNode data, String field) throws FieldException {
        JsonNode node = present(data, field);
        if (!node.isTextual()) {
            throw new FieldException("'" + field + "' is not a string", false);
        }
        return node.textValue();
    }

    /** An object field. */
    public static JsonNode object(JsonNode data, String field) throws FieldException {
        JsonNode node = present(data, field);
        if (!node.isObject()) {
            throw new FieldException("'" + field + "' is not an object", false);
        }
        return node;
    }

    private static JsonNode present(JsonNode data, String field) throws FieldException {
        JsonNode node = data.get(field);
        if (node == null || node.isNull()) {
            throw new FieldException("'" + field + "' is missing", true);
        }
        return node;
    }

    /** Printable ASCII, clipped: a frame's text is shown in a log or a reject detail, never as sent. */
    public static String clip(String text) {
        String printable = text.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= 120 ? printable : printable.substring(0, 120) + "...";
    }
}
