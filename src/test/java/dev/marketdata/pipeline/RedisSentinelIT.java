package dev.marketdata.pipeline;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import javax.management.MBeanAttributeInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.GatewaySettings;
import dev.marketdata.support.CapturedLog;
import dev.marketdata.support.RawBinanceServer;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.SentinelGroup;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;
import redis.embedded.RedisServer;
import redis.embedded.core.RedisServerBuilder;

/**
 * The gateway on a Redis Sentinel set-up of real processes (a master, a replica, three sentinels; {@link SentinelGroup}):
 * the master SIGKILLed mid-stream, the replica promoted by the sentinels, and nothing the gateway held is lost: the new
 * master holds the newest tick of every symbol, REST serves it, writes and the push API's subscription resume on the new
 * master. Also the case replication alone cannot cover: ticks the old master acknowledged that never reached the
 * replica are written again by the gateway once another server answers. And the sentinel settings: a password from a
 * file, never shown; a wrong one or an unknown master name stops start-up naming the property; sentinels that are all
 * down at start-up are waited for.
 */
class RedisSentinelIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SYMBOLS = List.of("BTCUSDT", "ETHUSDT", "SOLUSDT", "BNBUSDT", "XRPUSDT");
    private static final String SENTINEL_SECRET = "s3ntinel-s3cret-pw";
    private static final String WRONG_SECRET = "wr0ng-sentinel-pw";
    private static final String GATEWAY_SECRET = "g4teway-pw";

    private final Map<String, Long> newest = new ConcurrentHashMap<>();
    private final AtomicLong u = new AtomicLong(1_000);

    @BeforeAll
    static void needsRedisBinaries() {
        String why = SentinelGroup.unavailable();
        Assumptions.assumeTrue(why == null, why);
    }

    @Test
    void aMasterKilledMidStreamLosesNothingAndWritesResumeOnThePromotedReplica() throws Exception {
        try (SentinelGroup redis = SentinelGroup.start(null);
                RawBinanceServer binance = new RawBinanceServer();
                RunningGateway gateway = RunningGateway.start(gatewayOn(redis, binance))) {
            System.out.println("RedisSentinelIT: " + redis.version());
            LatestTickStore store = gateway.bean(LatestTickStore.BEAN, LatestTickStore.class);
            await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
            assertRedisHealth(gateway, "up", "127.0.0.1:" + redis.masterPort());
            // The push API subscribes at start, on its own connection to the master a sentinel names.
            await("the push API is subscribed on the master", Duration.ofSeconds(20),
                    () -> subscribed(redis, redis.masterPort()));

            Thread ticker = ticker(binance);
            long failoverMillis;
            long firstWriteMillis;
            long sentBeforeKill;
            try {
                await("ticks stored on the master", Duration.ofSeconds(20), () -> newestIdOn(redis, redis.masterPort()) > 1_100);
                long killedAt = System.nanoTime();
                redis.kill(redis.masterPort());
                // Any tick sent from now on can only be stored on the new master.
                sentBeforeKill = u.get();
                // Polled together, so that each time is when it was first seen: the sentinels naming the replica, and
                // a tick sent after the kill stored there.
                long promotedAt = 0;
                long firstWriteAt = 0;
                long deadline = killedAt + Duration.ofSeconds(60).toNanos();
                while (firstWriteAt == 0) {
                    assertTrue(System.nanoTime() < deadline, "no tick stored on the replica within 60 s of the kill");
                    if (promotedAt == 0 && Integer.valueOf(redis.replicaPort()).equals(redis.masterNow())) {
                        promotedAt = System.nanoTime();
                    }
                    if (promotedAt != 0 && newestIdOn(redis, redis.replicaPort()) > sentBeforeKill) {
                        firstWriteAt = System.nanoTime();
                    }
                    LockSupport.parkNanos(5_000_000L);
                }
                failoverMillis = (promotedAt - killedAt) / 1_000_000;
                firstWriteMillis = (firstWriteAt - killedAt) / 1_000_000;
                awaitStoringGoesOn(redis, redis.replicaPort());
            } finally {
                stop(ticker);
            }
            System.out.printf("RedisSentinelIT: master SIGKILLed at tick %d; the sentinels named the replica master after "
                    + "%d ms; the first tick sent after the kill was stored there %d ms after the kill%n", sentBeforeKill,
                    failoverMillis, firstWriteMillis);

            await("the new master holds the newest tick of every symbol", Duration.ofSeconds(30),
                    () -> holdsNewest(redis, redis.replicaPort()));
            assertServedLive(gateway);
            assertEquals(0, store.pendingCount());
            assertTrue(store.redisUp());
            assertRedisHealth(gateway, "up", "127.0.0.1:" + redis.replicaPort());
            await("the push API subscribed again, on the new master", Duration.ofSeconds(30),
                    () -> subscribed(redis, redis.replicaPort()));

            // Writes go on: one more tick of each symbol, stored on the new master as it is sent.
            sendRound(binance);
            await("a tick sent after the failover is stored on the new master", Duration.ofSeconds(20),
                    () -> holdsNewest(redis, redis.replicaPort()));
            assertServedLive(gateway);
        }
    }

    /**
     * A planned switchover ({@code SENTINEL FAILOVER}): both servers stay up, the old master is demoted to a replica
     * of the new one. Nothing is lost, writes and the push API's subscription move to the new master, and the old one
     * replicates the newest ticks from it.
     */
    @Test
    void aPlannedSwitchoverLosesNothing() throws Exception {
        try (SentinelGroup redis = SentinelGroup.start(null);
                RawBinanceServer binance = new RawBinanceServer();
                RunningGateway gateway = RunningGateway.start(gatewayOn(redis, binance))) {
            await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
            Thread ticker = ticker(binance);
            try {
                await("ticks stored on the master", Duration.ofSeconds(20), () -> newestIdOn(redis, redis.masterPort()) > 1_100);
                try (Jedis sentinel = redis.sentinel(redis.sentinelPorts().get(0))) {
                    assertEquals("OK", sentinel.sentinelFailover(SentinelGroup.MASTER_NAME));
                }
                await("the sentinels promoted the replica", Duration.ofSeconds(60),
                        () -> Integer.valueOf(redis.replicaPort()).equals(redis.masterNow()));
                awaitStoringGoesOn(redis, redis.replicaPort());
            } finally {
                stop(ticker);
            }
            await("the new master holds the newest tick of every symbol", Duration.ofSeconds(30),
                    () -> holdsNewest(redis, redis.replicaPort()));
            assertServedLive(gateway);
            await("the old master replicates them from the new one", Duration.ofSeconds(30),
                    () -> redis.info(redis.masterPort(), "replication").contains("role:slave") && holdsNewest(redis, redis.masterPort()));
            await("the push API subscribed on the new master", Duration.ofSeconds(30), () -> subscribed(redis, redis.replicaPort()));
            sendRound(binance);
            await("a tick sent after the switchover is stored on the new master", Duration.ofSeconds(20),
                    () -> holdsNewest(redis, redis.replicaPort()));
        }
    }

    /**
     * A master demoted while the gateway's connections stay on it (here by hand, without sentinels: a switchover the
     * gateway is not told of) refuses writes with READONLY: the ticks stay pending, Redis counts as down (a demoted
     * master still answers reads, but not the store's write probe, so it does not flap between up and down), and once
     * the server takes writes again the pending ticks are written.
     */
    @Test
    void writesADemotedMasterRefusesStayPendingUntilWritesAreTaken() throws Exception {
        int aPort = TestRedis.freePort();
        int bPort = TestRedis.freePort();
        RedisServer a = plainRedis(aPort, "");
        RedisServer b = plainRedis(bPort, "replicaof 127.0.0.1 " + aPort);
        a.start();
        b.start();
        try (RawBinanceServer binance = new RawBinanceServer();
                CapturedLog log = new CapturedLog(LatestTickStore.class)) {
            Map<String, String> props = new LinkedHashMap<>(Map.of("binance.ws.url", binance.url(),
                    "binance.symbols", String.join(",", SYMBOLS), "redis.host", "127.0.0.1", "redis.port", Integer.toString(aPort),
                    "tick.ttl.seconds", "600", "quality.stale.seconds", "600"));
            try (RunningGateway gateway = RunningGateway.start(props)) {
                LatestTickStore store = gateway.bean(LatestTickStore.BEAN, LatestTickStore.class);
                IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
                await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
                sendRound(binance);
                Map<String, Long> first = Map.copyOf(newest);
                await("stored and replicated", Duration.ofSeconds(20), () -> holds(aPort, first) && holds(bPort, first));

                try (Jedis bClient = plainClient(bPort); Jedis aClient = plainClient(aPort)) {
                    bClient.replicaofNoOne();
                    aClient.replicaof("127.0.0.1", bPort);
                }
                await("a is b's replica", Duration.ofSeconds(20), () -> info(aPort).contains("master_link_status:up"));
                log.clear();
                sendRound(binance);
                await("the refused ticks are pending", Duration.ofSeconds(20), () -> !store.redisUp() && store.pendingCount() == SYMBOLS.size());
                JsonNode health = gateway.getJson("/api/v1/health").get("data").get("redis");
                assertEquals("down", health.get("status").asText());
                double errors = metrics.redisErrorCount();
                await("three more tries refused", Duration.ofSeconds(30), () -> metrics.redisErrorCount() >= errors + 3);
                assertFalse(store.redisUp());
                assertEquals(SYMBOLS.size(), store.pendingCount());
                assertEquals(List.of(), log.lines().stream().filter(l -> l.contains("reachable again")).toList(),
                        "a demoted master is not taken for Redis being back");
                assertTrue(log.lines().stream().anyMatch(l -> l.contains("READONLY")), log.lines().toString());
                assertTrue(holds(aPort, first) && holds(bPort, first), "nothing of the second round written anywhere");

                try (Jedis aClient = plainClient(aPort)) {
                    aClient.replicaofNoOne();
                }
                await("the pending ticks are written once a takes writes again", Duration.ofSeconds(30), () -> holds(aPort, newest));
                assertServedLive(gateway);
                assertEquals(0, store.pendingCount());
            }
        } finally {
            b.stop();
            a.stop();
        }
    }

    private static RedisServer plainRedis(int port, String setting) throws IOException {
        RedisServerBuilder builder = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                .setting("save \"\"").setting("appendonly no");
        return (setting.isEmpty() ? builder : builder.setting(setting)).build();
    }

    private static Jedis plainClient(int port) {
        return new Jedis("127.0.0.1", port, 1000);
    }

    private static String info(int port) {
        try (Jedis client = plainClient(port)) {
            return client.info("replication");
        } catch (RuntimeException e) {
            return "";
        }
    }

    /** Whether the plain Redis at the port holds, for every symbol, the tick of this update id. */
    private static boolean holds(int port, Map<String, Long> ids) {
        try (Jedis client = plainClient(port)) {
            return holds(client, ids);
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * The replica misses the last writes (stopped, its replication link cut), the master acknowledges them and is
     * killed, the replica resumes and is promoted: it holds the older ticks, and only the gateway can put the newest
     * back. It does, without another tick arriving, once it finds another server answering: told by the server's
     * run_id, or, for a Redis user that may not run INFO, by the master's address.
     */
    @ParameterizedTest(name = "INFO allowed: {0}")
    @ValueSource(booleans = { true, false })
    void ticksTheOldMasterAcknowledgedButNeverReplicatedAreWrittenAgain(boolean infoAllowed) throws Exception {
        // The gateway's own ACL user on the master and the replica; replication and the sentinels use the default user.
        String user = "user gateway on >" + GATEWAY_SECRET + " ~* &* +@all" + (infoAllowed ? "" : " -info");
        try (SentinelGroup redis = SentinelGroup.start(null, user);
                RawBinanceServer binance = new RawBinanceServer();
                CapturedLog log = new CapturedLog(LatestTickStore.class)) {
            Map<String, String> props = gatewayOn(redis, binance);
            props.put("redis.username", "gateway");
            props.put("redis.password", GATEWAY_SECRET);
            try (RunningGateway gateway = RunningGateway.start(props)) {
                loseTheUnreplicatedTicksAndAwaitThem(redis, binance, gateway, log, infoAllowed);
            }
        }
    }

    private void loseTheUnreplicatedTicksAndAwaitThem(SentinelGroup redis, RawBinanceServer binance, RunningGateway gateway,
            CapturedLog log, boolean infoAllowed) throws Exception {
        IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
        await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
        sendRound(binance);
        Map<String, Long> replicated = Map.copyOf(newest);
        await("the first ticks reached the replica", Duration.ofSeconds(20), () -> holdsNewest(redis, redis.replicaPort()));

        redis.pause(redis.replicaPort());
        long killedAt;
        try {
            try (Jedis master = redis.client(redis.masterPort())) {
                // Cut while the replica is stopped: it cannot reconnect and catch up from the backlog.
                assertEquals(1L, master.clientKill(new ClientKillParams().type(ClientType.REPLICA)));
            }
            double storedBefore = metrics.storedTotal();
            sendRound(binance);
            await("the master acknowledged the newest ticks", Duration.ofSeconds(20),
                    () -> metrics.storedTotal() >= storedBefore + SYMBOLS.size() && holdsNewest(redis, redis.masterPort()));
            killedAt = System.nanoTime();
            redis.kill(redis.masterPort());
        } finally {
            redis.resume(redis.replicaPort());
        }
        // The loss is real: what the replica holds is the first round, for every symbol.
        await("the replica answers again", Duration.ofSeconds(20), () -> !redis.info(redis.replicaPort(), "server").isEmpty());
        assertTrue(holds(redis, redis.replicaPort(), replicated), "the replica holds the replicated ticks only");

        await("the sentinels promoted the replica", Duration.ofSeconds(60),
                () -> Integer.valueOf(redis.replicaPort()).equals(redis.masterNow()));
        await("the new master holds the newest ticks again, written by the gateway", Duration.ofSeconds(30),
                () -> holdsNewest(redis, redis.replicaPort()));
        System.out.printf("RedisSentinelIT: the acknowledged but unreplicated ticks were on the new master %d ms after "
                + "the old master was killed (servers told apart by %s)%n", (System.nanoTime() - killedAt) / 1_000_000,
                infoAllowed ? "run_id" : "address");
        assertServedLive(gateway);
        String told = infoAllowed ? "run_id " : "address 127.0.0.1:" + redis.replicaPort() + ", where it was address 127.0.0.1:"
                + redis.masterPort();
        assertTrue(log.linesAt("WARN").stream().anyMatch(l -> l.startsWith("WARN Another Redis server answers now (" + told)
                && l.contains("wrote the newest " + SYMBOLS.size() + " tick(s) this gateway holds again")), log.lines().toString());
        assertEquals(infoAllowed ? 0 : 1, log.lines().stream().filter(l -> l.contains("The Redis user may not run INFO")).count());
    }

    /**
     * Sentinels with a password: given in a file, used, and shown nowhere (health, settings, the log); a wrong one,
     * or a master name no sentinel watches, stops start-up with one line naming the property.
     */
    @Test
    void theSentinelPasswordIsUsedAndNeverShownAndBadSentinelSettingsStopStartUp() throws Exception {
        Path passwordFile = Files.createTempFile("sentinel-password", "");
        Files.writeString(passwordFile, SENTINEL_SECRET + "\n");
        try (SentinelGroup redis = SentinelGroup.start(SENTINEL_SECRET);
                RawBinanceServer binance = new RawBinanceServer()) {
            Map<String, String> props = gatewayOn(redis, binance);
            props.put("redis.sentinel.password-file", passwordFile.toString());
            try (RunningGateway gateway = RunningGateway.start(props)) {
                await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
                sendRound(binance);
                await("stored on the master the sentinels named", Duration.ofSeconds(20), () -> holdsNewest(redis, redis.masterPort()));
                String health = gateway.send("/api/v1/health").body();
                assertTrue(health.contains("\"redis\":{\"status\":\"up\",\"mode\":\"sentinel\",\"server\":\"127.0.0.1:"
                        + redis.masterPort() + "\",\"error\":null}"), health);
                assertFalse(health.contains(SENTINEL_SECRET));
                assertFalse(gateway.send("/observe/health").body().contains(SENTINEL_SECRET));
                String settings = gateway.bean("gatewaySettings", GatewaySettings.class).toString();
                assertTrue(settings.contains("sentinel master '" + SentinelGroup.MASTER_NAME + "' via [" + redis.nodes().replace(",", ", ")
                        + "] (sentinel password ***)"), settings);
                assertFalse(settings.contains(SENTINEL_SECRET));
                String jmx = everyJmxAttribute();
                assertTrue(jmx.contains(binance.url()), "the scan reads the gateway's own MBeans (the feed's endpoint)");
                assertFalse(jmx.contains(SENTINEL_SECRET), "a JMX attribute shows the sentinel password");
            }

            props.remove("redis.sentinel.password-file");
            props.put("redis.sentinel.password", WRONG_SECRET);
            IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> RunningGateway.start(props));
            String wrongPass = "WRONGPASS invalid username-password pair or user is disabled.";
            assertEquals("Invalid redis.sentinel.password: the sentinels refused the configured credentials ("
                    + redis.sentinelPorts().stream().map(p -> "127.0.0.1:" + p + " (" + wrongPass + ")")
                            .collect(java.util.stream.Collectors.joining(", "))
                    + "); check redis.sentinel.password / redis.sentinel.password-file", refused.getMessage());

            props.put("redis.sentinel.password", SENTINEL_SECRET);
            props.put("redis.sentinel.master", "no-such-master");
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> RunningGateway.start(props));
            assertEquals("Invalid redis.sentinel.master 'no-such-master': no sentinel of redis.sentinel.nodes watches a master "
                    + "of that name (asked " + redis.nodes().replace(",", ", ") + ")", unknown.getMessage());
        } finally {
            Files.deleteIfExists(passwordFile);
        }
        String log = Files.readString(Path.of("target", "test-logs", "gateway.log"));
        assertFalse(log.contains(SENTINEL_SECRET), "the log shows the sentinel password");
        assertFalse(log.contains(WRONG_SECRET), "the log shows the wrong sentinel password");
    }

    /** No sentinel answers at start-up: the gateway starts anyway, says so, keeps what arrives, and writes it once they do. */
    @Test
    void sentinelsThatAreAllDownAtStartUpAreWaitedFor() throws Exception {
        try (SentinelGroup redis = SentinelGroup.create(null, "");
                RawBinanceServer binance = new RawBinanceServer();
                RunningGateway gateway = RunningGateway.start(gatewayOn(redis, binance))) {
            await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
            JsonNode down = assertRedisHealth(gateway, "down", null);
            assertTrue(down.get("error").asText().contains("no sentinel of redis.sentinel.nodes answered"), down.toString());
            LatestTickStore store = gateway.bean(LatestTickStore.BEAN, LatestTickStore.class);
            sendRound(binance);
            await("the ticks are held while no sentinel answers", Duration.ofSeconds(20),
                    () -> store.pendingCount() == SYMBOLS.size());

            redis.start();
            await("the held ticks are written to the master once the sentinels name it", Duration.ofSeconds(30),
                    () -> holdsNewest(redis, redis.masterPort()));
            assertServedLive(gateway);
            await("health says where", Duration.ofSeconds(10), () -> {
                JsonNode up = health(gateway);
                return up != null && "up".equals(up.get("status").asText())
                        && ("127.0.0.1:" + redis.masterPort()).equals(up.get("server").asText());
            });
        }
    }

    private Map<String, String> gatewayOn(SentinelGroup redis, RawBinanceServer binance) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("binance.ws.url", binance.url());
        props.put("binance.symbols", String.join(",", SYMBOLS));
        props.put("redis.sentinel.master", SentinelGroup.MASTER_NAME);
        props.put("redis.sentinel.nodes", redis.nodes());
        // Long enough to outlive the test: a tick is checked after a failover, not expired.
        props.put("tick.ttl.seconds", "600");
        props.put("quality.stale.seconds", "600");
        return props;
    }

    /** Sends a round of ticks every 20 ms until interrupted. */
    private Thread ticker(RawBinanceServer binance) {
        Thread ticker = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                sendRound(binance);
                LockSupport.parkNanos(20_000_000L);
            }
        }, "ticker");
        ticker.start();
        return ticker;
    }

    private static void stop(Thread ticker) throws InterruptedException {
        ticker.interrupt();
        ticker.join();
    }

    /** While the ticker runs: ticks go on being stored on the server at the port (ten rounds more than sent so far). */
    private void awaitStoringGoesOn(SentinelGroup redis, int port) {
        long sent = u.get();
        await("ticks go on being stored on 127.0.0.1:" + port, Duration.ofSeconds(20),
                () -> newestIdOn(redis, port) > sent + 50);
    }

    /** One tick of every symbol, each with the next update id, its bid and ask made from it (exact values to check). */
    private void sendRound(RawBinanceServer binance) {
        for (String symbol : SYMBOLS) {
            long id = u.incrementAndGet();
            binance.broadcast("{\"stream\":\"" + symbol.toLowerCase() + "@bookTicker\",\"data\":{\"u\":" + id
                    + ",\"s\":\"" + symbol + "\",\"b\":\"" + id + ".01\",\"B\":\"1.5\",\"a\":\"" + id + ".03\",\"A\":\"2.5\"}}");
            newest.put(symbol, id);
        }
    }

    /** Whether the server at the port holds, for every symbol, the newest tick sent: its update id, bid and ask. */
    private boolean holdsNewest(SentinelGroup redis, int port) {
        return holds(redis, port, newest);
    }

    /** Whether the server at the port holds, for every symbol, the tick of this update id (its bid and ask too). */
    private static boolean holds(SentinelGroup redis, int port, Map<String, Long> ids) {
        try (Jedis client = redis.client(port)) {
            return holds(client, ids);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static boolean holds(Jedis client, Map<String, Long> ids) {
        try {
            for (String symbol : SYMBOLS) {
                String json = client.get("tick:latest:" + symbol);
                long id = ids.getOrDefault(symbol, -1L);
                if (json == null || !matches(JSON.readTree(json), symbol, id)) {
                    return false;
                }
            }
            return true;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private static boolean matches(JsonNode tick, String symbol, long id) {
        return symbol.equals(tick.get("symbol").asText()) && tick.get("update_id").asLong() == id
                && (id + ".01").equals(tick.get("bid").asText()) && (id + ".03").equals(tick.get("ask").asText());
    }

    /** The highest update id stored on the server at the port over every symbol; -1 when it does not answer. */
    private static long newestIdOn(SentinelGroup redis, int port) {
        try (Jedis client = redis.client(port)) {
            long max = -1;
            for (String symbol : SYMBOLS) {
                String json = client.get("tick:latest:" + symbol);
                if (json != null) {
                    max = Math.max(max, JSON.readTree(json).get("update_id").asLong());
                }
            }
            return max;
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** REST answers the newest tick of every symbol, live (neither mock nor last-known). */
    private void assertServedLive(RunningGateway gateway) throws IOException {
        for (String symbol : SYMBOLS) {
            JsonNode entry = gateway.getJson("/api/v1/tickers/" + symbol).get("data").get(0);
            assertNotNull(entry, symbol);
            assertTrue(matches(entry, symbol, newest.get(symbol)), entry.toString());
            assertFalse(entry.get("_mock").asBoolean(), entry.toString());
            assertFalse(entry.get("_last_known").asBoolean(), entry.toString());
        }
    }

    /** The push API's own subscription connection is on the server at the port. */
    private static boolean subscribed(SentinelGroup redis, int port) {
        try (Jedis client = redis.client(port)) {
            return client.clientList().lines().anyMatch(l -> l.contains(" name=market-data-stream ") && l.contains(" sub=1 "));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Health's redis section says sentinel mode, this status and this server (null: none known); returned. */
    private static JsonNode assertRedisHealth(RunningGateway gateway, String status, String server) throws IOException {
        JsonNode redis = gateway.getJson("/api/v1/health").get("data").get("redis");
        assertEquals(status, redis.get("status").asText(), redis.toString());
        assertEquals("sentinel", redis.get("mode").asText(), redis.toString());
        assertEquals(server == null ? "null" : '"' + server + '"', redis.get("server").toString(), redis.toString());
        return redis;
    }

    /** Every readable attribute of every MBean of this JVM (the gateway runs in it), as text, nested values included. */
    private static String everyJmxAttribute() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        StringBuilder out = new StringBuilder();
        for (ObjectName name : server.queryNames(null, null)) {
            for (MBeanAttributeInfo attribute : server.getMBeanInfo(name).getAttributes()) {
                try {
                    Object value = attribute.isReadable() ? server.getAttribute(name, attribute.getName()) : null;
                    // Composite and tabular data print their contents; arrays need asking.
                    out.append(value instanceof Object[] array ? Arrays.deepToString(array) : String.valueOf(value)).append('\n');
                } catch (Exception | LinkageError unreadable) {
                    // some attributes are not supported on this JVM; the others are read
                }
            }
        }
        return out.toString();
    }

    private static JsonNode health(RunningGateway gateway) {
        try {
            return gateway.getJson("/api/v1/health").get("data").get("redis");
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}
