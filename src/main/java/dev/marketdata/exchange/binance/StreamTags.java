package dev.marketdata.exchange.binance;

import java.util.Set;

/** Bounded tags for frames that are ignored: Binance's stream families, anything else is "other". */
public final class StreamTags {

    public static final String CONTROL = "control";
    public static final String OTHER = "other";
    private static final Set<String> KNOWN = Set.of("depth", "aggTrade", "trade", "kline", "avgPrice",
            "bookTicker", "ticker", "miniTicker", "rollingWindow", "depthUpdate", "24hrTicker", "24hrMiniTicker");

    private StreamTags() {
    }

    /** {@code depth@100ms} → depth, {@code kline_1m} → kline, {@code ticker_1h} → rollingWindow. */
    public static String of(String suffix) {
        String family = suffix;
        int cut = indexOfAny(family, '@', '_');
        if (cut >= 0) {
            boolean rolling = family.startsWith("ticker_");
            family = rolling ? "rollingWindow" : family.substring(0, cut);
        }
        return KNOWN.contains(family) ? family : OTHER;
    }

    private static int indexOfAny(String s, char a, char b) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == a || s.charAt(i) == b) {
                return i;
            }
        }
        return -1;
    }
}
