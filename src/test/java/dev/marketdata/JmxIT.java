package dev.marketdata;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.rmi.registry.LocateRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXConnectorServer;
import javax.management.remote.JMXConnectorServerFactory;
import javax.management.remote.JMXServiceURL;

import dev.marketdata.feed.MarketStreamConsumer;
import dev.marketdata.pipeline.IngestMetrics;
import dev.marketdata.support.BinanceStandIn;
import dev.marketdata.support.RecordedFrames;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an operator sees in jconsole: the route MBeans with their statistics and the gateway's feed MBean,
 * read and operated through a JMX connector on loopback, as a remote JMX client would.
 */
class JmxIT {

    /** The demo recording's three symbols, and XRPUSDT, which is in none of its frames. */
    private static final String SYMBOLS = "BTCUSDT,ETHUSDT,SOLUSDT,XRPUSDT";
    private static List<String> frames;
    private static BinanceStandIn standIn;
    private static RunningGateway gateway;
    private static JMXConnectorServer connectorServer;
    private static JMXConnector connector;
    private static MBeanServerConnection jmx;

    @BeforeAll
    static void start() throws Exception {
        frames = RecordedFrames.demo();
        TestRedis.flush();
        standIn = new BinanceStandIn(frames);
        gateway = RunningGateway.start(Map.of("binance.ws.url", standIn.url(), "binance.symbols", SYMBOLS,
                "quality.stale.seconds", "2"));
        int port = TestRedis.freePort();
        LocateRegistry.createRegistry(port);
        JMXServiceURL url = new JMXServiceURL("service:jmx:rmi:///jndi/rmi://127.0.0.1:" + port + "/jmxrmi");
        connectorServer = JMXConnectorServerFactory.newJMXConnectorServer(url, null,
                ManagementFactory.getPlatformMBeanServer());
        connectorServer.start();
        connector = JMXConnectorFactory.connect(url);
        jmx = connector.getMBeanServerConnection();
        // Every frame counted by the pipeline, and its last batch done.
        IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
        await("the replay was processed", Duration.ofSeconds(30), () -> metrics.framesReceivedCount() == frames.size()
                && routeLong("binance-ingest", "ExchangesInflight") == 0);
    }

    @AfterAll
    static void stop() throws Exception {
        if (connector != null) {
            connector.close();
        }
        if (connectorServer != null) {
            connectorServer.stop();
        }
        if (gateway != null) {
            gateway.close();
        }
        if (standIn != null) {
            standIn.close();
        }
    }

    @Test
    void routeStatisticsAreThereForEveryRoute() throws Exception {
        Set<String> routes = new TreeSet<>();
        for (ObjectName name : jmx.queryNames(new ObjectName("org.apache.camel:context=market-data,type=routes,*"), null)) {
            routes.add(ObjectName.unquote(name.getKeyProperty("name")));
        }
        assertEquals(new TreeSet<>(List.of("binance-ingest", "tick-pipeline", "get-tickers", "get-ticker", "get-health",
                "fill-mock-entries", "mock-tickers", "quality-check", "redis-reconcile", "replay", "get-openapi", "get-best", "okx-ingest", "bybit-ingest",
                "coinbase-ingest", "htx-ingest")), routes);
        // One exchange per batch (the frames one event-loop turn read), each through both routes.
        long batches = routeLong("binance-ingest", "ExchangesTotal");
        // At most MAX_BATCH outcomes (here one a frame) in one exchange, so at least frames / MAX_BATCH exchanges.
        long fewest = (frames.size() + MarketStreamConsumer.MAX_BATCH - 1) / MarketStreamConsumer.MAX_BATCH;
        assertTrue(batches >= fewest && batches <= frames.size(), batches + " exchanges for " + frames.size() + " frames");
        assertEquals(batches, routeLong("tick-pipeline", "ExchangesTotal"));
        assertEquals(0L, routeLong("binance-ingest", "ExchangesFailed"));
        assertEquals(0L, routeLong("tick-pipeline", "ExchangesFailed"));
        long mean = routeLong("tick-pipeline", "MeanProcessingTime");
        long max = routeLong("tick-pipeline", "MaxProcessingTime");
        assertTrue(mean >= 0 && max >= mean, "mean " + mean + " max " + max);
        assertEquals("Started", jmx.getAttribute(route("binance-ingest"), "State"));
    }

    @Test
    void theFeedMBeanShowsTheConnectionAndCanReconnectSuspendAndResume() throws Exception {
        ObjectName feed = new ObjectName("org.apache.camel:context=market-data,type=feed,name=binance");
        assertEquals(true, jmx.getAttribute(feed, "Connected"));
        assertEquals(standIn.url(), jmx.getAttribute(feed, "Endpoint"));
        assertEquals("direct", jmx.getAttribute(feed, "ActiveProxy"));
        assertEquals(1L, jmx.getAttribute(feed, "Connects"));
        assertEquals(0L, jmx.getAttribute(feed, "Disconnects"));
        long age = (Long) jmx.getAttribute(feed, "ConnectionAgeSeconds");
        assertTrue(age >= 0 && age < 60, "age " + age);
        Instant lastFrame = Instant.parse((String) jmx.getAttribute(feed, "LastFrameTime"));
        assertTrue(Duration.between(lastFrame, Instant.now()).toSeconds() < 60);
        await("three symbols updated", Duration.ofSeconds(20), () -> updated(feed).size() == 3);
        TabularData lastUpdate = (TabularData) jmx.getAttribute(feed, "SymbolLastUpdate");
        Set<String> seen = new TreeSet<>();
        for (Object row : lastUpdate.values()) {
            CompositeData data = (CompositeData) row;
            if ((Long) data.get("value") > 0) {
                seen.add((String) data.get("key"));
            }
        }
        // XRPUSDT has no frames in the recording: it never updates.
        assertEquals(new TreeSet<>(List.of("BTCUSDT", "ETHUSDT", "SOLUSDT")), seen);
        assertEquals(4, ((TabularData) jmx.getAttribute(feed, "SymbolAgeMillis")).size());
        await("XRPUSDT is reported stale", Duration.ofSeconds(10), () -> activeAlerts(feed).contains("stale:XRPUSDT"));

        jmx.invoke(feed, "reconnect", null, null);
        await("a second connection", Duration.ofSeconds(20), () -> standIn.requestUris().size() == 2);
        await("the feed counted it", Duration.ofSeconds(10), () -> attr(feed, "Connects").equals(2L));
        assertEquals(1L, jmx.getAttribute(feed, "Disconnects"));

        jmx.invoke(feed, "suspendIngest", null, null);
        assertEquals(true, jmx.getAttribute(feed, "IngestSuspended"));
        assertEquals(false, jmx.getAttribute(feed, "Connected"));
        await("the stand-in lost its client", Duration.ofSeconds(10), () -> standIn.connectedClients() == 0);
        jmx.invoke(feed, "resumeIngest", null, null);
        await("connected again", Duration.ofSeconds(20), () -> Boolean.TRUE.equals(attr(feed, "Connected")));
        assertEquals(3L, jmx.getAttribute(feed, "Connects"));
        assertEquals(false, jmx.getAttribute(feed, "IngestSuspended"));
        // Every connect was booked in the budget shared through Redis (flushed before this gateway started).
        assertEquals(3, jmx.getAttribute(feed, "ConnectBudgetUsed"));
        assertEquals(250, jmx.getAttribute(feed, "ConnectBudgetLimit"));
        assertEquals(300L, jmx.getAttribute(feed, "ConnectBudgetWindowSeconds"));
        assertEquals("connect:budget:binance:default", jmx.getAttribute(feed, "ConnectBudgetScope"));
    }

    private static Set<String> updated(ObjectName feed) {
        Set<String> out = new TreeSet<>();
        for (Object row : ((TabularData) attr(feed, "SymbolLastUpdate")).values()) {
            CompositeData data = (CompositeData) row;
            if ((Long) data.get("value") > 0) {
                out.add((String) data.get("key"));
            }
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static List<String> activeAlerts(ObjectName feed) {
        Object value = attr(feed, "ActiveAlerts");
        return value instanceof String[] array ? List.of(array) : (List<String>) value;
    }

    private static Object attr(ObjectName name, String attribute) {
        try {
            return jmx.getAttribute(name, attribute);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static ObjectName route(String id) throws Exception {
        return new ObjectName("org.apache.camel:context=market-data,type=routes,name=\"" + id + "\"");
    }

    private static long routeLong(String id, String attribute) {
        try {
            return ((Number) jmx.getAttribute(route(id), attribute)).longValue();
        } catch (Exception e) {
            return -1;
        }
    }
}
