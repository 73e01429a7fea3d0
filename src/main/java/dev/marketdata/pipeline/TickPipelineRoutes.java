package dev.marketdata.pipeline;

import java.util.List;

import dev.marketdata.model.FrameBatch;
import dev.marketdata.model.FrameOutcome;
import org.apache.camel.Exchange;
import org.apache.camel.Predicate;
import org.apache.camel.builder.RouteBuilder;

/**
 * The tick pipeline, which knows no venue: a batch of frames' outcomes, as the venue's mapper made them (in the
 * feed's consumer, per connection) → validated → quality → counted → newest-wins write to Redis. Every step is
 * one named bean that judges each outcome of the batch on its own; a failure of one frame is logged
 * (rate-limited), drops that frame only, and never stops the route.
 */
public class TickPipelineRoutes extends RouteBuilder {

    public static final String ENTRY = "direct:tick-pipeline";
    /** Whether the batch still holds a tick to store once the steps before the store had their say. */
    private static final Predicate HAS_TICKS = exchange -> exchange.getMessage().getBody(FrameBatch.class).hasTicks();

    @Override
    public void configure() {
        getContext().getTypeConverterRegistry().addTypeConverter(FrameBatch.class, FrameOutcome.class,
                new org.apache.camel.support.TypeConverterSupport() {
                    @Override
                    public <T> T convertTo(Class<T> type, Exchange exchange, Object value) {
                        // When its frame arrived is not known: no ingest latency is recorded for it.
                        return type.cast(FrameBatch.of(List.of((FrameOutcome) value), 0));
                    }
                });
        onException(Exception.class)
                .handled(true)
                .process(exchange -> {
                    Throwable cause = exchange.getProperty(org.apache.camel.Exchange.EXCEPTION_CAUGHT, Throwable.class);
                    StepFailures.log(cause);
                });

        from(ENTRY).routeId("tick-pipeline")
                // A single outcome (a test's, a replayed frame's) is a batch of one.
                .convertBodyTo(FrameBatch.class)
                .bean(TickValidator.BEAN, "validateAll")
                .bean(QualityMonitor.BEAN, "inspectAll")
                .bean(IngestRecorder.BEAN, "recordAll")
                .filter(HAS_TICKS)
                    .bean(LatestTickStore.BEAN, "ingestAll")
                .end();

        from("timer:redis-reconcile?delay={{redis.reconcile-interval}}&period={{redis.reconcile-interval}}")
                .routeId("redis-reconcile")
                .bean(LatestTickStore.BEAN, "reconcile");
    }
}
