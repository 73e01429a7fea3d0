package dev.marketdata.pipeline;

import org.apache.camel.builder.RouteBuilder;

/**
 * The data-quality side routes: the periodic check (stale symbols, clearing, reporting), and, when
 * {@code quality.alert.uri} is set, the alert route that turns each report of raised or cleared alerts into
 * JSON and sends it there (any Camel endpoint: a Kafka topic, a webhook, a mail, a log).
 */
public class QualityRoutes extends RouteBuilder {

    @Override
    public void configure() {
        onException(Exception.class).handled(true)
                .log(org.apache.camel.LoggingLevel.WARN, QualityRoutes.class.getName(),
                        "Data-quality route failed: ${exception.message}");

        from("timer:quality-check?delay={{quality.check-interval-ms}}&period={{quality.check-interval-ms}}")
                .routeId("quality-check")
                .bean(QualityMonitor.BEAN, "check");

        if (alertsConfigured(getContext())) {
            from(QualityMonitor.ALERT_ROUTE).routeId("quality-alerts")
                    .marshal().json()
                    .convertBodyTo(String.class)
                    .to("{{quality.alert.uri}}");
        }
    }

    /** Whether alerts go to an endpoint besides the log; by default they do not (the WARN lines say it all). */
    public static boolean alertsConfigured(org.apache.camel.CamelContext context) {
        return context.getPropertiesComponent().resolveProperty("quality.alert.uri").filter(u -> !u.isBlank()).isPresent();
    }
}
