package dev.marketdata;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.marketdata.kafka.KafkaTickPublisher;

/**
 * Optional Kafka ({@code kafka.*}): every stored tick also to a topic. Off while {@code kafka.bootstrap-servers} is
 * empty, the default; then nothing else of it is read, as a venue not among the exchanges is not (a bad value there
 * stops nothing).
 *
 * @param bootstrapServers the brokers to start from, {@code host:port} each; empty when off
 * @param topic            the topic every stored tick goes to
 * @param lingerMillis     how long the producer waits to fill a request
 * @param deliveryMillis   how long a tick may wait for Kafka's acknowledgement, retries included
 */
record KafkaSettings(List<String> bootstrapServers, String topic, long lingerMillis, long deliveryMillis) {

    static final KafkaSettings OFF = new KafkaSettings(List.of(), KafkaTickPublisher.DEFAULT_TOPIC, 0, 0);
    /** A host name, an IPv4 address or a bracketed IPv6 one, then a port: what Kafka's clients take. */
    private static final Pattern SERVER = Pattern.compile("([A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+\\]):([0-9]{1,5})");
    /** Kafka's own rule for a topic name. */
    private static final Pattern TOPIC = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    KafkaSettings {
        bootstrapServers = List.copyOf(bootstrapServers);
    }

    boolean enabled() {
        return !bootstrapServers.isEmpty();
    }

    /** As Kafka's {@code bootstrap.servers} takes them. */
    String servers() {
        return String.join(",", bootstrapServers);
    }

    static KafkaSettings from(Function<String, String> property) {
        String raw = GatewaySettings.text(property, "kafka.bootstrap-servers", "");
        if (raw.isEmpty()) {
            return OFF;
        }
        List<String> servers = new ArrayList<>();
        for (String part : raw.split(",", -1)) {
            String server = part.trim();
            Matcher m = SERVER.matcher(server);
            if (!m.matches()) {
                throw GatewaySettings.invalid("kafka.bootstrap-servers", raw, "'" + server + "' is not host:port (a comma-separated "
                        + "list such as kafka-1:9092,kafka-2:9092)");
            }
            int port = Integer.parseInt(m.group(3));
            if (port < 1 || port > 65_535) {
                throw GatewaySettings.invalid("kafka.bootstrap-servers", raw, "'" + server + "' has port " + port + "; a port is 1-65535");
            }
            servers.add(server);
        }
        String topic = GatewaySettings.text(property, "kafka.topic", KafkaTickPublisher.DEFAULT_TOPIC);
        if (!TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw GatewaySettings.invalid("kafka.topic", topic, "is not a Kafka topic name (1-249 letters, digits, '.', '_' or '-', "
                    + "not '.' or '..')");
        }
        long linger = GatewaySettings.duration(property, "kafka.linger", "5ms", 0, 1_000);
        // At least 2 s, so that a request timeout of a second fits beside the longest linger (Kafka refuses a delivery
        // timeout below linger + request timeout).
        long delivery = GatewaySettings.duration(property, "kafka.delivery-timeout", "30s", 2_000, 600_000);
        return new KafkaSettings(servers, topic, linger, delivery);
    }
}
