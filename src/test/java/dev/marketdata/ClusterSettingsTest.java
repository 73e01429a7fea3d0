package dev.marketdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.component.kubernetes.cluster.KubernetesClusterService;
import org.apache.camel.component.zookeeper.cluster.ZooKeeperClusterService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cluster.*}: each service built as configured, and the settings that cannot work named at start-up. */
class ClusterSettingsTest {

    private static String problem(Map<String, String> properties) {
        return assertThrows(IllegalArgumentException.class, () -> ClusterServices.create(ClusterSettings.from(properties::get)))
                .getMessage();
    }

    @Test
    void noneIsASingleInstanceWithoutAService() {
        ClusterSettings s = ClusterSettings.from(Map.<String, String>of()::get);
        assertEquals("none", s.service());
        assertNull(ClusterServices.create(s));
        assertTrue(s.instanceId().matches("[A-Za-z0-9][A-Za-z0-9._-]*-" + ProcessHandle.current().pid()), s.instanceId());
    }

    @Test
    void theFileServiceLocksUnderItsRootWithTheTunedTimings(@TempDir Path dir) {
        FileLockClusterService service = (FileLockClusterService) ClusterServices.create(ClusterSettings.from(Map.of(
                "cluster.service", "FILE", "cluster.file.root", dir.resolve("locks").toString(), "cluster.instance-id", "gw-1",
                "cluster.file.acquire-lock-interval", "500ms")::get));
        assertEquals(dir.resolve("locks").toAbsolutePath().toString(), service.getRoot());
        assertEquals("gw-1", service.getId());
        assertEquals(500, service.getAcquireLockInterval());
        assertEquals(4, service.getHeartbeatTimeoutMultiplier());
        assertTrue(Files.isDirectory(dir.resolve("locks")));
    }

    @Test
    void settingsThatCannotWorkAreNamed(@TempDir Path dir) throws Exception {
        assertEquals("Invalid cluster.file.root '': is required with cluster.service=file: a directory every instance can lock files in",
                problem(Map.of("cluster.service", "file")));
        Path aFile = Files.writeString(dir.resolve("plain"), "x");
        assertEquals("Invalid cluster.file.root '" + aFile.resolve("locks") + "': is not a directory this process can create and "
                + "write files in (FileSystemException)", problem(Map.of("cluster.service", "file", "cluster.file.root",
                aFile.resolve("locks").toString())));
        assertEquals("Invalid cluster.file.heartbeat-timeout-multiplier '1': must be between 2 and 100", problem(Map.of(
                "cluster.service", "file", "cluster.file.root", dir.toString(), "cluster.file.heartbeat-timeout-multiplier", "1")));
        assertEquals("Invalid cluster.kubernetes.renew-deadline '10s': must be shorter than cluster.kubernetes.lease-duration (10s)",
                problem(Map.of("cluster.service", "kubernetes", "cluster.kubernetes.renew-deadline", "10s")));
        assertEquals("Invalid cluster.kubernetes.resource-name 'Market_Data': must be a Kubernetes name: lower-case letters, digits "
                + "and '-', at most 42 characters", problem(Map.of("cluster.service", "kubernetes", "cluster.kubernetes.resource-name", "Market_Data")));
        assertEquals("Invalid cluster.zookeeper.nodes '': must be host:port[,host:port...] (required with cluster.service=zookeeper)",
                problem(Map.of("cluster.service", "zookeeper")));
        assertEquals("Invalid cluster.zookeeper.base-path 'cluster': must be an absolute path such as /market-data/cluster",
                problem(Map.of("cluster.service", "zookeeper", "cluster.zookeeper.nodes", "zk1:2181", "cluster.zookeeper.base-path", "cluster")));
    }

    @Test
    void kubernetesAndZooKeeperAreConfiguredAsDocumented() {
        KubernetesClusterService k8s = (KubernetesClusterService) ClusterServices.create(ClusterSettings.from(Map.of(
                "cluster.service", "kubernetes", "cluster.kubernetes.namespace", "markets", "cluster.instance-id", "pod-1")::get));
        assertEquals("markets", k8s.getKubernetesNamespace());
        assertEquals("market-data", k8s.getKubernetesResourceName());
        assertEquals(10_000, k8s.getLeaseDurationMillis());
        assertEquals(8_000, k8s.getRenewDeadlineMillis());
        assertEquals(2_000, k8s.getRetryPeriodMillis());
        ZooKeeperClusterService zk = (ZooKeeperClusterService) ClusterServices.create(ClusterSettings.from(Map.of(
                "cluster.service", "zookeeper", "cluster.zookeeper.nodes", "zk1:2181,zk2:2181")::get));
        assertEquals("zk1:2181,zk2:2181", zk.getNodes());
        assertEquals("/market-data/cluster", zk.getBasePath());
        assertEquals(10_000, zk.getSessionTimeout());
    }
}
