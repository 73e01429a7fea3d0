package dev.marketdata.api.schema;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.swagger.v3.oas.annotations.media.Schema;

/** One ticker entry: a live tick, a last-known one, or a mock. */
@Schema(name = "TickerEntry", description = "One ticker entry. Every entry has every field, in this order, null where a"
        + " value is absent, whether it is live, last-known or mock.", requiredProperties = { "symbol", "exchange",
        "native_symbol", "market", "base_asset", "quote_asset", "stream", "price", "bid", "bid_qty", "ask", "ask_qty",
        "open_24h", "high_24h", "low_24h", "volume_24h", "quote_volume_24h", "price_change_24h",
        "price_change_percent_24h", "update_id", "event_time", "received_at", "source", "age_ms", "mock_reason", "_mock",
        "_last_known", "_clock_ahead" })
@JsonPropertyOrder({ "symbol", "exchange", "native_symbol", "market", "base_asset", "quote_asset", "stream", "price", "bid",
        "bid_qty", "ask", "ask_qty", "open_24h", "high_24h", "low_24h", "volume_24h", "quote_volume_24h", "price_change_24h",
        "price_change_percent_24h", "update_id", "event_time", "received_at", "source", "age_ms", "mock_reason", "_mock",
        "_last_known", "_clock_ahead" })
public class TickerEntry {

    private static final String DECIMAL = "^(0|[1-9][0-9]{0,29})(\\.[0-9]{1,30})?$";
    private static final String SIGNED_DECIMAL = "^-?(0|[1-9][0-9]{0,29})(\\.[0-9]{1,30})?$";

    @Schema(description = "The symbol as configured: normalized (BTC-USDT, BTC-USDT-PERP), or Binance's own form where"
            + " binance.symbols names it so (BTCUSDT)", example = "BTC-USDT")
    public String symbol;
    @Schema(description = "The venue the tick came from; for a mock entry, the venue it stands in for", example = "binance",
            allowableValues = { "binance", "okx", "bybit", "coinbase", "htx" })
    public String exchange;
    @JsonProperty("native_symbol")
    @Schema(description = "The venue's own name of the instrument", example = "BTCUSDT")
    public String nativeSymbol;
    @Schema(description = "spot, or perp (a linear perpetual)", allowableValues = { "spot", "perp" })
    public String market;
    @JsonProperty("base_asset")
    @Schema(description = "The instrument's base asset", example = "BTC")
    public String baseAsset;
    @JsonProperty("quote_asset")
    @Schema(description = "The instrument's quote asset; empty when unknown", example = "USDT")
    public String quoteAsset;
    @Schema(description = "The stream kind the tick came from; null for a mock entry", nullable = true,
            allowableValues = { "bookTicker", "ticker", "miniTicker" })
    public String stream;
    @Schema(description = "The price: the mid of best bid and ask for bookTicker, the last price for the ticker streams;"
            + " an exact decimal, as the venue sent it", pattern = DECIMAL, example = "91242.26000000")
    public String price;
    @Schema(description = "Best bid", nullable = true, pattern = DECIMAL)
    public String bid;
    @JsonProperty("bid_qty")
    @Schema(description = "Quantity at the best bid", nullable = true, pattern = DECIMAL)
    public String bidQty;
    @Schema(description = "Best ask", nullable = true, pattern = DECIMAL)
    public String ask;
    @JsonProperty("ask_qty")
    @Schema(description = "Quantity at the best ask", nullable = true, pattern = DECIMAL)
    public String askQty;
    @JsonProperty("open_24h")
    @Schema(description = "Price 24 hours ago (ticker streams)", nullable = true, pattern = DECIMAL)
    public String open24h;
    @JsonProperty("high_24h")
    @Schema(description = "Highest price in 24 hours (ticker streams)", nullable = true, pattern = DECIMAL)
    public String high24h;
    @JsonProperty("low_24h")
    @Schema(description = "Lowest price in 24 hours (ticker streams)", nullable = true, pattern = DECIMAL)
    public String low24h;
    @JsonProperty("volume_24h")
    @Schema(description = "Volume in 24 hours, in the base asset (ticker streams)", nullable = true, pattern = DECIMAL)
    public String volume24h;
    @JsonProperty("quote_volume_24h")
    @Schema(description = "Volume in 24 hours, in the quote asset (ticker streams)", nullable = true, pattern = DECIMAL)
    public String quoteVolume24h;
    @JsonProperty("price_change_24h")
    @Schema(description = "Price change over 24 hours (ticker streams)", nullable = true, pattern = SIGNED_DECIMAL)
    public String priceChange24h;
    @JsonProperty("price_change_percent_24h")
    @Schema(description = "Price change over 24 hours in percent (ticker stream)", nullable = true, pattern = SIGNED_DECIMAL)
    public String priceChangePercent24h;
    @JsonProperty("update_id")
    @Schema(description = "The venue's order-book update id (bookTicker)", nullable = true, minimum = "0")
    public Long updateId;
    @JsonProperty("event_time")
    @Schema(description = "The venue's event time, ms since the epoch (ticker streams)", nullable = true, minimum = "0")
    public Long eventTime;
    @JsonProperty("received_at")
    @Schema(description = "When the gateway received the tick, ms since the epoch; null for a mock entry", nullable = true)
    public Long receivedAt;
    @Schema(description = "The venue's id for a tick (the same as exchange), mock for a made-up entry",
            allowableValues = { "binance", "okx", "bybit", "coinbase", "htx", "mock" })
    public String source;
    @JsonProperty("age_ms")
    @Schema(description = "How long ago the tick was received (0 when its receive time is ahead of this gateway's"
            + " clock); null for a mock entry", nullable = true, minimum = "0")
    public Long ageMs;
    @JsonProperty("mock_reason")
    @Schema(description = "Why a mock entry was served; null otherwise", nullable = true,
            allowableValues = { "cache_miss", "invalid_value", "redis_unavailable" })
    public String mockReason;
    @JsonProperty("_mock")
    @Schema(description = "true for a made-up entry: there was no tick to serve")
    public boolean mock;
    @JsonProperty("_last_known")
    @Schema(description = "true for a tick from the gateway's memory while Redis is away")
    public boolean lastKnown;
    @JsonProperty("_clock_ahead")
    @Schema(description = "true when received_at is ahead of this gateway's clock")
    public boolean clockAhead;
}
