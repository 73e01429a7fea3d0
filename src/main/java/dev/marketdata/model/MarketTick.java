package dev.marketdata.model;

import java.math.BigDecimal;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One normalized tick, whatever venue and stream it came from: the venue ({@code exchange}), the instrument
 * as configured ({@code symbol}) and as the venue names it ({@code native_symbol}), and its {@code market}.
 * Prices and quantities are exact decimals (serialized as plain decimal strings); every field is always written, null where the stream has
 * no such value (the 24h fields outside the ticker streams, bid/ask outside the streams with a book top), so
 * that every tick, in Redis and in the API, has the same fields.
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record MarketTick(
        String symbol,
        String exchange,
        String nativeSymbol,
        Market market,
        String baseAsset,
        String quoteAsset,
        StreamKind stream,
        BigDecimal price,
        BigDecimal bid,
        BigDecimal bidQty,
        BigDecimal ask,
        BigDecimal askQty,
        @JsonProperty("open_24h") BigDecimal open24h,
        @JsonProperty("high_24h") BigDecimal high24h,
        @JsonProperty("low_24h") BigDecimal low24h,
        @JsonProperty("volume_24h") BigDecimal volume24h,
        @JsonProperty("quote_volume_24h") BigDecimal quoteVolume24h,
        @JsonProperty("price_change_24h") BigDecimal priceChange24h,
        @JsonProperty("price_change_percent_24h") BigDecimal priceChangePercent24h,
        Long updateId,
        Long eventTime,
        long receivedAt,
        String source) {

    public static final String SOURCE_BINANCE = "binance";
    /** Every value {@code source} can have in a tick the gateway writes. */
    public static final java.util.Set<String> SOURCES = java.util.Arrays.stream(Venue.values()).map(Venue::id)
            .collect(java.util.stream.Collectors.toUnmodifiableSet());
    /** Every value {@code exchange} can have in a tick the gateway writes. */
    public static final java.util.Set<String> EXCHANGES = SOURCES;

    /**
     * The number that orders ticks of one venue, symbol and stream kind: for a book top, the order-book update
     * id as the venue orders it ({@link Venue#bookSequence}); for the ticker streams, the event time.
     */
    @JsonIgnore
    public long sequence() {
        if (stream == StreamKind.BOOK_TICKER) {
            Venue venue = Venue.of(exchange);
            return venue == null ? updateId : venue.bookSequence(updateId, eventTime);
        }
        Venue venue = Venue.of(exchange);
        return venue == null ? eventTime : venue.tickerSequence(updateId, eventTime);
    }

    /**
     * The name this tick is followed, stored and checked under: {@code exchange:symbol} ({@code tick:latest:okx:BTC-USDT},
     * {@code tick:latest:binance:BTC-USDT}), so that two venues' ticks of one symbol never share a key; a Binance
     * symbol configured in Binance's own form ({@code BTCUSDT}) keeps the original contract's key,
     * {@code tick:latest:BTCUSDT}.
     */
    @JsonIgnore
    public String key() {
        return key(exchange, symbol);
    }

    public static String key(String exchange, String symbol) {
        return (exchange == null || SOURCE_BINANCE.equals(exchange)) && symbol.indexOf('-') < 0 ? symbol : exchange + ":" + symbol;
    }

    /** The exchange of a key built by {@link #key(String, String)}. */
    public static String exchangeOfKey(String key) {
        int colon = key.indexOf(':');
        return colon < 0 ? SOURCE_BINANCE : key.substring(0, colon);
    }

    /** The symbol of a key built by {@link #key(String, String)}. */
    public static String symbolOfKey(String key) {
        return key.substring(key.indexOf(':') + 1);
    }

    /**
     * This tick as the configured instrument names it: a Binance frame says {@code BTCUSDT}, the instrument
     * configured as {@code BTC-USDT} is served as that, with its assets as configured.
     */
    public MarketTick as(Instrument i) {
        if (i.symbol().equals(symbol) && i.base().equals(baseAsset) && i.quote().equals(quoteAsset)) {
            return this;
        }
        return new MarketTick(i.symbol(), i.venue().id(), i.nativeSymbol(), i.market(), i.base(), i.quote(), stream, price,
                bid, bidQty, ask, askQty, open24h, high24h, low24h, volume24h, quoteVolume24h, priceChange24h,
                priceChangePercent24h, updateId, eventTime, receivedAt, source);
    }
}
