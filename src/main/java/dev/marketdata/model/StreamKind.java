package dev.marketdata.model;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * The Binance stream kinds the gateway turns into ticks. The config name is what engineers write in
 * {@code binance.streams}; the event type is the {@code e} field Binance puts in the payload.
 */
public enum StreamKind {
    BOOK_TICKER("bookTicker", "bookTicker"),
    TICKER("ticker", "24hrTicker"),
    MINI_TICKER("miniTicker", "24hrMiniTicker");

    private final String configName;
    private final String eventType;

    StreamKind(String configName, String eventType) {
        this.configName = configName;
        this.eventType = eventType;
    }

    @JsonValue
    public String configName() {
        return configName;
    }

    public String eventType() {
        return eventType;
    }

    /** The stream name Binance expects for a symbol, e.g. {@code btcusdt@bookTicker}. */
    public String streamName(String symbol) {
        return symbol.toLowerCase(Locale.ROOT) + "@" + configName;
    }

    /** The kind for a stream suffix as it appears after {@code @}, or null when it is not one of ours. */
    public static StreamKind fromStreamSuffix(String suffix) {
        for (StreamKind kind : values()) {
            if (kind.configName.equals(suffix)) {
                return kind;
            }
        }
        return null;
    }

    @JsonCreator
    public static StreamKind fromConfigName(String name) {
        for (StreamKind kind : values()) {
            if (kind.configName.equalsIgnoreCase(name)) {
                return kind;
            }
        }
        return null;
    }
}
