package dev.marketdata.model;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One configured instrument of one venue: the normalized symbol ({@code BTC-USDT} for spot,
 * {@code BTC-USDT-PERP} for a linear perpetual), the venue's own id of it, and base and quote as configured.
 */
public record Instrument(Venue venue, String symbol, String nativeSymbol, String base, String quote, Market market) {

    /** {@code BASE-QUOTE} or {@code BASE-QUOTE-PERP}, upper-case letters and digits. */
    public static final Pattern NORMALIZED = Pattern.compile("([A-Z0-9]{1,15})-([A-Z0-9]{1,15})(-PERP)?");
    /** Binance's own form, still accepted in {@code binance.symbols}. */
    private static final Pattern BINANCE_NATIVE = Pattern.compile("[A-Z0-9]{2,20}");

    /**
     * The instrument a configured symbol names on a venue; any case. Binance also takes its own form
     * ({@code BTCUSDT}), whose assets are then split by the known quote assets.
     *
     * @throws IllegalArgumentException naming the symbol and the accepted forms
     */
    public static Instrument parse(Venue venue, String configured) {
        String trimmed = configured.trim();
        // Letters, digits and '-' in ASCII, checked before case folding: "ſ" must not become "S", nor "ı" "I".
        if (!trimmed.matches("[A-Za-z0-9-]{1,41}")) {
            throw new IllegalArgumentException("'" + configured + "' is not BASE-QUOTE or BASE-QUOTE-PERP"
                    + " (letters and digits, for example BTC-USDT)" + (venue == Venue.BINANCE ? " or BTCUSDT" : ""));
        }
        String upper = trimmed.toUpperCase(java.util.Locale.ROOT);
        Matcher m = NORMALIZED.matcher(upper);
        if (m.matches()) {
            Market market = m.group(3) == null ? Market.SPOT : Market.PERP;
            if (!venue.serves(market)) {
                throw new IllegalArgumentException("'" + configured + "': " + venue.id() + " serves "
                        + (market == Market.PERP ? "no perpetuals here, only spot (BASE-QUOTE)" : "no spot here"));
            }
            String base = m.group(1);
            String quote = m.group(2);
            String nativeSymbol = venue.nativeSymbol(base, quote, market);
            if (venue == Venue.BINANCE && !BINANCE_NATIVE.matcher(nativeSymbol).matches()) {
                throw new IllegalArgumentException("'" + configured + "': binance names it " + nativeSymbol
                        + ", longer than its 20 letters and digits");
            }
            return new Instrument(venue, upper, nativeSymbol, base, quote, market);
        }
        if (venue == Venue.BINANCE && BINANCE_NATIVE.matcher(upper).matches()) {
            String[] assets = SymbolAssets.split(upper);
            return new Instrument(venue, upper, upper, assets[0], assets[1], Market.SPOT);
        }
        throw new IllegalArgumentException("'" + configured + "' is not BASE-QUOTE or BASE-QUOTE-PERP"
                + " (letters and digits, for example BTC-USDT)" + (venue == Venue.BINANCE ? " or BTCUSDT" : ""));
    }

    /** The name it is followed, stored and served under: see {@link MarketTick#key(String, String)}. */
    public String key() {
        return MarketTick.key(venue.id(), symbol);
    }

    /**
     * The normalized name across venues, for {@code /tickers/{symbol}} and {@code /best/{symbol}}:
     * {@code BTC-USDT} also for a Binance symbol configured as {@code BTCUSDT}, when its quote asset is known.
     */
    public String normalized() {
        if (symbol.indexOf('-') >= 0 || quote.isEmpty()) {
            return symbol;
        }
        return base + "-" + quote + (market == Market.PERP ? "-PERP" : "");
    }
}
