package dev.marketdata.kafka;

import org.apache.camel.ShutdownRoute;
import org.apache.camel.builder.RouteBuilder;

/**
 * {@code kafka-ticks}: the batches of stored ticks {@link KafkaTickPublisher} hands over, to {@code kafka.topic} at
 * {@code kafka.bootstrap-servers}, one record per tick. Built only when Kafka is configured: otherwise there is no
 * route, no endpoint and no Kafka client.
 */
public class KafkaRoutes extends RouteBuilder {

    @Override
    public void configure() {
        KafkaTickPublisher publisher = getContext().getRegistry().lookupByNameAndType(KafkaTickPublisher.BEAN,
                KafkaTickPublisher.class);
        if (publisher == null || !publisher.enabled()) {
            return;
        }
        from(KafkaTickPublisher.ENTRY).routeId("kafka-ticks")
                // What Kafka did not take is the publisher's to count, log (rate-limited) and send again, per tick: no
                // error handler's redelivery or stack trace here (the producer retries within the delivery timeout).
                .errorHandler(noErrorHandler())
                // Stopped after the ingest routes, so that the ticks they were storing can still go out.
                .shutdownRoute(ShutdownRoute.Defer)
                .to("kafka:{{kafka.topic:" + KafkaTickPublisher.DEFAULT_TOPIC + "}}?brokers={{kafka.bootstrap-servers}}"
                        + publisher.producerOptions());
    }
}
