package dev.marketdata.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

import dev.marketdata.binance.BinanceFeed;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.ServiceStatus;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * {@code GET /api/v1/health}: healthy when Redis answers PING and the feed is connected and delivering;
 * degraded when either is not (the API still answers, with mock entries where needed).
 */
public class HealthReport {

    public static final String BEAN = "healthReport";

    private final StringRedisTemplate redis;
    private final BinanceFeed feed;
    private final ApiResponses responses;
    private final String version;
    private final long idleMillis;
    private final LongSupplier clock;

    public HealthReport(StringRedisTemplate redis, BinanceFeed feed, ApiResponses responses, String version,
            long idleMillis, LongSupplier clock) {
        this.redis = redis;
        this.feed = feed;
        this.responses = responses;
        this.version = version;
        this.idleMillis = idleMillis;
        this.clock = clock;
    }

    public void report(Exchange exchange) {
        long now = clock.getAsLong();
        Map<String, Object> redisState = redisState();
        Map<String, Object> feedState = feedState(exchange.getContext(), now);
        boolean healthy = "up".equals(redisState.get("status")) && "up".equals(feedState.get("status"));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", healthy ? "healthy" : "degraded");
        data.put("version", version);
        data.put("timestamp", now);
        data.put("redis", redisState);
        data.put("feed", feedState);
        responses.data(data, exchange, 200);
    }

    private Map<String, Object> redisState() {
        Map<String, Object> state = new LinkedHashMap<>();
        try {
            String pong = redis.execute(connection -> connection.ping(), true);
            state.put("status", "PONG".equalsIgnoreCase(pong) ? "up" : "down");
        } catch (RuntimeException e) {
            state.put("status", "down");
            state.put("error", e.getClass().getSimpleName());
        }
        return state;
    }

    /** Up when the ingest route runs and a frame came within the idle window (or it started within it). */
    Map<String, Object> feedState(CamelContext context, long now) {
        Map<String, Object> state = new LinkedHashMap<>();
        ServiceStatus route = context.getRouteController().getRouteStatus(BinanceFeed.INGEST_ROUTE);
        long lastFrame = feed.lastFrameAt();
        var ingest = context.getRoute(BinanceFeed.INGEST_ROUTE);
        long startedAgo = ingest == null ? Long.MAX_VALUE : ingest.getUptimeMillis();
        boolean running = route != null && route.isStarted();
        boolean fresh = lastFrame > 0 ? now - lastFrame <= idleMillis : startedAgo <= idleMillis;
        state.put("status", running && fresh ? "up" : "down");
        state.put("connected", running);
        state.put("endpoint", feed.endpoint());
        state.put("proxy", feed.activeProxy().toString());
        state.put("last_frame_age_ms", lastFrame > 0 ? now - lastFrame : null);
        state.put("failed_connects", feed.failedConnects());
        if (feed.lastError() != null) {
            state.put("last_error", feed.lastError());
        }
        return state;
    }
}
