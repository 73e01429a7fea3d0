package dev.marketdata.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.marketdata.pipeline.QualityMonitor;
import org.apache.camel.Exchange;
import org.apache.camel.health.HealthCheck;

/**
 * {@code GET /api/v1/health}: the gateway's health checks summed up for API consumers. {@code healthy}
 * when all are up; {@code degraded} (HTTP 200) when some are down but the API still has live data to
 * give; {@code unhealthy} (HTTP 503) when Redis is down and the feed too, so every answer would be mock.
 */
public class HealthReport {

    public static final String BEAN = "healthReport";

    private final HealthCheck redis;
    private final List<HealthCheck> feeds;
    private final HealthCheck freshness;
    private final QualityMonitor quality;
    private final ApiResponses responses;
    private final String version;
    private final java.util.function.Supplier<Map<String, Object>> config;
    private volatile java.util.function.Supplier<Map<String, Object>> stream = () -> null;
    private volatile java.util.function.Supplier<Map<String, Object>> cluster = () -> null;

    /** @param feeds one check per enabled venue, in the order of {@code exchanges} */
    public HealthReport(HealthCheck redis, List<HealthCheck> feeds, HealthCheck freshness, QualityMonitor quality,
            ApiResponses responses, String version) {
        this(redis, feeds, freshness, quality, responses, version, () -> null);
    }

    /** @param config the live configuration's generation, when it was applied, and whether the file matches it */
    public HealthReport(HealthCheck redis, List<HealthCheck> feeds, HealthCheck freshness, QualityMonitor quality,
            ApiResponses responses, String version, java.util.function.Supplier<Map<String, Object>> config) {
        this.config = config;
        this.redis = redis;
        this.feeds = List.copyOf(feeds);
        this.freshness = freshness;
        this.quality = quality;
        this.responses = responses;
        this.version = version;
    }

    /** Which venues this instance leads and who leads the others, for the health document. */
    public void cluster(java.util.function.Supplier<Map<String, Object>> details) {
        this.cluster = details;
    }

    /** The push API's clients and subscriptions, for the health document. */
    public void stream(java.util.function.Supplier<Map<String, Object>> details) {
        this.stream = details;
    }

    public void report(Exchange exchange) {
        TickerReader.rejectQuery(exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class));
        HealthCheck.Result redisResult = redis.call();
        Map<String, Object> perVenue = new LinkedHashMap<>();
        HealthCheck.Result feedResult = null;
        boolean feedUp = true;
        boolean anyFeedUp = false;
        for (HealthCheck check : feeds) {
            HealthCheck.Result result = check.call();
            boolean up = result.getState() == HealthCheck.State.UP;
            perVenue.put(check.getId().substring(FEED_PREFIX.length()), component(result, FEED_FIELDS));
            // "feed" shows the first venue that is down, else the first venue: with one venue, that venue.
            if (feedResult == null || feedUp && !up) {
                feedResult = result;
            }
            feedUp &= up;
            anyFeedUp |= up;
        }
        HealthCheck.Result freshResult = freshness.call();
        boolean redisUp = redisResult.getState() == HealthCheck.State.UP;
        boolean freshUp = freshResult.getState() == HealthCheck.State.UP;
        String status = redisUp && feedUp && freshUp ? "healthy" : !redisUp && !anyFeedUp ? "unhealthy" : "degraded";
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", status);
        data.put("version", version);
        data.put("redis", component(redisResult, REDIS_FIELDS));
        data.put("feed", component(feedResult, FEED_FIELDS));
        data.put("feeds", perVenue);
        data.put("freshness", component(freshResult, FRESHNESS_FIELDS));
        Map<String, String> alerts = quality.activeAlertDetails();
        data.put("alerts", alerts.size() <= GatewayHealthChecks.LISTED ? alerts
                : alerts.entrySet().stream().limit(GatewayHealthChecks.LISTED).collect(LinkedHashMap::new,
                        (m, e) -> m.put(e.getKey(), e.getValue()), Map::putAll));
        data.put("alerts_count", alerts.size());
        data.put("config", config.get());
        data.put("stream", stream.get());
        data.put("cluster", cluster.get());
        if ("unhealthy".equals(status)) {
            responses.failure(exchange, 503, "UNHEALTHY", "Redis and every venue's feed are down: every answer would be mock", data);
        } else {
            responses.data(data, exchange, 200);
        }
    }

    /** Every component has the same fields in every answer, null where a value is not known (or not there). */
    private static final List<String> REDIS_FIELDS = List.of("mode", "server", "error");
    private static final List<String> FEED_FIELDS = List.of("role", "leader", "connected", "endpoint", "proxy", "connection_age_s",
            "last_frame_age_ms", "connects", "failed_connects", "ingest_suspended", "last_error");
    private static final List<String> FRESHNESS_FIELDS = List.of("stale_symbols", "stale_count", "stale_after_s",
            "held_symbols", "held_count", "sequence_resets");

    private static final String FEED_PREFIX = "feed-";

    private static Map<String, Object> component(HealthCheck.Result result, List<String> fields) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", result.getState() == HealthCheck.State.UP ? "up" : "down");
        for (String field : fields) {
            out.put(field, result.getDetails().get(field));
        }
        return out;
    }
}
