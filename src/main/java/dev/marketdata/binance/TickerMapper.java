package dev.marketdata.binance;

import java.math.BigDecimal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marketdata.model.Market;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.StreamKind;
import dev.marketdata.model.SymbolAssets;

/**
 * Maps Binance's 24h rolling-window payloads: {@code 24hrTicker} (last price, best bid/ask, 24h stats)
 * and {@code 24hrMiniTicker} (last price and 24h stats, no book). Their order is the event time {@code E}.
 */
public class TickerMapper {

    MarketTick map(JsonNode data, StreamKind kind, String symbol, long receivedAt) throws BinanceJson.FieldException {
        long eventTime = BinanceJson.integer(data, "E");
        BigDecimal last = BinanceJson.decimal(data, "c");
        BigDecimal open = BinanceJson.decimal(data, "o");
        BigDecimal high = BinanceJson.decimal(data, "h");
        BigDecimal low = BinanceJson.decimal(data, "l");
        BigDecimal volume = BinanceJson.decimal(data, "v");
        BigDecimal quoteVolume = BinanceJson.decimal(data, "q");
        BigDecimal bid = null;
        BigDecimal bidQty = null;
        BigDecimal ask = null;
        BigDecimal askQty = null;
        BigDecimal change;
        BigDecimal changePercent;
        Long updateId = null;
        if (kind == StreamKind.TICKER) {
            bid = BinanceJson.optionalDecimal(data, "b");
            bidQty = BinanceJson.optionalDecimal(data, "B");
            ask = BinanceJson.optionalDecimal(data, "a");
            askQty = BinanceJson.optionalDecimal(data, "A");
            change = BinanceJson.optionalSignedDecimal(data, "p");
            changePercent = BinanceJson.optionalSignedDecimal(data, "P");
            updateId = BinanceJson.optionalInteger(data, "L");
        } else {
            change = last.subtract(open);
            changePercent = null;
        }
        String[] assets = SymbolAssets.split(symbol);
        return new MarketTick(symbol, MarketTick.SOURCE_BINANCE, symbol, Market.SPOT, assets[0], assets[1], kind, last, bid, bidQty, ask, askQty,
                open, high, low, volume, quoteVolume, change, changePercent, updateId, eventTime, receivedAt,
                MarketTick.SOURCE_BINANCE);
    }
}
