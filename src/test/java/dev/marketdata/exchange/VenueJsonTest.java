package dev.marketdata.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The decimal scan against the rule it replaced, {@code -?\d{1,30}(\.\d{1,30})?}, on its edges. */
class VenueJsonTest {

    @ParameterizedTest(name = "\"{0}\": plain {1}, signed {2}")
    @CsvSource(delimiter = '|', value = {
        "0|true|true", "25.10|true|true", "0.00000001|true|true", "-1.5|false|true", "-0|false|true",
        "''|false|false", "-|false|false", ".5|false|false", "5.|false|false", "1.2.3|false|false", "+1|false|false",
        "1e5|false|false", "1E-7|false|false", "' 1'|false|false", "'1 '|false|false", "--1|false|false",
        "1-|false|false", "NaN|false|false", "١٢|false|false", "0x1F|false|false",
        "123456789012345678901234567890|true|true", "1234567890123456789012345678901|false|false",
        "1.123456789012345678901234567890|true|true", "1.1234567890123456789012345678901|false|false",
        "-123456789012345678901234567890.123456789012345678901234567890|false|true"})
    void aDecimalIsOneToThirtyDigitsWithAnOptionalFractionOfOneToThirty(String text, boolean plain, boolean signed) {
        assertEquals(plain, VenueJson.isDecimal(text, false));
        assertEquals(signed, VenueJson.isDecimal(text, true));
        assertEquals(plain, text.matches("\\d{1,30}(\\.\\d{1,30})?"));
        assertEquals(signed, text.matches("-?\\d{1,30}(\\.\\d{1,30})?"));
    }

    @ParameterizedTest(name = "ts \"{0}\" reads as {1}")
    @CsvSource(delimiter = '|', value = {
        "1597026383085|1597026383085", "0|0", "999999999999999999|999999999999999999",
        "''|-1", "1e5|-1", "-1|-1", "+1|-1", "1.0|-1", "1234567890123456789|-1", "١٢|-1", "' 1'|-1"})
    void aTimestampAsAStringIsOneTo18AsciiDigits(String text, long expected) throws Exception {
        com.fasterxml.jackson.databind.JsonNode item = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode().put("ts", text);
        if (expected < 0) {
            org.junit.jupiter.api.Assertions.assertThrows(VenueJson.FieldException.class, () -> VenueJson.integerOrDigits(item, "ts"));
        } else {
            assertEquals(expected, VenueJson.integerOrDigits(item, "ts"));
        }
    }
}
