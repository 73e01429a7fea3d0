package dev.marketdata.pipeline;

import java.math.BigDecimal;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.marketdata.model.MarketTick;

/**
 * The one JSON shape of a tick, in Redis and in the REST API: snake_case fields, decimals as plain
 * strings (exactly as Binance sent them), unknown fields tolerated when reading back.
 */
public final class TickJson {

    private static final ObjectMapper MAPPER = newMapper();

    private TickJson() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    public static ObjectMapper newMapper() {
        ObjectMapper mapper = JsonMapper.builder()
                .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                // A frame is one JSON value: text after it is a corrupt or spliced frame, not to be ignored.
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                // The exact decimal a venue sent as a JSON number (HTX), trailing zeros included.
                .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
                .build();
        mapper.configOverride(BigDecimal.class).setFormat(JsonFormat.Value.forShape(JsonFormat.Shape.STRING));
        return mapper;
    }

    public static String write(MarketTick tick) {
        try {
            return MAPPER.writeValueAsString(tick);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialize tick for " + tick.symbol(), e);
        }
    }

    public static MarketTick read(String json) {
        try {
            return MAPPER.readValue(json, MarketTick.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored tick is not readable JSON", e);
        }
    }
}
