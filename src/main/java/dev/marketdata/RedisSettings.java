package dev.marketdata;

import java.util.function.Function;

/**
 * Where the ticks live and how they are kept: the Redis server and its credentials, the key TTL, the newer-than
 * guard's reset bound, the shutdown flush bound and Binance's original keys ({@code redis.*}, {@code tick.*}).
 */
public record RedisSettings(String host, int port, String username, String password, boolean ssl, int database,
        boolean embedded, int timeoutMs, int tickTtlSeconds, long sequenceResetAfterMillis, long shutdownFlushMillis,
        boolean legacyKeys) {

    static RedisSettings from(Function<String, String> property) {
        String host = GatewaySettings.text(property, "redis.host", "localhost");
        if (!host.matches("[A-Za-z0-9._:\\[\\]-]+")) {
            throw GatewaySettings.invalid("redis.host", String.valueOf(property.apply("redis.host")), "must be a host name or address");
        }
        int port = GatewaySettings.integer(property, "redis.port", 6379, 1, 65535);
        String username = GatewaySettings.text(property, "redis.username", "");
        // A secret can come from a file (or an environment variable, as every property can), so that no JMX client
        // reads it among the JVM's arguments and system properties.
        String password = GatewaySettings.secret(property, "redis.password", "redis.password-file", false);
        boolean ssl = GatewaySettings.bool(property, "redis.ssl", false);
        int database = GatewaySettings.integer(property, "redis.database", 0, 0, 15);
        boolean embedded = GatewaySettings.bool(property, "redis.embedded", true);
        int timeout = GatewaySettings.integer(property, "redis.timeout-ms", 1000, 50, 60_000);
        int ttl = GatewaySettings.integer(property, "tick.ttl.seconds", 60, 1, 86_400 * 30);
        // Up to this long a lower sequence is taken for out-of-order delivery and refused; after it, for a reset.
        long resetAfter = GatewaySettings.duration(property, "tick.sequence-reset-after", "5s", 0, 3_600_000);
        long flushTimeout = GatewaySettings.duration(property, "redis.shutdown-flush-timeout", "5s", 0, 600_000);
        // Used in a timer URI as it is written; checked here so that a bad one is named, not a timer failure.
        GatewaySettings.duration(property, "redis.reconcile-interval", "1000", 50, 3_600_000);
        boolean legacyKeys = GatewaySettings.bool(property, "redis.legacy-keys", true);
        return new RedisSettings(host, port, username, password, ssl, database, embedded, timeout, ttl, resetAfter,
                flushTimeout, legacyKeys);
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return (ssl ? "rediss://" : "redis://") + host + ":" + port + "/" + database + " user=" + username
                + " password=" + (password.isEmpty() ? "" : "***") + " ttl=" + tickTtlSeconds + "s";
    }
}
