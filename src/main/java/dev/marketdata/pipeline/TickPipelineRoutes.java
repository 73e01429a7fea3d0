package dev.marketdata.pipeline;

import dev.marketdata.feed.RateLimitedLog;
import org.apache.camel.builder.RouteBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tick pipeline, which knows no venue: a frame's outcome, as the venue's mapper made it (in the feed's
 * consumer, per connection) → validated → quality → counted → newest-wins write to Redis. Every step is one
 * named bean; a failure of one frame is counted and logged (rate-limited) and never stops the route.
 */
public class TickPipelineRoutes extends RouteBuilder {

    public static final String ENTRY = "direct:tick-pipeline";
    private static final Logger LOG = LoggerFactory.getLogger(TickPipelineRoutes.class);
    private final RateLimitedLog failureLog = new RateLimitedLog(LOG, 10_000);

    @Override
    public void configure() {
        onException(Exception.class)
                .handled(true)
                .process(exchange -> {
                    Throwable cause = exchange.getProperty(org.apache.camel.Exchange.EXCEPTION_CAUGHT, Throwable.class);
                    failureLog.warn("pipeline", "Tick pipeline failed for one frame: {}", Failures.describe(cause));
                });

        from(ENTRY).routeId("tick-pipeline")
                .bean(TickValidator.BEAN, "validate")
                .bean(QualityMonitor.BEAN, "inspect")
                .bean(IngestRecorder.BEAN, "record")
                .filter(body().isNotNull())
                    .bean(LatestTickStore.BEAN, "ingest")
                .end();

        from("timer:redis-reconcile?delay={{redis.reconcile-interval}}&period={{redis.reconcile-interval}}")
                .routeId("redis-reconcile")
                .bean(LatestTickStore.BEAN, "reconcile");
    }
}
