package dev.marketdata.exchange.okx;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.model.Instrument;
import dev.marketdata.exchange.JsonFrameMapper;
import dev.marketdata.exchange.VenueJson;
import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.Market;
import dev.marketdata.model.RejectReason;

/**
 * OKX v5 public channels: {@code tickers} (last price, best bid/ask, 24h fields; ordered by {@code ts}) and
 * {@code bbo-tbt} (tick-by-tick best bid/ask; {@code seqId}, which OKX may reset, and {@code ts}). A push is
 * {@code {"arg":{"channel","instId"},"data":[...]}}; every element of {@code data} must be of the
 * {@code instId} the push names. Subscribe replies ({@code event}) and the {@code pong} text are control
 * frames; an {@code error} event is a server error.
 */
public final class OkxMapper extends JsonFrameMapper {

    public static final String TICKERS = "tickers";
    public static final String BBO_TBT = "bbo-tbt";
    private final Supplier<Set<String>> channels;

    /** @param channels the channels subscribed to; pushes of others are ignored */
    public OkxMapper(ObjectMapper json, List<Instrument> instruments, Set<String> channels) {
        this(json, fixed(instruments), fixedSet(channels));
    }

    /** Looking instruments and channels up as they are now (they change at run time). */
    public OkxMapper(ObjectMapper json, Function<String, Instrument> instruments, Supplier<Set<String>> channels) {
        super(json, instruments);
        this.channels = channels;
    }

    static Supplier<Set<String>> fixedSet(Set<String> names) {
        Set<String> copy = Set.copyOf(names);
        return () -> copy;
    }

    @Override
    protected List<FrameOutcome> notJson(String frame) {
        // The answer to the "ping" text the connection sends when idle.
        return "pong".equals(frame) ? ignore(CONTROL) : super.notJson(frame);
    }

    @Override
    protected List<FrameOutcome> mapObject(JsonNode root, long receivedAt) throws VenueJson.FieldException {
        JsonNode event = root.get("event");
        if (event != null) {
            if ("error".equals(event.asText())) {
                return reject(OTHER, RejectReason.SERVER_ERROR, "error " + VenueJson.clip(root.path("code").asText())
                        + ": " + VenueJson.clip(root.path("msg").asText()));
            }
            return ignore(CONTROL);
        }
        JsonNode arg = VenueJson.object(root, "arg");
        String channel = VenueJson.text(arg, "channel");
        if (!channels.get().contains(channel)) {
            return ignore(channel.equals(TICKERS) || channel.equals(BBO_TBT) ? channel : OTHER);
        }
        String instId = VenueJson.text(arg, "instId");
        Instrument instrument = instrument(instId);
        if (instrument == null) {
            return List.of(unknown(channel, instId));
        }
        JsonNode data = root.get("data");
        if (data == null || !data.isArray() || data.isEmpty()) {
            return reject(channel, RejectReason.MISSING_FIELD, "'data' is not a list of updates");
        }
        if (data.size() > MAX_UPDATES_PER_FRAME) {
            return reject(channel, RejectReason.OVERSIZED_FRAME, data.size() + " updates in one push");
        }
        List<FrameOutcome> outcomes = new ArrayList<>(data.size());
        for (JsonNode item : data) {
            outcomes.add(one(channel, instrument, instId, item, receivedAt));
        }
        return outcomes;
    }

    private FrameOutcome one(String channel, Instrument instrument, String instId, JsonNode item, long receivedAt) {
        try {
            if (!item.isObject()) {
                return new FrameOutcome.Rejected(channel, RejectReason.MISSING_FIELD, "an update is not an object");
            }
            JsonNode itemId = item.get("instId");
            if (itemId != null && !instId.equals(itemId.asText())) {
                return new FrameOutcome.Rejected(channel, RejectReason.STREAM_MISMATCH, "the push for '"
                        + VenueJson.clip(instId) + "' carries '" + VenueJson.clip(itemId.asText()) + "'");
            }
            long ts = VenueJson.integerOrDigits(item, "ts");
            if (channel.equals(BBO_TBT)) {
                BigDecimal[] bid = VenueJson.bestLevel(item, "bids");
                BigDecimal[] ask = VenueJson.bestLevel(item, "asks");
                if (bid == null || ask == null) {
                    // One side of the book is empty: there is no top of book to store.
                    return new FrameOutcome.Ignored(channel);
                }
                return new FrameOutcome.Accepted(book(instrument, bid[0], bid[1], ask[0], ask[1],
                        VenueJson.integer(item, "seqId"), ts, receivedAt));
            }
            BigDecimal last = VenueJson.decimal(item, "last");
            BigDecimal open = VenueJson.optionalDecimal(item, "open24h");
            // vol24h is in base currency for spot but in contracts for swaps; volCcy24h is in quote currency
            // for spot and in base currency for swaps (OKX's tickers documentation).
            boolean spot = instrument.market() == Market.SPOT;
            BigDecimal baseVolume = VenueJson.optionalDecimal(item, spot ? "vol24h" : "volCcy24h");
            BigDecimal quoteVolume = spot ? VenueJson.optionalDecimal(item, "volCcy24h") : null;
            return new FrameOutcome.Accepted(ticker(instrument, last,
                    VenueJson.optionalDecimalOrEmpty(item, "bidPx"), VenueJson.optionalDecimalOrEmpty(item, "bidSz"),
                    VenueJson.optionalDecimalOrEmpty(item, "askPx"), VenueJson.optionalDecimalOrEmpty(item, "askSz"),
                    open, VenueJson.optionalDecimal(item, "high24h"), VenueJson.optionalDecimal(item, "low24h"),
                    baseVolume, quoteVolume, open == null ? null : last.subtract(open), null, ts, receivedAt));
        } catch (VenueJson.FieldException e) {
            return new FrameOutcome.Rejected(channel, e.missing() ? RejectReason.MISSING_FIELD : RejectReason.BAD_NUMBER,
                    e.getMessage());
        }
    }
}
