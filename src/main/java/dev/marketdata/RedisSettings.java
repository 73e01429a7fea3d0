package dev.marketdata;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the ticks live and how they are kept: the Redis server (or the sentinels that name it) and its credentials,
 * the key TTL, the newer-than guard's reset bound, the shutdown flush bound and Binance's original keys
 * ({@code redis.*}, {@code tick.*}).
 *
 * @param sentinel {@code redis.sentinel.*}: the master is asked of these sentinels instead of {@code redis.host};
 *                 {@link Sentinel#OFF} when {@code redis.sentinel.master} is empty
 */
public record RedisSettings(String host, int port, String username, String password, boolean ssl, int database,
        boolean embedded, int timeoutMs, int tickTtlSeconds, long sequenceResetAfterMillis, long shutdownFlushMillis,
        boolean legacyKeys, Sentinel sentinel) {

    /** One sentinel's address; an IPv6 address is written in brackets. */
    public record Node(String host, int port) {
        @Override
        public String toString() {
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        }
    }

    /**
     * Redis Sentinel: the master's name as the sentinels know it, the sentinels to ask (in order), and their own
     * password ("" for none; a secret, never shown). The master's credentials are {@code redis.username} /
     * {@code redis.password}, as without sentinels.
     */
    public record Sentinel(String master, List<Node> nodes, String password) {
        public static final Sentinel OFF = new Sentinel("", List.of(), "");

        public Sentinel {
            nodes = List.copyOf(nodes);
        }

        public boolean on() {
            return !master.isEmpty();
        }

        /** Never shows the password. */
        @Override
        public String toString() {
            return on() ? "sentinel master '" + master + "' via " + nodes + (password.isEmpty() ? "" : " (sentinel password ***)")
                    : "no sentinel";
        }
    }

    /** host:port, or [IPv6]:port: what a sentinel's address may look like here. */
    private static final Pattern NODE = Pattern.compile("(?:\\[([0-9A-Fa-f:.]+)]|([A-Za-z0-9._-]+)):(\\d{1,5})");

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
                flushTimeout, legacyKeys, sentinel(property));
    }

    /**
     * {@code redis.sentinel.*}. Sentinels without a master name are refused rather than ignored: the gateway would
     * otherwise write to {@code redis.host} (or an embedded Redis started there) while the operator believes it
     * follows the sentinels' master.
     */
    static Sentinel sentinel(Function<String, String> property) {
        String master = GatewaySettings.text(property, "redis.sentinel.master", "");
        String nodesText = GatewaySettings.text(property, "redis.sentinel.nodes", "");
        if (master.isEmpty()) {
            if (!nodesText.replace(",", "").isBlank()) {
                throw GatewaySettings.invalid("redis.sentinel.master", "", "redis.sentinel.nodes is set; name the master "
                        + "the sentinels watch, or empty redis.sentinel.nodes to use redis.host");
            }
            return Sentinel.OFF;
        }
        // Sentinel's own configuration splits on spaces: a name with one (or a control character) cannot be a master's.
        if (!master.matches("[\\x21-\\x7e]{1,128}")) {
            throw GatewaySettings.invalid("redis.sentinel.master", master, "must be the master's name as the sentinels "
                    + "know it (up to 128 printable characters, no spaces)");
        }
        List<Node> nodes = new ArrayList<>();
        for (String part : nodesText.split(",")) {
            String text = part.trim();
            if (text.isEmpty()) {
                continue;
            }
            Matcher m = NODE.matcher(text);
            if (!m.matches()) {
                throw GatewaySettings.invalid("redis.sentinel.nodes", nodesText, "'" + text + "' is not host:port (a "
                        + "sentinel's address, for example 10.0.0.5:26379 or [::1]:26379)");
            }
            int port = Integer.parseInt(m.group(3));
            if (port < 1 || port > 65535) {
                throw GatewaySettings.invalid("redis.sentinel.nodes", nodesText, "'" + text + "' has port " + port
                        + "; a port is 1-65535");
            }
            Node node = new Node(m.group(1) != null ? m.group(1) : m.group(2), port);
            if (nodes.contains(node)) {
                throw GatewaySettings.invalid("redis.sentinel.nodes", nodesText, "names " + node + " twice");
            }
            nodes.add(node);
        }
        if (nodes.isEmpty()) {
            throw GatewaySettings.invalid("redis.sentinel.nodes", nodesText, "lists no sentinel; redis.sentinel.master "
                    + "is set, so list its sentinels as host:port,host:port");
        }
        // The sentinels' own password (requirepass on the sentinels), apart from the master's redis.password.
        String password = GatewaySettings.secret(property, "redis.sentinel.password", "redis.sentinel.password-file", false);
        return new Sentinel(master, nodes, password);
    }

    /** Never shows a password. */
    @Override
    public String toString() {
        String where = sentinel.on() ? sentinel + (ssl ? " over TLS" : "") + " db " + database
                : (ssl ? "rediss://" : "redis://") + host + ":" + port + "/" + database;
        return where + " user=" + username
                + " password=" + (password.isEmpty() ? "" : "***") + " ttl=" + tickTtlSeconds + "s";
    }
}
