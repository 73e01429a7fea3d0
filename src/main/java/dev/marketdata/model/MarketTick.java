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
    public static final java.util.Set<String> SOURCES = java.util.Set.of(SOURCE_BINANCE);
    /** Every value {@code exchange} can have in a tick the gateway writes. */
    public static final java.util.Set<String> EXCHANGES = java.util.Set.of(SOURCE_BINANCE);

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
        return eventTime;
    }

    /**
     * The name this tick is followed, stored and checked under: the symbol for Binance (its keys,
     * {@code tick:latest:BTCUSDT}, are the original contract), {@code exchange:symbol} for every other venue
     * ({@code tick:latest:okx:BTC-USDT}), so that two venues' ticks of one symbol never share a key.
     */
    @JsonIgnore
    public String key() {
        return key(exchange, symbol);
    }

    public static String key(String exchange, String symbol) {
        return exchange == null || SOURCE_BINANCE.equals(exchange) ? symbol : exchange + ":" + symbol;
    }
}
