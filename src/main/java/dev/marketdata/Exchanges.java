package dev.marketdata;

import dev.marketdata.exchange.binance.BinanceProtocol;
import dev.marketdata.exchange.bybit.BybitProtocol;
import dev.marketdata.exchange.coinbase.CoinbaseProtocol;
import dev.marketdata.exchange.htx.HtxProtocol;
import dev.marketdata.exchange.okx.OkxProtocol;
import dev.marketdata.feed.ExchangeProtocol;
import dev.marketdata.feed.MarketStreamEndpoint;
import dev.marketdata.model.Venue;

/**
 * The protocol of each venue the gateway knows: the one place a new venue's package is named (here, with the
 * wiring, so that the venue packages and their shared readers in {@code exchange} form no cycle).
 */
public final class Exchanges {

    private Exchanges() {
    }

    public static ExchangeProtocol protocol(Venue venue) {
        return switch (venue) {
            case BINANCE -> new BinanceProtocol(MarketStreamEndpoint.MAX_STREAMS_PER_CONNECTION,
                    MarketStreamEndpoint.DEFAULT_MAX_URL_LENGTH);
            case OKX -> new OkxProtocol();
            case BYBIT -> new BybitProtocol();
            case COINBASE -> new CoinbaseProtocol();
            case HTX -> new HtxProtocol();
        };
    }
}
