package dev.marketdata.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import dev.marketdata.support.CapturedLog;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * What the instances tell each other through Redis, with a real Redis and several watches as several instances
 * would run them: the leader's feed as every follower's health shows it, two instances leading one venue named in
 * the log, a venue without a leader logged, and announcements nobody made ignored.
 */
class ClusterWatchIT {

    private static JedisConnectionFactory factory;
    private static StringRedisTemplate redis;

    @BeforeAll
    static void connect() {
        TestRedis.ensureStarted();
        factory = new JedisConnectionFactory(new RedisStandaloneConfiguration(TestRedis.host(), TestRedis.port()));
        factory.afterPropertiesSet();
        factory.start();
        redis = new StringRedisTemplate(factory);
    }

    @AfterAll
    static void disconnect() {
        factory.destroy();
    }

    @BeforeEach
    void flush() {
        TestRedis.flush();
    }

    /** An instance in a cluster that leads binance while the flag is set. */
    private static ClusterWatch instance(String name, AtomicBoolean leadsBinance) {
        ClusterWatch.Leads leads = new ClusterWatch.Leads() {
            @Override
            public boolean leads(String venue) {
                return venue.equals("binance") && leadsBinance.get();
            }

            @Override
            public boolean clustered() {
                return true;
            }
        };
        return new ClusterWatch(redis, leads, "file", name, List.of("binance"), List::of, keys -> Map.of(), (k, t) -> { },
                System::currentTimeMillis);
    }

    @Test
    void followersSeeTheLeadersFeedAsItAnnouncedIt() {
        ClusterWatch leader = instance("gw-1", new AtomicBoolean(true));
        ClusterWatch follower = instance("gw-2", new AtomicBoolean(false));
        leader.feedProblem(venue -> "the venue refused the connection (HTTP 403)");
        leader.tick();
        follower.tick();
        assertEquals("gw-1", follower.leaderOf("binance").instance());
        assertEquals("the venue refused the connection (HTTP 403)", follower.leaderOf("binance").feedError());
        assertEquals(Map.of("service", "file", "instance", "gw-2", "leads", List.of(), "leaders", Map.of("binance", "gw-1")),
                follower.details());
        leader.feedProblem(venue -> null);
        leader.tick();
        follower.tick();
        assertNull(follower.leaderOf("binance").feedError());
    }

    @Test
    void twoInstancesLeadingOneVenueAreNamed() {
        try (CapturedLog log = new CapturedLog(ClusterWatch.class)) {
            ClusterWatch first = instance("gw-1", new AtomicBoolean(true));
            ClusterWatch outsider = instance("gw-x", new AtomicBoolean(true));
            first.tick();
            outsider.tick();
            assertEquals(List.of(), log.linesAt("WARN"), "the first announcement after a takeover may replace the last leader's");
            first.tick();
            assertEquals(List.of("WARN Two instances lead binance and both ingest it: this one (gw-1) and gw-x. Every instance must "
                    + "use the same cluster.service and cluster.file.root (a cluster.service=none instance on the same Redis leads "
                    + "every venue)"), log.linesAt("WARN"));
            // The same name twice: two processes, each must have its own.
            ClusterWatch one = instance("gw-7", new AtomicBoolean(true));
            ClusterWatch other = instance("gw-7", new AtomicBoolean(true));
            one.tick();
            other.tick();
            one.tick();
            assertEquals("WARN Two instances lead binance and both ingest it: this one (gw-7) and gw-7 (two processes run as gw-7: "
                    + "give each its own cluster.instance-id). Every instance must use the same cluster.service and cluster.file.root "
                    + "(a cluster.service=none instance on the same Redis leads every venue)", log.linesAt("WARN").get(log.linesAt("WARN").size() - 1));
        }
    }

    @Test
    void aVenueWithoutALeaderIsLoggedOnceAndItsReturnToo() {
        try (CapturedLog log = new CapturedLog(ClusterWatch.class)) {
            AtomicBoolean leads = new AtomicBoolean(false);
            ClusterWatch follower = instance("gw-2", new AtomicBoolean(false));
            ClusterWatch leader = instance("gw-1", leads);
            follower.tick();
            follower.tick();
            assertEquals(List.of("WARN No instance leads binance now: nobody ingests it until one takes it over"), log.linesAt("WARN"));
            assertEquals("no instance leads binance", follower.noLeaderReason("binance"));
            leads.set(true);
            leader.tick();
            follower.tick();
            assertEquals(1, log.lines().stream().filter(l -> l.startsWith("INFO binance is led again, by gw-1, after ")).count(),
                    String.join("\n", log.lines()));
        }
    }

    @Test
    void announcementsNobodyMadeAreIgnored() {
        ClusterWatch follower = instance("gw-2", new AtomicBoolean(false));
        for (String garbage : List.of("gw-1", "{\"instance\":\"gw 1\",\"since\":1}", "{\"instance\":\"gw-1\"}", "x".repeat(5000),
                "{\"instance\":\"gw-1\",\"since\":\"soon\"}")) {
            redis.opsForValue().set(ClusterWatch.LEADER_PREFIX + "binance", garbage);
            follower.tick();
            assertNull(follower.leaderOf("binance"), garbage);
        }
        redis.delete(ClusterWatch.LEADER_PREFIX + "binance");
        redis.opsForHash().put(ClusterWatch.LEADER_PREFIX + "binance", "instance", "gw-1");
        follower.tick();
        assertNull(follower.leaderOf("binance"));
        // A leader replaces whatever was there.
        instance("gw-1", new AtomicBoolean(true)).tick();
        follower.tick();
        assertEquals("gw-1", follower.leaderOf("binance").instance());
    }
}
