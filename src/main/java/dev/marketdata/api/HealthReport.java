package dev.marketdata.api;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

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
    private final HealthCheck feed;
    private final HealthCheck freshness;
    private final QualityMonitor quality;
    private final ApiResponses responses;
    private final String version;
    private final LongSupplier clock;

    public HealthReport(HealthCheck redis, HealthCheck feed, HealthCheck freshness, QualityMonitor quality,
            ApiResponses responses, String version, LongSupplier clock) {
        this.redis = redis;
        this.feed = feed;
        this.freshness = freshness;
        this.quality = quality;
        this.responses = responses;
        this.version = version;
        this.clock = clock;
    }

    public void report(Exchange exchange) {
        TickerReader.rejectQuery(exchange.getMessage().getHeader(Exchange.HTTP_QUERY, String.class));
        HealthCheck.Result redisResult = redis.call();
        HealthCheck.Result feedResult = feed.call();
        HealthCheck.Result freshResult = freshness.call();
        boolean redisUp = redisResult.getState() == HealthCheck.State.UP;
        boolean feedUp = feedResult.getState() == HealthCheck.State.UP;
        boolean freshUp = freshResult.getState() == HealthCheck.State.UP;
        String status = redisUp && feedUp && freshUp ? "healthy" : !redisUp && !feedUp ? "unhealthy" : "degraded";
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", status);
        data.put("version", version);
        data.put("timestamp", clock.getAsLong());
        data.put("redis", component(redisResult));
        data.put("feed", component(feedResult));
        data.put("freshness", component(freshResult));
        Map<String, String> alerts = quality.activeAlertDetails();
        data.put("alerts", alerts.size() <= GatewayHealthChecks.LISTED ? alerts
                : alerts.entrySet().stream().limit(GatewayHealthChecks.LISTED).collect(LinkedHashMap::new,
                        (m, e) -> m.put(e.getKey(), e.getValue()), Map::putAll));
        data.put("alerts_count", alerts.size());
        responses.data(data, exchange, "unhealthy".equals(status) ? 503 : 200);
    }

    private static Map<String, Object> component(HealthCheck.Result result) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("status", result.getState() == HealthCheck.State.UP ? "up" : "down");
        result.getDetails().forEach((key, value) -> {
            // Camel adds its own bookkeeping (invocation counts, times); keep the gateway's details.
            if (!key.startsWith("invocation") && !key.startsWith("failure") && !key.startsWith("success")
                    && !key.equals("check.id") && !key.equals("check.group") && !key.equals("check.kind")) {
                out.put(key, value);
            }
        });
        return out;
    }
}
