package dev.marketdata;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.support.SubscriptionStandIn;
import dev.marketdata.support.SubscriptionStandIn.Dialect;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Three gateway processes (the jar, each its own JVM) with {@code cluster.service=file} on one Redis, and stand-ins
 * for two venues that count connections: each venue is ingested by exactly one instance at any time; killing its
 * leader (SIGKILL) moves it to another instance within the target, stopping one (SIGTERM) within two seconds; every
 * instance serves live entries throughout, and no instance raises a false stale alert.
 */
class ClusterIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The target for a killed leader: lease plus connect. */
    private static final long KILLED_TAKEOVER_MILLIS = 15_000;
    private static final long STOPPED_TAKEOVER_MILLIS = 2_000;
    private static final String[] VENUES = { "binance", "okx" };

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private record Instance(String name, int port, Process process, File log) {
    }

    private Instance start(String name, Path root, SubscriptionStandIn binance, SubscriptionStandIn okx) throws Exception {
        int port = TestRedis.freePort();
        File log = Files.createTempFile("market-data-" + name, ".log").toFile();
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dexchanges=binance,okx", "-Dbinance.ws.url=" + binance.url("/stream"), "-Dbinance.symbols=AAAUSDT,BBBUSDT",
                "-Dokx.ws.url=" + okx.url("/ws/v5/public"), "-Dokx.symbols=AAA-USDT", "-Dokx.streams=bbo-tbt",
                "-Dredis.host=" + TestRedis.host(), "-Dredis.port=" + TestRedis.port(), "-Dredis.embedded=false",
                "-Dcamel.server.port=" + port, "-Dconfig.reload.interval=0", "-Dquality.stale.seconds=10",
                "-Dcluster.service=file", "-Dcluster.file.root=" + root, "-Dcluster.instance-id=" + name,
                "-Dfeed.reconnect.initial-delay=100ms", "-Dfeed.reconnect.max-delay=1s",
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-jar", "target/market-data.jar")
                .redirectErrorStream(true).redirectOutput(log).start();
        return new Instance(name, port, process, log);
    }

    private HttpResponse<String> get(int port, String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            return null;
        }
    }

    private JsonNode health(Instance instance) {
        HttpResponse<String> response = get(instance.port(), "/api/v1/health");
        try {
            return response == null ? null : JSON.readTree(response.body()).get("data");
        } catch (Exception e) {
            return null;
        }
    }

    /** The instance that says it leads the venue, when exactly one of them does. */
    private Instance leaderOf(String venue, List<Instance> instances) {
        List<Instance> leaders = new ArrayList<>();
        for (Instance i : instances) {
            JsonNode h = health(i);
            if (h != null && h.path("cluster").path("leads").toString().contains("\"" + venue + "\"")) {
                leaders.add(i);
            }
        }
        return leaders.size() == 1 ? leaders.get(0) : null;
    }

    /** Each venue's leader, once every venue has exactly one (as the instances' health says). */
    private Map<String, Instance> leaders(List<Instance> instances, String what, Duration timeout) {
        Map<String, Instance> leaders = new LinkedHashMap<>();
        await(what, timeout, () -> {
            for (String venue : VENUES) {
                Instance leader = leaderOf(venue, instances);
                if (leader == null) {
                    return false;
                }
                leaders.put(venue, leader);
            }
            return true;
        });
        return leaders;
    }

    /** The value of the first series of the meter whose labels contain the fragment; -1 when there is none. */
    private double metric(Instance instance, String meter, String labels) {
        HttpResponse<String> response = get(instance.port(), "/observe/metrics");
        if (response == null) {
            return -1;
        }
        return response.body().lines().filter(l -> l.startsWith(meter + "{") && l.contains(labels)).findFirst()
                .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).orElse(-1.0);
    }

    /** The newest connection the stand-in got after the given time that carries a subscription, or -1. */
    private static long subscribedAfter(SubscriptionStandIn standIn, int connectionsBefore) {
        List<SubscriptionStandIn.Conn> all = standIn.connections();
        for (int i = connectionsBefore; i < all.size(); i++) {
            if (!all.get(i).topics().isEmpty() && !all.get(i).closed()) {
                return i;
            }
        }
        return -1;
    }

    @Test
    void eachVenueIsIngestedOnceAndMovesWhenItsLeaderDies() throws Exception {
        TestRedis.ensureStarted();
        TestRedis.flush();
        Path root = Files.createTempDirectory("market-data-cluster");
        List<Instance> instances = new CopyOnWriteArrayList<>();
        AtomicBoolean running = new AtomicBoolean(true);
        List<Thread> threads = new ArrayList<>();
        try (SubscriptionStandIn binance = new SubscriptionStandIn(Dialect.BINANCE);
                SubscriptionStandIn okx = new SubscriptionStandIn(Dialect.OKX);
                Jedis redis = new Jedis(TestRedis.host(), TestRedis.port())) {
            for (String name : List.of("gw-a", "gw-b", "gw-c")) {
                instances.add(start(name, root, binance, okx));
            }
            await("three instances ready", Duration.ofSeconds(120), () -> instances.stream()
                    .allMatch(i -> { HttpResponse<String> r = get(i.port(), "/observe/health/ready"); return r != null && r.statusCode() == 200; }));
            await("one connection per venue, subscribed", Duration.ofSeconds(30), () -> binance.openConnections() == 1
                    && okx.openConnections() == 1 && subscribedAfter(binance, 0) >= 0 && subscribedAfter(okx, 0) >= 0);
            Map<String, Instance> leaders = leaders(instances, "each venue's leader announced", Duration.ofSeconds(20));

            // The venues tick every 50 ms; Redis is watched for when each stored value changes, and every instance's
            // REST API for whether it serves a live entry.
            AtomicInteger rounds = new AtomicInteger();
            threads.add(new Thread(() -> {
                while (running.get()) {
                    try {
                        binance.sendRound(t -> true);
                        okx.sendRound(t -> true);
                        rounds.incrementAndGet();
                    } catch (Exception e) {
                        System.out.println("cluster: venues: " + e);
                    }
                    LockSupport.parkNanos(50_000_000L);
                }
            }, "venues"));
            Map<String, List<Long>> changes = new ConcurrentHashMap<>();
            threads.add(new Thread(() -> {
                Map<String, String> last = new LinkedHashMap<>();
                while (running.get()) {
                    try (Jedis watcher = new Jedis(TestRedis.host(), TestRedis.port())) {
                        while (running.get()) {
                            for (String key : List.of("tick:latest:AAAUSDT", "tick:latest:okx:AAA-USDT")) {
                                String value = watcher.get(key);
                                if (value != null && !value.equals(last.put(key, value))) {
                                    changes.computeIfAbsent(key, k -> new CopyOnWriteArrayList<>()).add(System.currentTimeMillis());
                                }
                            }
                            LockSupport.parkNanos(20_000_000L);
                        }
                    } catch (RuntimeException e) {
                        System.out.println("cluster: Redis watch: " + e);
                    }
                }
            }, "redis-watch"));
            List<String> restProblems = new CopyOnWriteArrayList<>();
            AtomicInteger restAnswers = new AtomicInteger();
            Map<Instance, Boolean> stopping = new ConcurrentHashMap<>();
            AtomicBoolean restChecked = new AtomicBoolean();
            threads.add(new Thread(() -> {
                while (running.get()) {
                    for (Instance i : instances) {
                        if (!restChecked.get() || stopping.containsKey(i)) {
                            continue;
                        }
                        HttpResponse<String> r = get(i.port(), "/api/v1/tickers");
                        if (stopping.containsKey(i)) {
                            continue;
                        }
                        if (r == null || r.statusCode() != 200 || r.body().contains("\"_mock\":true")
                                || r.body().contains("\"_last_known\":true")) {
                            restProblems.add(i.name() + ": " + (r == null ? "no answer" : r.statusCode() + " " + r.body()));
                        } else {
                            restAnswers.incrementAndGet();
                        }
                    }
                    LockSupport.parkNanos(200_000_000L);
                }
            }, "rest-poll"));
            threads.forEach(Thread::start);
            // Until a symbol's first tick is stored, an entry is rightly a mock: checked from then on.
            await("the first ticks stored", Duration.ofSeconds(20), () -> changes.containsKey("tick:latest:AAAUSDT")
                    && changes.containsKey("tick:latest:okx:AAA-USDT") && rounds.get() >= 3);
            await("BBBUSDT stored", Duration.ofSeconds(20), () -> redis.exists("tick:latest:BBBUSDT"));
            restChecked.set(true);

            // Longer than quality.stale.seconds with ticks flowing: an instance judging by what it wrote itself would
            // now find the venues it does not ingest stale.
            await("12 s of ticks", Duration.ofSeconds(60), () -> rounds.get() >= 12_000 / 50);
            for (Instance i : instances) {
                JsonNode h = health(i);
                assertEquals(0, h.path("freshness").path("stale_count").asInt(), i.name() + ": " + h.path("freshness"));
                assertEquals(0.0, metric(i, "marketdata_quality_alerts_total", "kind=\"stale\""), "stale alerts raised by " + i.name());
                for (String venue : VENUES) {
                    JsonNode feed = h.path("feeds").path(venue);
                    assertEquals("up", feed.path("status").asText(), i.name() + " " + venue + ": " + feed);
                    assertEquals(leaders.get(venue) == i ? "leader" : "follower", feed.path("role").asText());
                    assertEquals(leaders.get(venue).name(), feed.path("leader").asText());
                    assertEquals(leaders.get(venue).name(), h.path("cluster").path("leaders").path(venue).asText());
                }
            }

            // The leader of Binance dies without a word.
            Instance killed = leaders.get("binance");
            List<String> itsVenues = List.of(VENUES).stream().filter(v -> leaders.get(v) == killed).toList();
            int binanceBefore = binance.connections().size();
            int okxBefore = okx.connections().size();
            stopping.put(killed, true);
            long killedAt = System.currentTimeMillis();
            killed.process().destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            instances.remove(killed);
            Map<String, Long> takeover = new LinkedHashMap<>();
            await("another instance subscribed to " + itsVenues, Duration.ofMillis(KILLED_TAKEOVER_MILLIS + 10_000), () -> {
                if (takeover.get("binance") == null && subscribedAfter(binance, binanceBefore) >= 0) {
                    takeover.put("binance", System.currentTimeMillis() - killedAt);
                }
                if (itsVenues.contains("okx") && takeover.get("okx") == null && subscribedAfter(okx, okxBefore) >= 0) {
                    takeover.put("okx", System.currentTimeMillis() - killedAt);
                }
                return takeover.size() == itsVenues.size();
            });
            Map<String, Instance> after = leaders(instances, "the new leaders announced", Duration.ofSeconds(10));
            System.out.printf("cluster: %s killed (SIGKILL); takeover of %s after %s ms%n", killed.name(), itsVenues, takeover);
            for (String venue : itsVenues) {
                assertTrue(takeover.get(venue) <= KILLED_TAKEOVER_MILLIS, venue + " taken over after " + takeover.get(venue) + " ms");
            }

            // A graceful stop hands over at once.
            Instance stopped = after.get("binance");
            int beforeStop = binance.connections().size();
            long stoppedAt = System.currentTimeMillis();
            stopping.put(stopped, true);
            stopped.process().destroy();
            long[] stopTakeover = { -1 };
            await("Binance taken over after a graceful stop", Duration.ofSeconds(15), () -> {
                if (subscribedAfter(binance, beforeStop) >= 0) {
                    stopTakeover[0] = System.currentTimeMillis() - stoppedAt;
                    return true;
                }
                return false;
            });
            stopped.process().waitFor(30, TimeUnit.SECONDS);
            instances.remove(stopped);
            System.out.printf("cluster: %s stopped (SIGTERM); Binance taken over after %d ms%n", stopped.name(), stopTakeover[0]);
            assertTrue(stopTakeover[0] <= STOPPED_TAKEOVER_MILLIS, "taken over after " + stopTakeover[0] + " ms");

            // Redis keeps getting the newest ticks: one more round, stored exactly.
            running.set(false);
            for (Thread t : threads) {
                t.join(10_000);
            }
            binance.sendRound(t -> t.startsWith("aaa"));
            long aaa = binance.lastSequence();
            okx.sendRound(t -> true);
            long okxSeq = okx.lastSequence();
            await("the newest ticks stored", Duration.ofSeconds(10), () -> {
                String b = redis.get("tick:latest:AAAUSDT");
                String o = redis.get("tick:latest:okx:AAA-USDT");
                return b != null && b.contains("\"update_id\":" + aaa) && o != null && o.contains("\"update_id\":" + okxSeq);
            });

            // How long Redis went without a new Binance tick around the kill: the takeover, plus a round's pace.
            long killedGap = largestGap(changes.get("tick:latest:AAAUSDT"), killedAt);
            System.out.printf("cluster: largest gap in stored Binance ticks after the kill: %d ms%n", killedGap);
            assertTrue(killedGap <= takeover.get("binance") + 1_000, "gap " + killedGap + " ms");
            assertEquals(1, binance.mostOpenAtOnce(), "Binance connections open at once");
            assertEquals(1, okx.mostOpenAtOnce(), "OKX connections open at once");
            assertEquals(List.of(), restProblems);
            assertTrue(restAnswers.get() >= 100, "REST answers polled: " + restAnswers.get());
            Instance last = instances.get(0);
            assertEquals(0.0, metric(last, "marketdata_quality_alerts_total", "kind=\"stale\""), "stale alerts raised by " + last.name());
            assertEquals(List.of("binance", "okx"), JSON.convertValue(health(last).path("cluster").path("leads"), List.class));
        } finally {
            running.set(false);
            for (Thread t : threads) {
                t.join(10_000);
            }
            for (Instance i : instances) {
                i.process().destroyForcibly().waitFor(20, TimeUnit.SECONDS);
            }
        }
    }

    /** The longest time Redis went without a new value, in the 20 s from the kill on. */
    private static long largestGap(List<Long> times, long from) {
        long gap = 0;
        Long previous = null;
        for (long t : times == null ? List.<Long>of() : times) {
            if (t < from - 1_000 || t > from + 20_000) {
                continue;
            }
            if (previous != null) {
                gap = Math.max(gap, t - previous);
            }
            previous = t;
        }
        return gap;
    }
}
