package dev.marketdata;

import java.util.Locale;
import java.util.function.Function;

/**
 * Running several instances ({@code cluster.*}): which of Camel's cluster services elects, per venue, the one
 * instance that ingests it, and that service's settings. {@code none} (the default) is a single instance that
 * ingests every venue, as before there was a choice.
 *
 * @param service    none, file, kubernetes or zookeeper
 * @param instanceId this instance's name in health, logs and Redis' leader keys ({@code cluster.instance-id})
 */
public record ClusterSettings(String service, String instanceId, FileLock file, Kubernetes kubernetes, ZooKeeper zookeeper) {

    public static final java.util.List<String> SERVICES = java.util.List.of("none", "file", "kubernetes", "zookeeper");

    /**
     * camel-file's lock on {@code <root>/market-data-<venue>}: the holder writes a heartbeat every interval; the
     * others take over once it is older than interval x multiplier (a killed holder), or at their next interval
     * when the holder released it (a graceful stop).
     */
    public record FileLock(String root, long acquireLockIntervalMillis, int heartbeatTimeoutMultiplier) {
    }

    /** A Lease per venue in the namespace; its timings are client-go's (lease, renew deadline, retry period). */
    public record Kubernetes(String namespace, String masterUrl, String resourceName, String podName,
            long leaseDurationMillis, long renewDeadlineMillis, long retryPeriodMillis) {
    }

    /** A Curator leader latch per venue under the base path. */
    public record ZooKeeper(String nodes, String basePath, long sessionTimeoutMillis, long connectTimeoutMillis) {
    }

    public boolean clustered() {
        return !"none".equals(service);
    }

    static ClusterSettings from(Function<String, String> property) {
        String service = GatewaySettings.text(property, "cluster.service", "none").toLowerCase(Locale.ROOT);
        if (!SERVICES.contains(service)) {
            throw GatewaySettings.invalid("cluster.service", service, "must be one of " + String.join(", ", SERVICES));
        }
        String instance = GatewaySettings.text(property, "cluster.instance-id", "");
        if (instance.isEmpty()) {
            instance = defaultInstanceId();
        } else if (!instance.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
            throw GatewaySettings.invalid("cluster.instance-id", instance,
                    "must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }
        FileLock file = null;
        Kubernetes kubernetes = null;
        ZooKeeper zookeeper = null;
        // Only the chosen service's settings are read: another's cannot stop start-up.
        switch (service) {
            case "file" -> {
                String root = GatewaySettings.text(property, "cluster.file.root", "");
                if (root.isEmpty()) {
                    throw GatewaySettings.invalid("cluster.file.root", root,
                            "is required with cluster.service=file: a directory every instance can lock files in");
                }
                long interval = GatewaySettings.duration(property, "cluster.file.acquire-lock-interval", "1s", 100, 60_000);
                int multiplier = GatewaySettings.integer(property, "cluster.file.heartbeat-timeout-multiplier", 4, 2, 100);
                file = new FileLock(root, interval, multiplier);
            }
            case "kubernetes" -> {
                long lease = GatewaySettings.duration(property, "cluster.kubernetes.lease-duration", "10s", 1_000, 600_000);
                long renew = GatewaySettings.duration(property, "cluster.kubernetes.renew-deadline", "8s", 500, 600_000);
                long retry = GatewaySettings.duration(property, "cluster.kubernetes.retry-period", "2s", 100, 600_000);
                if (renew >= lease) {
                    throw GatewaySettings.invalid("cluster.kubernetes.renew-deadline", GatewaySettings.human(renew),
                            "must be shorter than cluster.kubernetes.lease-duration (" + GatewaySettings.human(lease) + ")");
                }
                if (retry >= renew) {
                    throw GatewaySettings.invalid("cluster.kubernetes.retry-period", GatewaySettings.human(retry),
                            "must be shorter than cluster.kubernetes.renew-deadline (" + GatewaySettings.human(renew) + ")");
                }
                String resource = GatewaySettings.text(property, "cluster.kubernetes.resource-name", "market-data");
                if (!resource.matches("[a-z0-9]([a-z0-9-]{0,40}[a-z0-9])?")) {
                    throw GatewaySettings.invalid("cluster.kubernetes.resource-name", resource,
                            "must be a Kubernetes name: lower-case letters, digits and '-', at most 42 characters");
                }
                kubernetes = new Kubernetes(GatewaySettings.text(property, "cluster.kubernetes.namespace", ""),
                        GatewaySettings.text(property, "cluster.kubernetes.master-url", ""), resource,
                        GatewaySettings.text(property, "cluster.kubernetes.pod-name", ""), lease, renew, retry);
            }
            case "zookeeper" -> {
                String nodes = GatewaySettings.text(property, "cluster.zookeeper.nodes", "");
                if (!nodes.matches("[A-Za-z0-9._\\[\\]:-]+:\\d{1,5}(,[A-Za-z0-9._\\[\\]:-]+:\\d{1,5})*")) {
                    throw GatewaySettings.invalid("cluster.zookeeper.nodes", nodes,
                            "must be host:port[,host:port...] (required with cluster.service=zookeeper)");
                }
                String base = GatewaySettings.text(property, "cluster.zookeeper.base-path", "/market-data/cluster");
                if (!base.matches("(/[A-Za-z0-9._-]+)+")) {
                    throw GatewaySettings.invalid("cluster.zookeeper.base-path", base, "must be an absolute path such as /market-data/cluster");
                }
                zookeeper = new ZooKeeper(nodes, base,
                        GatewaySettings.duration(property, "cluster.zookeeper.session-timeout", "10s", 1_000, 600_000),
                        GatewaySettings.duration(property, "cluster.zookeeper.connect-timeout", "5s", 100, 600_000));
            }
            default -> {
            }
        }
        return new ClusterSettings(service, instance, file, kubernetes, zookeeper);
    }

    /** The host's name and the process id: unique on a host, readable in health. */
    static String defaultInstanceId() {
        String host = System.getenv("HOSTNAME");
        if (host == null || host.isBlank()) {
            try {
                host = java.net.InetAddress.getLocalHost().getHostName();
            } catch (java.io.IOException | RuntimeException e) {
                host = "instance";
            }
        }
        String cleaned = host.replaceAll("[^A-Za-z0-9._-]", "-");
        if (cleaned.length() > 40) {
            cleaned = cleaned.substring(0, 40);
        }
        if (cleaned.isEmpty() || !Character.isLetterOrDigit(cleaned.charAt(0))) {
            cleaned = "instance" + cleaned;
        }
        return cleaned + "-" + ProcessHandle.current().pid();
    }
}
