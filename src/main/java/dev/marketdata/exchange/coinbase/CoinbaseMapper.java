package dev.marketdata.exchange.coinbase;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.model.Instrument;
import dev.marketdata.exchange.JsonFrameMapper;
import dev.marketdata.exchange.VenueJson;
import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.RejectReason;

/**
 * Coinbase Advanced Trade market data: the {@code ticker} channel, a message of {@code events}, each a
 * {@code snapshot} or {@code update} with a list of {@code tickers} (last price, best bid/ask with sizes, 24h
 * low/high/volume and percent change). Ordered by the message's {@code timestamp}: its {@code sequence_num}
 * counts per connection, so it cannot order two connections' messages. {@code heartbeats} (subscribed only to
 * keep a quiet connection open) and {@code subscriptions} are control messages; {@code error} is a server error.
 */
public final class CoinbaseMapper extends JsonFrameMapper {

    public static final String TICKER = "ticker";

    public CoinbaseMapper(ObjectMapper json, List<Instrument> instruments) {
        super(json, instruments);
    }

    /** Looking instruments up as they are now (they change at run time). */
    public CoinbaseMapper(ObjectMapper json, java.util.function.Function<String, Instrument> instruments) {
        super(json, instruments);
    }

    @Override
    protected List<FrameOutcome> mapObject(JsonNode root, long receivedAt) throws VenueJson.FieldException {
        if ("error".equals(root.path("type").asText())) {
            return reject(OTHER, RejectReason.SERVER_ERROR, VenueJson.clip(root.path("message").asText()));
        }
        String channel = VenueJson.text(root, "channel");
        if (!channel.equals(TICKER)) {
            return ignore(channel.equals("heartbeats") || channel.equals("subscriptions") ? CONTROL : OTHER);
        }
        Instant at = instant(VenueJson.text(root, "timestamp"));
        long eventTime = at.toEpochMilli();
        // Coinbase stamps a message to the microsecond or finer: two ticks of one product in the same millisecond
        // are ordered by it, not taken for duplicates.
        long nanos = Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000_000L), at.getNano());
        JsonNode events = root.get("events");
        if (events == null || !events.isArray()) {
            return reject(TICKER, RejectReason.MISSING_FIELD, "'events' is not a list");
        }
        int updates = 0;
        for (JsonNode event : events) {
            updates += Math.max(1, event.path("tickers").size());
        }
        if (updates > MAX_UPDATES_PER_FRAME) {
            return reject(TICKER, RejectReason.OVERSIZED_FRAME, updates + " tickers in one message");
        }
        List<FrameOutcome> outcomes = new ArrayList<>();
        for (JsonNode event : events) {
            JsonNode tickers = event.get("tickers");
            if (tickers == null || !tickers.isArray()) {
                outcomes.add(new FrameOutcome.Rejected(TICKER, RejectReason.MISSING_FIELD, "an event without 'tickers'"));
                continue;
            }
            for (JsonNode item : tickers) {
                outcomes.add(one(item, nanos, eventTime, receivedAt));
            }
        }
        return outcomes.isEmpty() ? ignore(TICKER) : outcomes;
    }

    private FrameOutcome one(JsonNode item, long nanos, long eventTime, long receivedAt) {
        try {
            if (!item.isObject()) {
                return new FrameOutcome.Rejected(TICKER, RejectReason.MISSING_FIELD, "a ticker is not an object");
            }
            String product = VenueJson.text(item, "product_id");
            Instrument instrument = instrument(product);
            if (instrument == null) {
                return unknown(TICKER, product);
            }
            return new FrameOutcome.Accepted(sequencedTicker(instrument, VenueJson.decimal(item, "price"),
                    VenueJson.optionalDecimal(item, "best_bid"), VenueJson.optionalDecimal(item, "best_bid_quantity"),
                    VenueJson.optionalDecimal(item, "best_ask"), VenueJson.optionalDecimal(item, "best_ask_quantity"),
                    null, VenueJson.optionalDecimal(item, "high_24_h"), VenueJson.optionalDecimal(item, "low_24_h"),
                    VenueJson.optionalDecimal(item, "volume_24_h"), null, null,
                    VenueJson.optionalSignedDecimal(item, "price_percent_chg_24_h"), nanos, eventTime, receivedAt));
        } catch (VenueJson.FieldException e) {
            return new FrameOutcome.Rejected(TICKER, e.missing() ? RejectReason.MISSING_FIELD : RejectReason.BAD_NUMBER,
                    e.getMessage());
        }
    }

    /** RFC 3339 with up to nanoseconds, {@code 2026-08-09T21:05:48.229198328Z}. */
    private static Instant instant(String timestamp) throws VenueJson.FieldException {
        try {
            Instant at = Instant.parse(timestamp);
            at.toEpochMilli();
            Math.multiplyExact(at.getEpochSecond(), 1_000_000_000L);
            return at;
        } catch (DateTimeParseException | ArithmeticException e) {
            throw new VenueJson.FieldException("'timestamp' is not an RFC 3339 time", false);
        }
    }
}
