package dev.marketdata.exchange;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.feed.VenueMapper;
import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.Instrument;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.RejectReason;
import dev.marketdata.model.StreamKind;

/**
 * The part every JSON venue mapper shares: the size limit, parsing (exact decimals, duplicate keys refused),
 * the lookup of a frame's instrument among the configured ones, and building the one tick model.
 */
public abstract class JsonFrameMapper implements VenueMapper {

    /** Top-of-book and ticker frames are well under this; anything larger is not one of them. */
    public static final int MAX_FRAME_CHARS = 64 * 1024;
    /**
     * Updates one frame may carry (an OKX {@code data} list, a Coinbase message's tickers). Venues batch a few;
     * a frame of thousands is refused whole, as one rejection rather than thousands.
     */
    public static final int MAX_UPDATES_PER_FRAME = 200;
    protected static final String OTHER = "other";
    protected static final String CONTROL = "control";
    private static final BigDecimal TWO = BigDecimal.valueOf(2);

    private final ObjectMapper json;
    private final Function<String, Instrument> lookup;

    /** @param instruments the configured instruments this mapper's frames may carry */
    protected JsonFrameMapper(ObjectMapper json, List<Instrument> instruments) {
        this(json, fixed(instruments));
    }

    /** @param lookup the followed instrument of a venue id, as the followed set is now; null when not followed */
    protected JsonFrameMapper(ObjectMapper json, Function<String, Instrument> lookup) {
        this.json = json;
        this.lookup = lookup;
    }

    /** A lookup among a fixed list of instruments. */
    public static Function<String, Instrument> fixed(List<Instrument> instruments) {
        Map<String, Instrument> byNative = new HashMap<>();
        instruments.forEach(i -> byNative.put(i.nativeSymbol(), i));
        return byNative::get;
    }

    @Override
    public final List<FrameOutcome> map(String frame, long receivedAt) {
        if (frame.length() > MAX_FRAME_CHARS) {
            return reject(OTHER, RejectReason.OVERSIZED_FRAME, "frame of " + frame.length() + " characters");
        }
        JsonNode root;
        try {
            root = json.readTree(frame);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return notJson(frame);
        }
        if (root == null || !root.isObject()) {
            return reject(OTHER, RejectReason.MALFORMED_JSON, "not a JSON object");
        }
        try {
            return mapObject(root, receivedAt);
        } catch (VenueJson.FieldException e) {
            return reject(OTHER, e.missing() ? RejectReason.MISSING_FIELD : RejectReason.BAD_NUMBER, e.getMessage());
        }
    }

    /** A frame that is not JSON; venues whose keep-alive answer is plain text ({@code pong}) override this. */
    protected List<FrameOutcome> notJson(String frame) {
        return reject(OTHER, RejectReason.MALFORMED_JSON, "not JSON");
    }

    protected abstract List<FrameOutcome> mapObject(JsonNode root, long receivedAt) throws VenueJson.FieldException;

    /** The configured instrument with this venue id, or null. */
    protected Instrument instrument(String nativeSymbol) {
        return lookup.apply(nativeSymbol);
    }

    protected static List<FrameOutcome> reject(String kind, RejectReason reason, String detail) {
        return List.of(new FrameOutcome.Rejected(kind, reason, detail));
    }

    protected static List<FrameOutcome> ignore(String kind) {
        return List.of(new FrameOutcome.Ignored(kind));
    }

    protected static FrameOutcome unknown(String kind, String nativeSymbol) {
        return new FrameOutcome.Rejected(kind, RejectReason.UNKNOWN_SYMBOL,
                "'" + VenueJson.clip(nativeSymbol) + "' is not a configured instrument");
    }

    /** A top-of-book tick; its price is the mid of best bid and best ask (halving a decimal is exact). */
    protected static MarketTick book(Instrument i, BigDecimal bid, BigDecimal bidQty, BigDecimal ask, BigDecimal askQty,
            long updateId, Long eventTime, long receivedAt) {
        return new MarketTick(i.symbol(), i.venue().id(), i.nativeSymbol(), i.market(), i.base(), i.quote(),
                StreamKind.BOOK_TICKER, bid.add(ask).divide(TWO), bid, bidQty, ask, askQty,
                null, null, null, null, null, null, null, updateId, eventTime, receivedAt, i.venue().id());
    }

    /** A 24h ticker tick, ordered by its event time; book fields null where the stream has none. */
    protected static MarketTick ticker(Instrument i, BigDecimal last, BigDecimal bid, BigDecimal bidQty, BigDecimal ask,
            BigDecimal askQty, BigDecimal open, BigDecimal high, BigDecimal low, BigDecimal volume,
            BigDecimal quoteVolume, BigDecimal change, BigDecimal changePercent, long eventTime, long receivedAt) {
        return sequencedTicker(i, last, bid, bidQty, ask, askQty, open, high, low, volume, quoteVolume, change,
                changePercent, null, eventTime, receivedAt);
    }

    /** A ticker with the venue's own sequence of it, finer than its event time (see {@link Venue#tickerSequence}). */
    protected static MarketTick sequencedTicker(Instrument i, BigDecimal last, BigDecimal bid, BigDecimal bidQty,
            BigDecimal ask, BigDecimal askQty, BigDecimal open, BigDecimal high, BigDecimal low, BigDecimal volume,
            BigDecimal quoteVolume, BigDecimal change, BigDecimal changePercent, Long sequence, long eventTime,
            long receivedAt) {
        return new MarketTick(i.symbol(), i.venue().id(), i.nativeSymbol(), i.market(), i.base(), i.quote(),
                StreamKind.TICKER, last, bid, bidQty, ask, askQty, open, high, low, volume, quoteVolume, change,
                changePercent, sequence, eventTime, receivedAt, i.venue().id());
    }
}
