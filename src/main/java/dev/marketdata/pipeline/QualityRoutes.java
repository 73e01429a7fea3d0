package dev.marketdata.pipeline;

import org.apache.camel.builder.RouteBuilder;

/**
 * The data-quality side routes: a periodic stale-symbol check, and the alert route that turns each raised
 * or cleared alert into JSON and sends it to {@code quality.alert.uri} (any Camel endpoint: a log, a Kafka
 * topic, a webhook, a mail).
 */
public class QualityRoutes extends RouteBuilder {

    @Override
    public void configure() {
        onException(Exception.class).handled(true)
                .log(org.apache.camel.LoggingLevel.WARN, QualityRoutes.class.getName(),
                        "Data-quality route failed: ${exception.message}");

        from("timer:quality-check?delay={{quality.check-interval-ms}}&period={{quality.check-interval-ms}}")
                .routeId("quality-check")
                .bean(QualityMonitor.BEAN, "checkStale");

        from(QualityMonitor.ALERT_ROUTE).routeId("quality-alerts")
                .marshal().json()
                .convertBodyTo(String.class)
                .to("{{quality.alert.uri}}");
    }
}
