package dev.marketdata.exchange.binance;

import java.util.Locale;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.exchange.VenueJson;
import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.RejectReason;
import dev.marketdata.model.StreamKind;

/**
 * Turns one text frame from Binance into a {@link FrameOutcome}. Ticks come in the combined-stream wrapper
 * {@code {"stream":..,"data":..}}, whose stream must name the payload's symbol and event type; a bare tick
 * payload is rejected ({@code stream_mismatch}). Dispatches on the stream kind; frames of kinds we did not
 * subscribe to, and control replies, are ignored rather than rejected.
 */
public class BinanceFrameMapper {

    public static final String BEAN = "binanceFrameMapper";

    private final ObjectMapper json;
    private final Supplier<Set<StreamKind>> wanted;
    private final LongSupplier clock;
    private final BookTickerMapper bookTickerMapper = new BookTickerMapper();
    private final TickerMapper tickerMapper = new TickerMapper();
    /** Taken only while bookTicker is subscribed. */
    private final BookTickerFastPath fastPath;

    public BinanceFrameMapper(ObjectMapper json, Set<StreamKind> wanted, LongSupplier clock) {
        this(json, fixed(wanted), clock);
    }

    /** @param wanted the stream kinds subscribed to as they are now (they change at run time) */
    public BinanceFrameMapper(ObjectMapper json, Supplier<Set<StreamKind>> wanted, LongSupplier clock) {
        this.json = json;
        this.wanted = wanted;
        this.clock = clock;
        this.fastPath = new BookTickerFastPath(json.getFactory(), bookTickerMapper);
    }

    private static Supplier<Set<StreamKind>> fixed(Set<StreamKind> kinds) {
        Set<StreamKind> copy = Set.copyOf(kinds);
        return () -> copy;
    }

    /** Whether the text is a Binance symbol: 2-20 upper-case letters and digits. */
    static boolean isSymbol(String text) {
        if (text == null || text.length() < 2 || text.length() > 20) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    /** Binance frames are small (well under 1 KB); anything this large is not one of them. */
    static final int MAX_FRAME_CHARS = 64 * 1024;

    public FrameOutcome map(String frame) {
        return mapReceivedAt(frame, clock.getAsLong());
    }

    /**
     * @param receivedAt when the frame was received (ms). Not an overload of {@code map}: the pipeline calls
     * {@code map} by name through bean binding, which refuses to choose between overloads.
     */
    public FrameOutcome mapReceivedAt(String frame, long receivedAt) {
        if (frame.length() > MAX_FRAME_CHARS) {
            return new FrameOutcome.Rejected(StreamTags.OTHER, RejectReason.OVERSIZED_FRAME,
                    "frame of " + frame.length() + " characters");
        }
        if (wanted.get().contains(StreamKind.BOOK_TICKER)) {
            MarketTick tick = fastPath.tryMap(frame, receivedAt);
            if (tick != null) {
                return new FrameOutcome.Accepted(tick);
            }
        }
        return mapTree(frame, receivedAt);
    }

    /** Every frame the fast path did not take: read as a tree, each rule checked with its own rejection. */
    FrameOutcome mapTree(String frame, long receivedAt) {
        JsonNode root;
        try {
            root = json.readTree(frame);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            return new FrameOutcome.Rejected(StreamTags.OTHER, RejectReason.MALFORMED_JSON, "not JSON");
        }
        if (root == null || !root.isObject()) {
            return new FrameOutcome.Rejected(StreamTags.OTHER, RejectReason.MALFORMED_JSON, "not a JSON object");
        }
        if (root.has("code") && root.has("msg")) {
            return new FrameOutcome.Rejected(StreamTags.OTHER, RejectReason.SERVER_ERROR, VenueJson.clip(root.path("msg").asText()));
        }
        if (root.has("id") && root.has("result") || "serverShutdown".equals(root.path("e").asText())
                || "serverShutdown".equals(root.path("data").path("e").asText())) {
            // Control replies and serverShutdown (the connection acts on it) carry no tick.
            return new FrameOutcome.Ignored(StreamTags.CONTROL);
        }
        JsonNode data;
        StreamKind kind;
        String streamSymbol = null;
        JsonNode stream = root.get("stream");
        if (stream != null) {
            if (!stream.isTextual()) {
                return new FrameOutcome.Rejected(StreamTags.OTHER, RejectReason.MISSING_FIELD, "'stream' is not a string");
            }
            data = root.get("data");
            if (data == null || !data.isObject()) {
                return new FrameOutcome.Rejected(StreamTags.OTHER, RejectReason.MISSING_FIELD, "'data' is not an object");
            }
            String name = stream.textValue();
            int at = name.indexOf('@');
            String suffix = at < 0 ? "" : name.substring(at + 1);
            kind = StreamKind.fromStreamSuffix(suffix);
            if (kind == null) {
                return new FrameOutcome.Ignored(StreamTags.of(suffix));
            }
            streamSymbol = name.substring(0, at);
        } else {
            data = root;
            kind = rawKind(root);
            if (kind == null) {
                return new FrameOutcome.Ignored(StreamTags.of(root.path("e").asText("")));
            }
        }
        if (!wanted.get().contains(kind)) {
            return new FrameOutcome.Ignored(kind.configName());
        }
        if (streamSymbol == null) {
            // The gateway's connections are combined streams: Binance wraps every tick with the stream it belongs
            // to. A bare tick cannot be checked against its stream, so it is not taken on its word.
            return new FrameOutcome.Rejected(kind.configName(), RejectReason.STREAM_MISMATCH,
                    "a " + kind.configName() + " payload without its stream name");
        }
        try {
            String symbol = VenueJson.text(data, "s");
            if (!isSymbol(symbol)) {
                return new FrameOutcome.Rejected(kind.configName(), RejectReason.BAD_SYMBOL, "symbol is not 2-20 upper-case letters and digits");
            }
            // The stream a frame came on names its symbol and kind: a payload of another symbol or event type
            // is a corrupt or misrouted frame, not data for the symbol it claims.
            JsonNode eventType = data.get("e");
            if (!streamSymbol.equals(symbol.toLowerCase(Locale.ROOT))
                    || eventType != null && !kind.eventType().equals(eventType.asText())) {
                return new FrameOutcome.Rejected(kind.configName(), RejectReason.STREAM_MISMATCH, "stream '"
                        + VenueJson.clip(stream.textValue()) + "' carries " + symbol
                        + (eventType == null ? "" : " " + VenueJson.clip(eventType.asText())));
            }
            MarketTick tick = kind == StreamKind.BOOK_TICKER
                    ? bookTickerMapper.map(data, symbol, receivedAt)
                    : tickerMapper.map(data, kind, symbol, receivedAt);
            return new FrameOutcome.Accepted(tick);
        } catch (VenueJson.FieldException e) {
            return new FrameOutcome.Rejected(kind.configName(), e.missing() ? RejectReason.MISSING_FIELD : RejectReason.BAD_NUMBER,
                    e.getMessage());
        }
    }

    private static StreamKind rawKind(JsonNode root) {
        JsonNode e = root.get("e");
        if (e == null) {
            // Spot bookTicker payloads carry no event type; recognise them by their fields.
            return root.has("u") && root.has("b") && root.has("a") ? StreamKind.BOOK_TICKER : null;
        }
        String type = e.asText();
        for (StreamKind kind : StreamKind.values()) {
            if (kind.eventType().equals(type)) {
                return kind;
            }
        }
        return null;
    }
}
