package dev.marketdata.binance;

import java.math.BigDecimal;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Strict readers for Binance payload fields. Binance sends prices and quantities as plain decimal
 * strings; anything else (a JSON number, an exponent, NaN, a sign) is a bad frame, not a value to guess at.
 */
final class BinanceJson {

    private static final Pattern PLAIN_DECIMAL = Pattern.compile("\\d{1,30}(\\.\\d{1,30})?");

    private BinanceJson() {
    }

    /** Thrown for a field that is missing or not of its documented form; carries the reject reason. */
    static final class FieldException extends Exception {
        final boolean missing;

        FieldException(String message, boolean missing) {
            super(message, null, false, false);
            this.missing = missing;
        }
    }

    static BigDecimal decimal(JsonNode data, String field) throws FieldException {
        JsonNode node = data.get(field);
        if (node == null || node.isNull()) {
            throw new FieldException("'" + field + "' is missing", true);
        }
        if (!node.isTextual() || !PLAIN_DECIMAL.matcher(node.textValue()).matches()) {
            throw new FieldException("'" + field + "' is not a plain decimal string", false);
        }
        return new BigDecimal(node.textValue());
    }

    static BigDecimal optionalDecimal(JsonNode data, String field) throws FieldException {
        JsonNode node = data.get(field);
        return node == null || node.isNull() ? null : decimal(data, field);
    }

    /** A signed decimal string, for fields such as the 24h price change that may be negative. */
    static BigDecimal optionalSignedDecimal(JsonNode data, String field) throws FieldException {
        JsonNode node = data.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (node.isTextual() && node.textValue().startsWith("-")) {
            String rest = node.textValue().substring(1);
            if (PLAIN_DECIMAL.matcher(rest).matches()) {
                return new BigDecimal(node.textValue());
            }
            throw new FieldException("'" + field + "' is not a decimal string", false);
        }
        return decimal(data, field);
    }

    static long integer(JsonNode data, String field) throws FieldException {
        JsonNode node = data.get(field);
        if (node == null || node.isNull()) {
            throw new FieldException("'" + field + "' is missing", true);
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
            throw new FieldException("'" + field + "' is not a non-negative integer", false);
        }
        return node.longValue();
    }

    static Long optionalInteger(JsonNode data, String field) throws FieldException {
        JsonNode node = data.get(field);
        return node == null || node.isNull() ? null : integer(data, field);
    }

    static String text(JsonNode data, String field) throws FieldException {
        JsonNode node = data.get(field);
        if (node == null || node.isNull()) {
            throw new FieldException("'" + field + "' is missing", true);
        }
        if (!node.isTextual()) {
            throw new FieldException("'" + field + "' is not a string", false);
        }
        return node.textValue();
    }
}
