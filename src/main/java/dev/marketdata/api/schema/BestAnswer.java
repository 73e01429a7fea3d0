package dev.marketdata.api.schema;

import java.util.List;

import io.swagger.v3.oas.annotations.media.Schema;

/** {@code {"success":true,"data":{...},"timestamp":ms}} of {@code GET /api/v1/best/{symbol}}. */
@Schema(name = "BestAnswer", description = "The consolidated best bid and ask of one instrument across venues",
        requiredProperties = { "success", "data", "timestamp" })
public class BestAnswer {

    @Schema(description = "Always true")
    public boolean success;
    @Schema(description = "The consolidated best")
    public Best data;
    @Schema(description = "When the answer was made, ms since the epoch")
    public long timestamp;

    @Schema(name = "Best", requiredProperties = { "symbol", "bid", "ask", "spread", "crossed", "venues", "excluded", "reason" })
    public static class Best {
        @Schema(description = "The normalized symbol (BTC-USDT)")
        public String symbol;
        @Schema(description = "The highest bid of a live tick fresher than quality.stale.seconds; null when there is none",
                nullable = true)
        public Quote bid;
        @Schema(description = "The lowest ask of a live tick fresher than quality.stale.seconds; null when there is none",
                nullable = true)
        public Quote ask;
        @Schema(description = "ask minus bid, exact; negative when crossed; null without a bid", nullable = true)
        public String spread;
        @Schema(description = "true when one venue's bid is above another venue's ask")
        public boolean crossed;
        @Schema(description = "The venues whose ticks were compared, in configured order")
        public List<String> venues;
        @Schema(description = "The venues that carry the symbol but were left out, with why")
        public List<Excluded> excluded;
        @Schema(description = "Why bid and ask are null; null when they are not", nullable = true)
        public String reason;
    }

    @Schema(name = "BestQuote", requiredProperties = { "exchange", "symbol", "price", "size", "age_ms" })
    public static class Quote {
        @Schema(description = "The venue's exchange id")
        public String exchange;
        @Schema(description = "The symbol as configured on that venue")
        public String symbol;
        @Schema(description = "The price, an exact decimal string")
        public String price;
        @Schema(description = "The size at that price, an exact decimal string")
        public String size;
        @com.fasterxml.jackson.annotation.JsonProperty("age_ms")
        @Schema(description = "Milliseconds since the tick was received", minimum = "0")
        public long ageMs;
    }

    @Schema(name = "BestExcluded", requiredProperties = { "exchange", "symbol", "reason" })
    public static class Excluded {
        @Schema(description = "The venue's exchange id")
        public String exchange;
        @Schema(description = "The symbol as configured on that venue")
        public String symbol;
        @Schema(description = "stale (older than quality.stale.seconds), cache_miss (no tick stored), invalid_value "
                + "(the stored value is not a tick), redis_unavailable (only a last-known value), clock_ahead (received"
                + " after this gateway's now), no_book (the venue's stream has no bid and ask)",
                allowableValues = { "stale", "cache_miss", "invalid_value", "redis_unavailable", "clock_ahead", "no_book" })
        public String reason;
    }
}
