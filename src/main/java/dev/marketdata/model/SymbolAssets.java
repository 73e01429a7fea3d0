package dev.marketdata.model;

import java.util.List;

/**
 * Splits a Binance symbol into base and quote asset. Binance symbols are a plain concatenation, so the
 * quote asset is found by suffix, longest known suffix first.
 */
public final class SymbolAssets {

    // Binance's quote assets, longest first so that e.g. FDUSD wins over USD and BUSD over USD.
    private static final List<String> QUOTES = List.of(
            "FDUSD", "USDT", "USDC", "BUSD", "TUSD", "USDP", "DAI", "BIDR", "IDRT", "BVND", "AEUR",
            "EUR", "GBP", "TRY", "BRL", "AUD", "RUB", "UAH", "NGN", "ZAR", "PLN", "RON", "ARS", "JPY", "MXN",
            "COP", "CZK", "USD", "BTC", "ETH", "BNB", "XRP", "TRX", "DOGE", "DOT", "SOL");

    private SymbolAssets() {
    }

    /** Returns {base, quote}; when no known quote matches, the quote is empty and the base is the symbol. */
    public static String[] split(String symbol) {
        String best = null;
        for (String quote : QUOTES) {
            if (symbol.length() > quote.length() && symbol.endsWith(quote)
                    && (best == null || quote.length() > best.length())) {
                best = quote;
            }
        }
        if (best == null) {
            return new String[] { symbol, "" };
        }
        return new String[] { symbol.substring(0, symbol.length() - best.length()), best };
    }
}
