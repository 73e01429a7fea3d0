package dev.marketdata.model;

import java.util.Locale;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/** What kind of instrument a tick is of: a spot pair, or a linear perpetual swap. */
public enum Market {
    SPOT,
    PERP;

    @JsonValue
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }

    @JsonCreator
    public static Market fromTag(String tag) {
        for (Market market : values()) {
            if (market.tag().equals(tag)) {
                return market;
            }
        }
        return null;
    }
}
