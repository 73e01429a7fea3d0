package dev.marketdata;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marketdata.support.BinanceStandIn;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import org.apache.camel.cluster.CamelClusterView;
import org.apache.camel.component.file.cluster.FileLockClusterService;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;

/**
 * An instance that does not lead Binance (another member of the file cluster, held by this test, does): it opens no
 * connection, its health says follower and that nobody announced leading, and an operator's JMX resume is refused
 * rather than starting a second ingest beside the leader's. When the other member lets go, it takes Binance over.
 */
class ClusterFollowerIT {

    @Test
    void aFollowerNeitherIngestsNorLetsAnOperatorStartASecondIngest() throws Exception {
        TestRedis.ensureStarted();
        TestRedis.flush();
        Path root = Files.createTempDirectory("market-data-cluster");
        DefaultCamelContext other = new DefaultCamelContext();
        FileLockClusterService holder = new FileLockClusterService();
        holder.setRoot(root.toString());
        holder.setId("gw-elsewhere");
        holder.setAcquireLockDelay(100, TimeUnit.MILLISECONDS);
        holder.setAcquireLockInterval(1, TimeUnit.SECONDS);
        holder.setHeartbeatTimeoutMultiplier(4);
        other.addService(holder);
        other.start();
        CamelClusterView view = holder.getView("market-data-binance");
        view.start();
        await("the other member leads Binance", Duration.ofSeconds(10), () -> view.getLocalMember().isLeader());
        try (BinanceStandIn binance = new BinanceStandIn(List.of());
                RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", binance.url(), "binance.symbols", "AAAUSDT",
                        "cluster.service", "file", "cluster.file.root", root.toString(), "cluster.instance-id", "gw-follower"))) {
            await("health says follower", Duration.ofSeconds(10), () -> {
                try {
                    return gateway.getJson("/api/v1/health").at("/data/feeds/binance/role").asText().equals("follower");
                } catch (Exception e) {
                    return false;
                }
            });
            JsonNode health = gateway.getJson("/api/v1/health").get("data");
            assertEquals("[]", health.at("/cluster/leads").toString());
            // The test's member leads without announcing itself in Redis, as an instance of another version might.
            assertEquals("down", health.at("/feeds/binance/status").asText());
            assertEquals("no instance leads binance", health.at("/feeds/binance/last_error").asText());
            assertEquals(0, binance.connectedClients());

            MBeanServer jmx = ManagementFactory.getPlatformMBeanServer();
            ObjectName feed = new ObjectName("org.apache.camel:context=market-data,type=feed,name=binance");
            javax.management.RuntimeMBeanException refused = assertThrows(javax.management.RuntimeMBeanException.class, () -> jmx.invoke(feed, "resumeIngest", null, null));
            assertEquals("this instance does not lead binance: resume it on the leader", refused.getCause().getMessage());
            assertEquals(0, binance.connectedClients());
            assertEquals(0.0, gateway.metric("marketdata_cluster_leading{"));

            // The other member lets go: this instance takes Binance over and connects.
            view.stop();
            holder.stop();
            await("the follower took over", Duration.ofSeconds(10), () -> binance.connectedClients() == 1);
            await("and says so", Duration.ofSeconds(5), () -> gateway.metric("marketdata_cluster_leading{") == 1.0);
        } finally {
            other.stop();
        }
    }
}
