package dev.marketdata.api;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.model.Instrument;
import org.apache.camel.Exchange;

/**
 * {@code GET /api/v1/best/{symbol}}: the consolidated best bid and best ask of one instrument across every venue
 * that carries it, each with its venue, size and age. Only live ticks fresher than {@code quality.stale.seconds}
 * count: never a mock entry, a last-known value served while Redis is away, or a tick whose receive time is
 * ahead of this gateway's clock. The venues left out are listed with the reason. {@code crossed} is true when
 * one venue's bid is above another's ask (an arbitrage, or a venue's book lagging).
 */
public class BestPrice {

    public static final String BEAN = "bestPrice";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TickerReader reader;
    private final ApiResponses responses;
    private volatile long staleMillis;

    /** {@code quality.stale.seconds}, changed at run time. */
    public void staleMillis(long millis) {
        this.staleMillis = millis;
    }

    public BestPrice(TickerReader reader, ApiResponses responses, long staleMillis) {
        this.reader = reader;
        this.responses = responses;
        this.staleMillis = staleMillis;
    }

    /** One side's best: the venue's price and size, and how old its tick is. */
    private record Quote(String exchange, String symbol, BigDecimal price, BigDecimal size, long ageMillis, int order) {

        Map<String, Object> json() {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("exchange", exchange);
            out.put("symbol", symbol);
            out.put("price", price.toPlainString());
            out.put("size", size.toPlainString());
            out.put("age_ms", ageMillis);
            return out;
        }
    }

    public void best(Exchange exchange) {
        TickerReader.rejectQuery(exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class));
        responses.data(compute(exchange.getMessage().getHeader("symbol", String.class)), exchange, 200);
    }

    /** The consolidated best of a symbol, as {@code /api/v1/best/{symbol}} answers it (the push API's too). */
    public Map<String, Object> compute(String symbol) {
        List<String> keys = reader.keysOf(symbol, null);
        String normalized = reader.instrument(keys.get(0)).normalized();
        TickerLookup lookup = reader.readKeys(keys);
        List<Object> entries = lookup.entries();
        Quote bid = null;
        Quote ask = null;
        List<String> used = new ArrayList<>();
        List<Map<String, Object>> excluded = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            Instrument instrument = reader.instrument(keys.get(i));
            String why;
            JsonNode tick = entries.get(i) instanceof TickerLookup.RawEntry raw ? parse(raw.json()) : null;
            if (tick == null) {
                why = lookup.missReason(keys.get(i));
            } else if (tick.path("_last_known").asBoolean()) {
                why = "redis_unavailable";
            } else if (tick.path("_clock_ahead").asBoolean()) {
                why = "clock_ahead";
            } else if (tick.path("age_ms").asLong() > staleMillis) {
                why = "stale";
            } else if (!tick.path("bid").isTextual() || !tick.path("ask").isTextual()) {
                why = "no_book";
            } else {
                why = null;
                long age = tick.path("age_ms").asLong();
                Quote b = new Quote(instrument.venue().id(), instrument.symbol(), new BigDecimal(tick.get("bid").asText()),
                        new BigDecimal(tick.path("bid_qty").asText("0")), age, i);
                Quote a = new Quote(instrument.venue().id(), instrument.symbol(), new BigDecimal(tick.get("ask").asText()),
                        new BigDecimal(tick.path("ask_qty").asText("0")), age, i);
                bid = better(b, bid, 1);
                ask = better(a, ask, -1);
                used.add(instrument.venue().id());
            }
            if (why != null) {
                Map<String, Object> left = new LinkedHashMap<>();
                left.put("exchange", instrument.venue().id());
                left.put("symbol", instrument.symbol());
                left.put("reason", why);
                excluded.add(left);
            }
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("symbol", normalized);
        data.put("bid", bid == null ? null : bid.json());
        data.put("ask", ask == null ? null : ask.json());
        data.put("spread", bid == null ? null : ask.price().subtract(bid.price()).toPlainString());
        data.put("crossed", bid != null && bid.price().compareTo(ask.price()) > 0);
        data.put("venues", used);
        data.put("excluded", excluded);
        data.put("reason", bid == null ? "no venue has a live tick with a book top fresher than quality.stale.seconds ("
                + staleMillis / 1000 + " s)" : null);
        return data;
    }

    /**
     * The better of two quotes of one side ({@code sign} 1: the higher bid; -1: the lower ask); on a tie the
     * larger size, then the fresher tick, then the venue listed first.
     */
    private static Quote better(Quote candidate, Quote best, int sign) {
        if (best == null) {
            return candidate;
        }
        int byPrice = candidate.price().compareTo(best.price()) * sign;
        if (byPrice != 0) {
            return byPrice > 0 ? candidate : best;
        }
        int bySize = candidate.size().compareTo(best.size());
        if (bySize != 0) {
            return bySize > 0 ? candidate : best;
        }
        return candidate.ageMillis() < best.ageMillis() ? candidate : best;
    }

    /** The entry as served (checked before, so it parses); null if it does not. */
    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            return null;
        }
    }
}
