package dev.marketdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import dev.marketdata.kafka.KafkaTickPublisher;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

/** kafka.*: off unless kafka.bootstrap-servers is set, the defaults, and the producer settings derived from them. */
class KafkaSettingsTest {

    @Test
    void offByDefaultAndThenNothingElseOfItIsRead() {
        assertFalse(KafkaSettings.from(Map.<String, String>of()::get).enabled());
        // A bad value of a feature that is off stops nothing, as a venue's block outside exchanges does not.
        KafkaSettings off = KafkaSettings.from(Map.of("kafka.bootstrap-servers", " ", "kafka.topic", "no/such", "kafka.linger", "x")::get);
        assertFalse(off.enabled());
        assertEquals(KafkaSettings.OFF, off);
    }

    @Test
    void onWithTheDefaults() {
        KafkaSettings k = KafkaSettings.from(Map.of("kafka.bootstrap-servers", "kafka-1:9092, 10.0.0.7:9093,[::1]:9094")::get);
        assertTrue(k.enabled());
        assertEquals(List.of("kafka-1:9092", "10.0.0.7:9093", "[::1]:9094"), k.bootstrapServers());
        assertEquals("kafka-1:9092,10.0.0.7:9093,[::1]:9094", k.servers());
        assertEquals("market-data.ticks", k.topic());
        assertEquals(5, k.lingerMillis());
        assertEquals(30_000, k.deliveryMillis());
    }

    @Test
    void theProducerIsIdempotentAndItsRequestTimeoutFitsTheDeliveryTimeout() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        assertEquals("&requestRequiredAcks=all&enableIdempotence=true&recordMetadata=true&lingerMs=5&deliveryTimeoutMs=30000"
                + "&requestTimeoutMs=29995&maxBlockMs=30000",
                new KafkaTickPublisher(null, "k:9092", "t", 5, 30_000, registry).producerOptions());
        // Kafka refuses a delivery timeout below linger + request timeout: the shortest allowed still fits.
        assertEquals("&requestRequiredAcks=all&enableIdempotence=true&recordMetadata=true&lingerMs=1000&deliveryTimeoutMs=2000"
                + "&requestTimeoutMs=1000&maxBlockMs=2000",
                new KafkaTickPublisher(null, "k:9092", "t", 1_000, 2_000, new SimpleMeterRegistry()).producerOptions());
        assertEquals("&requestRequiredAcks=all&enableIdempotence=true&recordMetadata=true&lingerMs=0&deliveryTimeoutMs=600000"
                + "&requestTimeoutMs=30000&maxBlockMs=600000",
                new KafkaTickPublisher(null, "k:9092", "t", 0, 600_000, new SimpleMeterRegistry()).producerOptions());
        // Off: the meters only, at zero.
        KafkaTickPublisher off = KafkaTickPublisher.off(registry);
        assertFalse(off.enabled());
        assertEquals(0, off.pending());
    }
}
