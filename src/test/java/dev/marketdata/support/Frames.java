package dev.marketdata.support;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Binance combined-stream frames in the documented shape, for stand-ins to send. */
public final class Frames {

    private static final BigDecimal SPREAD = new BigDecimal("0.02");

    private Frames() {
    }

    /** {@code n} distinct symbols: S0000USDT, S0001USDT, ... */
    public static List<String> symbols(int n) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(String.format(Locale.ROOT, "S%04dUSDT", i));
        }
        return out;
    }

    /** A bookTicker of the symbol with update id {@code u}, bid 10.00 and ask 10.02. */
    public static String bookTicker(String symbol, long u) {
        return bookTicker(symbol, u, "10.00");
    }

    /** A bookTicker with the given bid and an ask 0.02 above it (so the price is bid + 0.01). */
    public static String bookTicker(String symbol, long u, String bid) {
        String ask = new BigDecimal(bid).add(SPREAD).toPlainString();
        return "{\"stream\":\"" + symbol.toLowerCase(Locale.ROOT) + "@bookTicker\",\"data\":{\"u\":" + u + ",\"s\":\""
                + symbol + "\",\"b\":\"" + bid + "\",\"B\":\"1.00\",\"a\":\"" + ask + "\",\"A\":\"2.00\"}}";
    }

    /** A 24hrMiniTicker of the symbol with event time {@code eventTime} and close price {@code close}. */
    public static String miniTicker(String symbol, long eventTime, String close) {
        return "{\"stream\":\"" + symbol.toLowerCase(Locale.ROOT) + "@miniTicker\",\"data\":{\"e\":\"24hrMiniTicker\","
                + "\"E\":" + eventTime + ",\"s\":\"" + symbol + "\",\"c\":\"" + close + "\",\"o\":\"30.0\",\"h\":\"40.0\","
                + "\"l\":\"20.0\",\"v\":\"100\",\"q\":\"1000\"}}";
    }
}
