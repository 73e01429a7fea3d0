package dev.marketdata.exchange.binance;

import java.math.BigDecimal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marketdata.exchange.VenueJson;
import dev.marketdata.model.Market;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.StreamKind;

/**
 * Maps a Binance {@code bookTicker} payload {@code {u,s,b,B,a,A}} (plus {@code e,E} where the venue sends
 * them) to a tick whose price is the mid of best bid and best ask.
 */
public class BookTickerMapper {

    private static final BigDecimal TWO = BigDecimal.valueOf(2);

    MarketTick map(JsonNode data, String symbol, long receivedAt) throws VenueJson.FieldException {
        long updateId = VenueJson.integer(data, "u");
        BigDecimal bid = VenueJson.decimal(data, "b");
        BigDecimal bidQty = VenueJson.decimal(data, "B");
        BigDecimal ask = VenueJson.decimal(data, "a");
        BigDecimal askQty = VenueJson.decimal(data, "A");
        Long eventTime = VenueJson.optionalInteger(data, "E");
        return tick(symbol, updateId, bid, bidQty, ask, askQty, eventTime, receivedAt);
    }

    /** The tick of checked values (the tree path's and {@link BookTickerFastPath}'s). */
    MarketTick tick(String symbol, long updateId, BigDecimal bid, BigDecimal bidQty, BigDecimal ask, BigDecimal askQty,
            Long eventTime, long receivedAt) {
        String[] assets = dev.marketdata.model.SymbolAssets.split(symbol);
        // Halving a decimal always terminates, so the mid stays exact.
        BigDecimal mid = bid.add(ask).divide(TWO);
        return new MarketTick(symbol, MarketTick.SOURCE_BINANCE, symbol, Market.SPOT, assets[0], assets[1], StreamKind.BOOK_TICKER, mid, bid, bidQty, ask, askQty,
                null, null, null, null, null, null, null, updateId, eventTime, receivedAt, MarketTick.SOURCE_BINANCE);
    }
}
