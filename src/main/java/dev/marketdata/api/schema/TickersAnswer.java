package dev.marketdata.api.schema;

import java.util.List;

import io.swagger.v3.oas.annotations.media.ArraySchema;
import io.swagger.v3.oas.annotations.media.Schema;

/** {@code {"success":true,"data":[entry, ...],"timestamp":ms}}. */
@Schema(name = "TickersAnswer", description = "Ticker entries: one per configured symbol for the list, one for a"
        + " single symbol (a list, as it will hold one entry per venue)", requiredProperties = { "success", "data", "timestamp" })
public class TickersAnswer {

    @Schema(description = "Always true here", allowableValues = "true")
    public boolean success;
    @ArraySchema(arraySchema = @Schema(description = "The entries, in configured order"))
    public List<TickerEntry> data;
    @Schema(description = "When the answer was made, ms since the epoch")
    public long timestamp;
}
