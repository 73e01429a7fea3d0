package dev.marketdata;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.apache.camel.cluster.CamelClusterService;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.component.kubernetes.KubernetesConfiguration;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.component.kubernetes.cluster.LeaseResourceType;
import org.apache.camel.component.zookeeper.cluster.ZooKeeperClusterService;

/** Builds the Camel cluster service {@code cluster.service} names, configured from {@code cluster.*}. */
final class ClusterServices {

    private ClusterServices() {
    }

    /** Null for {@code none}. */
    static CamelClusterService create(ClusterSettings s) {
        return switch (s.service()) {
            case "file" -> file(s);
            case "kubernetes" -> kubernetes(s);
            case "zookeeper" -> zookeeper(s);
            default -> null;
        };
    }

    private static CamelClusterService file(ClusterSettings s) {
        ClusterSettings.FileLock f = s.file();
        Path root = Path.of(f.root()).toAbsolutePath();
        // The service only logs at debug level when it cannot create or lock its files, and then no instance would
        // ever lead: a root that cannot be used stops start-up instead, naming it.
        try {
            Files.createDirectories(root);
            Path probe = Files.createTempFile(root, ".market-data-probe", ".tmp");
            Files.delete(probe);
        } catch (IOException | RuntimeException e) {
            throw GatewaySettings.invalid("cluster.file.root", f.root(), "is not a directory this process can create and write files in ("
                    + e.getClass().getSimpleName() + ")");
        }
        FileLockClusterService service = new FileLockClusterService();
        service.setId(s.instanceId());
        service.setRoot(root.toString());
        service.setAcquireLockInterval(f.acquireLockIntervalMillis(), TimeUnit.MILLISECONDS);
        // An instance starting beside running ones waits one interval, not the service's default second.
        service.setAcquireLockDelay(f.acquireLockIntervalMillis(), TimeUnit.MILLISECONDS);
        service.setHeartbeatTimeoutMultiplier(f.heartbeatTimeoutMultiplier());
        return service;
    }

    private static CamelClusterService kubernetes(ClusterSettings s) {
        ClusterSettings.Kubernetes k = s.kubernetes();
        // With a client configuration of its own, camel-kubernetes 4.17 applies the master URL and the namespace to
        // the client; without one it builds the default client and leaves both unused.
        KubernetesClusterService service = new KubernetesClusterService(new KubernetesConfiguration());
        service.setId(s.instanceId());
        service.setLeaseResourceType(LeaseResourceType.Lease);
        service.setKubernetesResourceName(k.resourceName());
        if (!k.namespace().isEmpty()) {
            service.setKubernetesNamespace(k.namespace());
            // Where the Leases are looked for and written (else the client's default namespace).
            service.setKubernetesResourcesNamespace(k.namespace());
        }
        if (!k.masterUrl().isEmpty()) {
            service.setMasterUrl(k.masterUrl());
        }
        // The pod's name (HOSTNAME in a pod, which the service reads itself when this is empty) holds the Lease.
        if (!k.podName().isEmpty()) {
            service.setPodName(k.podName());
        }
        service.setLeaseDurationMillis(k.leaseDurationMillis());
        service.setRenewDeadlineMillis(k.renewDeadlineMillis());
        service.setRetryPeriodMillis(k.retryPeriodMillis());
        return service;
    }

    private static CamelClusterService zookeeper(ClusterSettings s) {
        ClusterSettings.ZooKeeper z = s.zookeeper();
        ZooKeeperClusterService service = new ZooKeeperClusterService();
        service.setId(s.instanceId());
        service.setNodes(z.nodes());
        service.setBasePath(z.basePath());
        // Curator's units are milliseconds.
        service.setSessionTimeout(z.sessionTimeoutMillis());
        service.setConnectTimeout(z.connectTimeoutMillis());
        return service;
    }
}
