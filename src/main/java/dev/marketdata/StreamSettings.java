package dev.marketdata;

import java.util.LinkedHashSet;
import java.util.Set;
import java.util.function.Function;

import dev.marketdata.api.TickStream;

/** The push API ({@code stream.*}): its limits, its keys and the browser origins it takes. */
final class StreamSettings {

    private static final java.util.regex.Pattern ORIGIN = java.util.regex.Pattern.compile(
            "(?i)https?://[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?|(?i)https?://\\[[0-9a-f:.]+\\](:[0-9]{1,5})?");

    private StreamSettings() {
    }

    static TickStream.Limits from(Function<String, String> property) {
        int maxClients = GatewaySettings.integer(property, "stream.max-clients", 1_000, 1, 100_000);
        int maxSubscriptions = GatewaySettings.integer(property, "stream.max-subscriptions-per-client", 1_000, 1, 100_000);
        int maxMessages = GatewaySettings.integer(property, "stream.max-messages-per-second", 10, 1, 10_000);
        long timeout = GatewaySettings.duration(property, "stream.client-timeout", "10s", 100, 600_000);
        long heartbeat = GatewaySettings.duration(property, "stream.heartbeat-interval", "10s", 100, 600_000);
        String keys = GatewaySettings.secret(property, "stream.api-keys", "stream.api-keys-file", true);
        Set<String> apiKeys = new LinkedHashSet<>();
        for (String key : keys.split(",")) {
            if (!key.isBlank()) {
                apiKeys.add(key.trim());
            }
        }
        Set<String> origins = new LinkedHashSet<>();
        String allowed = GatewaySettings.text(property, "stream.allowed-origins", "");
        for (String origin : allowed.split(",")) {
            if (origin.isBlank()) {
                continue;
            }
            String o = origin.trim();
            // What a browser sends: scheme, host and a port only; a path or a trailing '/' would never match.
            if (!ORIGIN.matcher(o).matches()) {
                throw GatewaySettings.invalid("stream.allowed-origins", allowed, "'" + o + "' is not an origin as browsers send it: "
                        + "http:// or https://, a host and an optional port, nothing after (https://desk.example.com:8443)");
            }
            origins.add(o.toLowerCase(java.util.Locale.ROOT));
        }
        return new TickStream.Limits(maxClients, maxSubscriptions, maxMessages, timeout, heartbeat, Set.copyOf(apiKeys),
                Set.copyOf(origins));
    }
}
