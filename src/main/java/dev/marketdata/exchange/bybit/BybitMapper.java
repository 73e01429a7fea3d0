package dev.marketdata.exchange.bybit;

import java.math.BigDecimal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.marketdata.model.Instrument;
import dev.marketdata.exchange.JsonFrameMapper;
import dev.marketdata.exchange.VenueJson;
import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.Market;
import dev.marketdata.model.RejectReason;
import dev.marketdata.model.TickRules;

/**
 * Bybit v5 public topics of one endpoint ({@code /spot} or {@code /linear}, as the symbol {@code BTCUSDT} is on
 * both): {@code tickers.<SYMBOL>} and {@code orderbook.1.<SYMBOL>}.
 * <ul>
 * <li>Spot tickers are snapshots without bid/ask; linear tickers are a snapshot and then deltas holding only
 * the fields that changed, merged here into the last snapshot, so every tick is whole. A delta before any
 * snapshot is ignored. Ordered by {@code ts}; {@code price24hPcnt} is a fraction, served as a percentage.</li>
 * <li>{@code orderbook.1} carries the best level; a delta replaces a side, and a level of size 0 empties it.
 * Ordered by {@code u}, which is 1 after a service restart (the stored sequence is then reset).</li>
 * </ul>
 * Replies to {@code subscribe} and {@code ping} are control frames; a failed one is a server error.
 * One mapper per connection: the merge state belongs to its stream of frames.
 */
public final class BybitMapper extends JsonFrameMapper {

    public static final String TICKERS = "tickers";
    public static final String ORDERBOOK_1 = "orderbook.1";
    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    private final Supplier<Set<String>> streams;
    private final Map<String, ObjectNode> tickers = new HashMap<>();
    private final Map<String, BigDecimal[]> bids = new HashMap<>();
    private final Map<String, BigDecimal[]> asks = new HashMap<>();

    /** @param instruments the configured instruments of this endpoint's market */
    public BybitMapper(ObjectMapper json, List<Instrument> instruments, Set<String> streams) {
        this(json, fixed(instruments), fixedSet(streams));
    }

    /** Looking instruments and streams up as they are now (they change at run time). */
    public BybitMapper(ObjectMapper json, Function<String, Instrument> instruments, Supplier<Set<String>> streams) {
        super(json, instruments);
        this.streams = streams;
    }

    private static Supplier<Set<String>> fixedSet(Set<String> names) {
        Set<String> copy = Set.copyOf(names);
        return () -> copy;
    }

    @Override
    protected List<FrameOutcome> mapObject(JsonNode root, long receivedAt) throws VenueJson.FieldException {
        JsonNode op = root.get("op");
        if (op != null && root.get("topic") == null) {
            JsonNode success = root.get("success");
            if (success != null && !success.asBoolean()) {
                return reject(OTHER, RejectReason.SERVER_ERROR, op.asText() + " failed: "
                        + VenueJson.clip(root.path("ret_msg").asText()));
            }
            return ignore(CONTROL);
        }
        String topic = VenueJson.text(root, "topic");
        int dot = topic.lastIndexOf('.');
        String stream = dot < 0 ? topic : topic.substring(0, dot);
        if (!streams.get().contains(stream)) {
            return ignore(stream.equals(TICKERS) || stream.equals(ORDERBOOK_1) ? stream : OTHER);
        }
        String symbol = topic.substring(dot + 1);
        Instrument instrument = instrument(symbol);
        if (instrument == null) {
            return List.of(unknown(stream, symbol));
        }
        JsonNode data = VenueJson.object(root, "data");
        String type = VenueJson.text(root, "type");
        String carried = data.has("s") ? data.get("s").asText() : data.path("symbol").asText(null);
        if (carried != null && !carried.equals(symbol)) {
            return reject(stream, RejectReason.STREAM_MISMATCH, "topic '" + VenueJson.clip(topic) + "' carries '"
                    + VenueJson.clip(carried) + "'");
        }
        try {
            return List.of(stream.equals(TICKERS)
                    ? ticker(instrument, symbol, type, data, VenueJson.integer(root, "ts"), receivedAt)
                    : topOfBook(instrument, symbol, type, data, VenueJson.integer(root, "ts"), receivedAt));
        } catch (VenueJson.FieldException e) {
            return reject(stream, e.missing() ? RejectReason.MISSING_FIELD : RejectReason.BAD_NUMBER, e.getMessage());
        }
    }

    private FrameOutcome ticker(Instrument instrument, String symbol, String type, JsonNode data, long ts,
            long receivedAt) throws VenueJson.FieldException {
        ObjectNode merged;
        if ("snapshot".equals(type)) {
            merged = data.deepCopy();
        } else if ("delta".equals(type)) {
            ObjectNode known = tickers.get(symbol);
            if (known == null) {
                return new FrameOutcome.Ignored(TICKERS);
            }
            // Merged into a copy, kept only once the whole tick has passed: a bad delta is rejected alone and
            // does not poison the symbol's state for every later delta.
            merged = known.deepCopy();
            merged.setAll((ObjectNode) data);
        } else {
            return new FrameOutcome.Rejected(TICKERS, RejectReason.MISSING_FIELD, "'type' is neither snapshot nor delta");
        }
        FrameOutcome outcome = whole(instrument, merged, ts, receivedAt);
        if (outcome instanceof FrameOutcome.Accepted accepted) {
            // The pipeline's venue-neutral rules too (a 24h low above the high, ...): a merged tick it would refuse
            // is refused here, and the state stays as it was.
            TickRules.Problem problem = TickRules.problem(accepted.tick());
            if (problem != null) {
                return new FrameOutcome.Rejected(TICKERS, problem.reason(), "the delta makes " + problem.detail());
            }
            tickers.put(symbol, merged);
        }
        return outcome;
    }

    private FrameOutcome whole(Instrument instrument, ObjectNode merged, long ts, long receivedAt)
            throws VenueJson.FieldException {
        BigDecimal last = VenueJson.decimal(merged, "lastPrice");
        BigDecimal open = VenueJson.optionalDecimal(merged, "prevPrice24h");
        BigDecimal fraction = VenueJson.optionalSignedDecimal(merged, "price24hPcnt");
        boolean book = instrument.market() == Market.PERP;
        return new FrameOutcome.Accepted(ticker(instrument, last,
                book ? VenueJson.optionalDecimal(merged, "bid1Price") : null,
                book ? VenueJson.optionalDecimal(merged, "bid1Size") : null,
                book ? VenueJson.optionalDecimal(merged, "ask1Price") : null,
                book ? VenueJson.optionalDecimal(merged, "ask1Size") : null,
                open, VenueJson.optionalDecimal(merged, "highPrice24h"), VenueJson.optionalDecimal(merged, "lowPrice24h"),
                VenueJson.optionalDecimal(merged, "volume24h"), VenueJson.optionalDecimal(merged, "turnover24h"),
                open == null ? null : last.subtract(open),
                fraction == null ? null : fraction.multiply(HUNDRED).stripTrailingZeros(), ts, receivedAt));
    }

    private FrameOutcome topOfBook(Instrument instrument, String symbol, String type, JsonNode data, long ts,
            long receivedAt) throws VenueJson.FieldException {
        List<BigDecimal[]> bidLevels = VenueJson.levels(data, "b");
        List<BigDecimal[]> askLevels = VenueJson.levels(data, "a");
        long u = VenueJson.integer(data, "u");
        if ("snapshot".equals(type)) {
            bids.remove(symbol);
            asks.remove(symbol);
        } else if (!"delta".equals(type)) {
            return new FrameOutcome.Rejected(ORDERBOOK_1, RejectReason.MISSING_FIELD, "'type' is neither snapshot nor delta");
        }
        apply(bids, symbol, bidLevels);
        apply(asks, symbol, askLevels);
        BigDecimal[] bestBid = bids.get(symbol);
        BigDecimal[] bestAsk = asks.get(symbol);
        if (bestBid == null || bestAsk == null) {
            // A side is empty (or no snapshot yet): no top of book to store.
            return new FrameOutcome.Ignored(ORDERBOOK_1);
        }
        // u=1 is Bybit's sign that the service restarted and the sequence starts again: not an old tick.
        return new FrameOutcome.Accepted(book(instrument, bestBid[0], bestBid[1], bestAsk[0], bestAsk[1], u, ts,
                receivedAt), u == 1 && "snapshot".equals(type));
    }

    /**
     * Applies a side's levels in order to its best level: a level of size 0 removes the level at its price,
     * any other becomes the best (a depth of one holds one level).
     */
    private static void apply(Map<String, BigDecimal[]> side, String symbol, List<BigDecimal[]> levels) {
        for (BigDecimal[] level : levels) {
            if (level[1].signum() == 0) {
                BigDecimal[] best = side.get(symbol);
                if (best != null && best[0].compareTo(level[0]) == 0) {
                    side.remove(symbol);
                }
            } else {
                side.put(symbol, level);
            }
        }
    }
}
