package dev.marketdata.exchange.htx;

import java.math.BigDecimal;
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
import dev.marketdata.model.RejectReason;

/**
 * HTX (Huobi) spot market data, after the gzip frame is inflated: {@code market.<symbol>.bbo} (best bid/ask;
 * {@code seqId}, {@code quoteTime}) and {@code market.<symbol>.ticker} (24h fields with best bid/ask; ordered by
 * {@code ts}). HTX sends prices and sizes as JSON numbers ({@code 9.121E-7}); each is kept as the exact decimal
 * of its text. {@code {"ping":n}} (answered by the connection), subscribe replies and {@code status:"error"}
 * replies are control frames and server errors.
 */
public final class HtxMapper extends JsonFrameMapper {

    public static final String BBO = "bbo";
    public static final String TICKER = "ticker";
    private final Supplier<Set<String>> streams;

    public HtxMapper(ObjectMapper json, List<Instrument> instruments, Set<String> streams) {
        this(json, fixed(instruments), fixedSet(streams));
    }

    /** Looking instruments and streams up as they are now (they change at run time). */
    public HtxMapper(ObjectMapper json, Function<String, Instrument> instruments, Supplier<Set<String>> streams) {
        super(json, instruments);
        this.streams = streams;
    }

    private static Supplier<Set<String>> fixedSet(Set<String> names) {
        Set<String> copy = Set.copyOf(names);
        return () -> copy;
    }

    @Override
    protected List<FrameOutcome> mapObject(JsonNode root, long receivedAt) throws VenueJson.FieldException {
        if (root.has("ping") || root.has("subbed") || root.has("unsubbed")) {
            return ignore(CONTROL);
        }
        if ("error".equals(root.path("status").asText())) {
            return reject(OTHER, RejectReason.SERVER_ERROR, VenueJson.clip(root.path("err-code").asText()) + ": "
                    + VenueJson.clip(root.path("err-msg").asText()));
        }
        String ch = VenueJson.text(root, "ch");
        String[] parts = ch.split("\\.", -1);
        if (parts.length != 3 || !"market".equals(parts[0])) {
            return ignore(OTHER);
        }
        String stream = parts[2];
        if (!streams.get().contains(stream)) {
            return ignore(stream.equals(BBO) || stream.equals(TICKER) ? stream : OTHER);
        }
        Instrument instrument = instrument(parts[1]);
        if (instrument == null) {
            return List.of(unknown(stream, parts[1]));
        }
        JsonNode tick = VenueJson.object(root, "tick");
        JsonNode carried = tick.get("symbol");
        if (carried != null && !parts[1].equals(carried.asText())) {
            return reject(stream, RejectReason.STREAM_MISMATCH, "channel '" + VenueJson.clip(ch) + "' carries '"
                    + VenueJson.clip(carried.asText()) + "'");
        }
        try {
            if (stream.equals(BBO)) {
                return List.of(new FrameOutcome.Accepted(book(instrument, VenueJson.number(tick, "bid"),
                        VenueJson.number(tick, "bidSize"), VenueJson.number(tick, "ask"), VenueJson.number(tick, "askSize"),
                        VenueJson.integer(tick, "seqId"), VenueJson.integer(tick, "quoteTime"), receivedAt)));
            }
            BigDecimal last = VenueJson.optionalNumber(tick, "lastPrice");
            if (last == null) {
                last = VenueJson.number(tick, "close");
            }
            BigDecimal open = VenueJson.optionalNumber(tick, "open");
            // HTX's "amount" is the 24h volume in the base asset, "vol" the turnover in the quote asset.
            return List.of(new FrameOutcome.Accepted(ticker(instrument, last,
                    VenueJson.optionalNumber(tick, "bid"), VenueJson.optionalNumber(tick, "bidSize"),
                    VenueJson.optionalNumber(tick, "ask"), VenueJson.optionalNumber(tick, "askSize"),
                    open, VenueJson.optionalNumber(tick, "high"), VenueJson.optionalNumber(tick, "low"),
                    VenueJson.optionalNumber(tick, "amount"), VenueJson.optionalNumber(tick, "vol"),
                    open == null ? null : last.subtract(open), null, VenueJson.integer(root, "ts"), receivedAt)));
        } catch (VenueJson.FieldException e) {
            return reject(stream, e.missing() ? RejectReason.MISSING_FIELD : RejectReason.BAD_NUMBER, e.getMessage());
        }
    }
}
