package dev.marketdata.exchange.binance;

import java.math.BigDecimal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marketdata.exchange.VenueJson;
import dev.marketdata.model.Market;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.StreamKind;
import dev.marketdata.model.SymbolAssets;

/**
 * Maps Binance's 24h rolling-window payloads: {@code 24hrTicker} (last price, best bid/ask, 24h stats)
 * and {@code 24hrMiniTicker} (last price and 24h stats, no book). Their order is the event time {@code E}.
 */
public class TickerMapper {

    MarketTick map(JsonNode data, StreamKind kind, String symbol, long receivedAt) throws VenueJson.FieldException {
        long eventTime = VenueJson.integer(data, "E");
        BigDecimal last = VenueJson.decimal(data, "c");
        BigDecimal open = VenueJson.decimal(data, "o");
        BigDecimal high = VenueJson.decimal(data, "h");
        BigDecimal low = VenueJson.decimal(data, "l");
        BigDecimal volume = VenueJson.decimal(data, "v");
        BigDecimal quoteVolume = VenueJson.decimal(data, "q");
        BigDecimal bid = null;
        BigDecimal bidQty = null;
        BigDecimal ask = null;
        BigDecimal askQty = null;
        BigDecimal change;
        BigDecimal changePercent;
        Long updateId = null;
        if (kind == StreamKind.TICKER) {
            bid = VenueJson.optionalDecimal(data, "b");
            bidQty = VenueJson.optionalDecimal(data, "B");
            ask = VenueJson.optionalDecimal(data, "a");
            askQty = VenueJson.optionalDecimal(data, "A");
            change = VenueJson.optionalSignedDecimal(data, "p");
            changePercent = VenueJson.optionalSignedDecimal(data, "P");
            updateId = VenueJson.optionalInteger(data, "L");
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
