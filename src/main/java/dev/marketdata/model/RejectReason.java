package dev.marketdata.model;

import java.util.Locale;

/** Why a frame did not become a stored tick. A fixed list, so metric tags stay bounded. */
public enum RejectReason {
    MALFORMED_JSON,
    BINARY_FRAME,
    OVERSIZED_FRAME,
    MISSING_FIELD,
    BAD_NUMBER,
    BAD_SYMBOL,
    UNKNOWN_SYMBOL,
    NON_POSITIVE_PRICE,
    PRICE_OUT_OF_RANGE,
    NEGATIVE_QUANTITY,
    CROSSED_BOOK,
    FUTURE_EVENT_TIME,
    STREAM_MISMATCH,
    PRICE_JUMP,
    SERVER_ERROR;

    /** The lower-case tag used in logs and metrics. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
