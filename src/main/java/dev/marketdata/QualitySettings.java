package dev.marketdata;

import java.math.BigDecimal;
import java.util.Locale;
import java.util.function.Function;

/** The data-quality thresholds and what a price jump does ({@code quality.*}). */
public record QualitySettings(int staleSeconds, BigDecimal maxJumpPercent, long maxSkewMillis, boolean rejectPriceJumps,
        long alertClearAfterMillis) {

    static QualitySettings from(Function<String, String> property) {
        int stale = GatewaySettings.integer(property, "quality.stale.seconds", 30, 1, 86_400);
        BigDecimal jump = GatewaySettings.positiveDecimal(property, "quality.max-jump-percent", "10");
        long skew = GatewaySettings.integer(property, "quality.max-skew-ms", 5_000, 0, 3_600_000);
        String action = GatewaySettings.text(property, "quality.price-jump-action", "flag").toLowerCase(Locale.ROOT);
        if (!action.equals("flag") && !action.equals("reject")) {
            throw GatewaySettings.invalid("quality.price-jump-action", action, "must be flag or reject");
        }
        long clearAfter = GatewaySettings.duration(property, "quality.alert.clear-after", "60s", 0, 86_400_000);
        // Used in a timer URI as it is written; checked here so that a bad one is named, not a timer failure.
        GatewaySettings.integer(property, "quality.check-interval-ms", 1000, 50, 3_600_000);
        return new QualitySettings(stale, jump, skew, action.equals("reject"), clearAfter);
    }
}
