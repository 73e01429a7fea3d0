package dev.marketdata.model;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * The venues the gateway knows, with how each names an instrument. The mapping from the one normalized
 * form ({@code BTC-USDT}, {@code BTC-USDT-PERP}) to the venue's id is explicit here, per venue, and never
 * guessed backwards from a frame: a frame's symbol is looked up among the configured instruments.
 */
public enum Venue {
    /** Spot combined streams: {@code BTCUSDT}. */
    BINANCE(EnumSet.of(Market.SPOT)),
    /** {@code BTC-USDT} spot, {@code BTC-USDT-SWAP} perpetual. */
    OKX(EnumSet.of(Market.SPOT, Market.PERP)),
    /** {@code BTCUSDT} on both the spot and the linear endpoint; the market picks the endpoint. */
    BYBIT(EnumSet.of(Market.SPOT, Market.PERP)),
    /** Advanced Trade products: {@code BTC-USD}. */
    COINBASE(EnumSet.of(Market.SPOT)),
    /** Spot, lower case: {@code btcusdt}. */
    HTX(EnumSet.of(Market.SPOT));

    private final Set<Market> markets;
    /** Computed once: every tick asks for it (its sequence, its key), hundreds of thousands a second. */
    private final String id;

    Venue(Set<Market> markets) {
        this.markets = markets;
        this.id = name().toLowerCase(Locale.ROOT);
    }

    /** The exchange id of configuration keys, metric tags, Redis keys and the API: {@code okx}. */
    public String id() {
        return id;
    }

    public boolean serves(Market market) {
        return markets.contains(market);
    }

    /** The venue's own id of an instrument. */
    public String nativeSymbol(String base, String quote, Market market) {
        return switch (this) {
            case BINANCE, BYBIT -> base + quote;
            case OKX -> base + "-" + quote + (market == Market.PERP ? "-SWAP" : "");
            case COINBASE -> base + "-" + quote;
            case HTX -> (base + quote).toLowerCase(Locale.ROOT);
        };
    }

    /**
     * The order of a book top: its update id, which only grows. OKX may reset the {@code seqId} of
     * {@code bbo-tbt} to a smaller value, so its book tops are ordered by event time first and by the
     * {@code seqId} within a millisecond, and a reset is not taken for an old tick.
     */
    public long bookSequence(long updateId, Long eventTime) {
        if (this == OKX && eventTime != null) {
            return Math.addExact(Math.multiplyExact(eventTime, 1_000_000L), Math.floorMod(updateId, 1_000_000L));
        }
        return updateId;
    }

    /**
     * The order of a ticker: its event time, except where the venue gives a finer one. Coinbase's is the message
     * timestamp in nanoseconds ({@code update_id}), since its {@code sequence_num} counts per connection.
     */
    public long tickerSequence(Long sequence, long eventTime) {
        return this == COINBASE && sequence != null ? sequence : eventTime;
    }

    /** The venue of an exchange id, or null. */
    private static final Venue[] VALUES = values();

    public static Venue of(String id) {
        for (Venue venue : VALUES) {
            if (venue.id.equals(id)) {
                return venue;
            }
        }
        return null;
    }
}
