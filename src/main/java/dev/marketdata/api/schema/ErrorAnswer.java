package dev.marketdata.api.schema;

import io.swagger.v3.oas.annotations.media.Schema;

/** {@code {"success":false,"error":{"code","message"},"timestamp":ms}}. */
@Schema(name = "ErrorAnswer", description = "A refused request; never a stack trace",
        requiredProperties = { "success", "error", "timestamp" })
public class ErrorAnswer {

    @Schema(description = "Always false here", allowableValues = "false")
    public boolean success;
    @Schema(description = "What went wrong")
    public ErrorDetail error;
    @Schema(description = "When the answer was made, ms since the epoch")
    public long timestamp;

    @Schema(name = "ErrorDetail", description = "A machine-readable code and a sentence for people",
            requiredProperties = { "code", "message" })
    public static class ErrorDetail {
        @Schema(description = "The error code", allowableValues = { "INVALID_SYMBOL", "UNKNOWN_SYMBOL", "UNKNOWN_PARAMETER", "INVALID_EXCHANGE",
                "BAD_REQUEST", "NOT_FOUND", "METHOD_NOT_ALLOWED", "NOT_ACCEPTABLE", "UNHEALTHY", "INTERNAL_ERROR" })
        public String code;
        @Schema(description = "What was wrong with the request, or with the gateway")
        public String message;
    }
}
