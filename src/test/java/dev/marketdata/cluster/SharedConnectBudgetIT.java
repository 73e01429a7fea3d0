package dev.marketdata.cluster;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.marketdata.exchange.coinbase.CoinbaseProtocol;
import dev.marketdata.feed.ConnectLimiter;
import dev.marketdata.feed.ConnectionSpec;
import dev.marketdata.feed.ConnectionTiming;
import dev.marketdata.feed.ExchangeProtocol;
import dev.marketdata.feed.StreamConnection;
import dev.marketdata.model.Instrument;
import dev.marketdata.model.Venue;
import dev.marketdata.support.CapturedLog;
import dev.marketdata.support.CountingFeedEvents;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import dev.marketdata.support.VenueStandIn;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisClientConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.resps.Tuple;
import redis.embedded.RedisServer;

/**
 * One connect budget per egress address, kept in a real Redis and shared by instances as separate processes would
 * share it: each "instance" here is a {@link ConnectLimiter} with a {@link RedisConnectBudget} of its own (its own
 * instance id, its own thread), so nothing but Redis is shared between them.
 */
class SharedConnectBudgetIT {

    private static final int LIMIT = 5;
    private static final long WINDOW = 3_000;

    private final List<AutoCloseable> closing = new ArrayList<>();
    private JedisConnectionFactory factory;
    private StringRedisTemplate redis;

    @BeforeEach
    void connect() {
        factory = TestRedis.connectionFactory();
        redis = template(factory);
        try (Jedis jedis = TestRedis.client()) {
            jedis.keys(RedisConnectBudget.KEY_PREFIX + "*").forEach(jedis::del);
        }
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        factory.destroy();
    }

    /** A new instance on the test Redis: its limiter, booking in a budget of its own (own id, own thread). */
    private ConnectLimiter instance(String venue, String egress, int limit, long window) {
        RedisConnectBudget budget = new RedisConnectBudget(redis, 1_000);
        closing.add(budget);
        ConnectLimiter limiter = new ConnectLimiter(limit, window, System::currentTimeMillis);
        limiter.share(budget, venue, egress);
        return limiter;
    }

    private static long book(ConnectLimiter limiter, ProxyOptions via) throws Exception {
        return limiter.reserve(via).get(5, TimeUnit.SECONDS);
    }

    private static long redisNow() {
        try (Jedis jedis = TestRedis.client()) {
            List<String> time = jedis.time();
            return Long.parseLong(time.get(0)) * 1000 + Long.parseLong(time.get(1)) / 1000;
        }
    }

    private static List<Tuple> entries(String key) {
        try (Jedis jedis = TestRedis.client()) {
            return jedis.zrangeWithScores(key, 0, -1);
        }
    }

    @Test
    void threeInstancesOnOneEgressAdmitExactlyTheLimitBetweenThem() throws Exception {
        List<ConnectLimiter> instances = List.of(instance("it-shared", "default", LIMIT, WINDOW),
                instance("it-shared", "default", LIMIT, WINDOW), instance("it-shared", "default", LIMIT, WINDOW));
        String key = "connect:budget:it-shared:default";
        for (int i = 0; i < LIMIT; i++) {
            assertEquals(0, book(instances.get(i % 3), null), "connect " + (i + 1));
        }
        // Each instance alone is far under the limit (2, 2 and 1 connects): only the shared count refuses the next.
        long before = redisNow();
        long wait = book(instances.get(2), null);
        long after = redisNow();
        List<Tuple> booked = entries(key);
        assertEquals(LIMIT, booked.size());
        assertEquals(3, booked.stream().map(t -> t.getElement().substring(0, t.getElement().indexOf(':'))).distinct().count());
        long oldest = (long) booked.get(0).getScore();
        // The wait is until the oldest connect leaves the window, by Redis' clock.
        assertTrue(wait >= oldest + WINDOW - after && wait <= oldest + WINDOW - before && wait > 0,
                "wait " + wait + " for the oldest at " + oldest + ", Redis' time " + before + ".." + after);
        // The refused connect is not counted anywhere: not in Redis, not in the instance's own window.
        assertEquals(List.of(2, 2, 1), instances.stream().map(ConnectLimiter::inWindow).toList());
        try (Jedis jedis = TestRedis.client()) {
            long ttl = jedis.pttl(key);
            assertTrue(ttl > 0 && ttl <= WINDOW, "the key expires with its newest connect: " + ttl);
        }
        assertEquals(LIMIT, instances.get(0).used(null));
        assertEquals("connect:budget:it-shared:default", instances.get(1).usedScope(null));

        // Once the oldest has left the window, a slot is free again: for any of the instances, and not before.
        await("a slot frees up", Duration.ofSeconds(10), () -> {
            try {
                return book(instances.get(1), null) == 0;
            } catch (Exception e) {
                throw new AssertionError(e);
            }
        });
        List<Tuple> now = entries(key);
        Tuple admitted = now.get(now.size() - 1);
        long at = (long) admitted.getScore();
        assertTrue(at >= oldest + WINDOW, "booked at " + at + ", the oldest left at " + (oldest + WINDOW));
        // Exactly the connects booked a window or more before it left; the others are still counted.
        List<String> kept = booked.stream().filter(t -> (long) t.getScore() > at - WINDOW).map(Tuple::getElement).toList();
        assertEquals(kept, now.subList(0, now.size() - 1).stream().map(Tuple::getElement).toList());
        assertTrue(kept.size() < LIMIT);
    }

    @Test
    void instancesOnDifferentEgressesHaveABudgetEach() throws Exception {
        ConnectLimiter east = instance("it-egress", "nat-east", LIMIT, WINDOW);
        ConnectLimiter east2 = instance("it-egress", "nat-east", LIMIT, WINDOW);
        ConnectLimiter west = instance("it-egress", "nat-west", LIMIT, WINDOW);
        for (int i = 0; i < LIMIT; i++) {
            assertEquals(0, book(i % 2 == 0 ? east : east2, null));
            assertEquals(0, book(west, null));
        }
        assertTrue(book(east2, null) > 0);
        assertTrue(book(west, null) > 0);
        assertEquals(LIMIT, entries("connect:budget:it-egress:nat-east").size());
        assertEquals(LIMIT, entries("connect:budget:it-egress:nat-west").size());
    }

    @Test
    void connectsThroughOneProxyShareItsBudgetWhateverTheEgress() throws Exception {
        ConnectLimiter east = instance("it-proxy", "nat-east", LIMIT, WINDOW);
        ConnectLimiter west = instance("it-proxy", "nat-west", LIMIT, WINDOW);
        ProxyOptions shared = new ProxyOptions().setType(ProxyType.SOCKS5).setHost("proxy.example").setPort(1080)
                .setUsername("ops").setPassword("hunter2");
        ProxyOptions local = new ProxyOptions().setType(ProxyType.HTTP).setHost("127.0.0.1").setPort(3128);
        for (int i = 0; i < LIMIT; i++) {
            assertEquals(0, book(i % 2 == 0 ? east : west, shared));
        }
        assertTrue(book(west, shared) > 0);
        // The proxy's budget is its own: direct connects, and a loopback proxy (one per machine), still have theirs.
        assertEquals(0, book(east, null));
        assertEquals(0, book(east, local));
        assertEquals(0, book(west, local));
        try (Jedis jedis = TestRedis.client()) {
            assertEquals(Set.of("connect:budget:it-proxy:@proxy.example:1080", "connect:budget:it-proxy:nat-east",
                    "connect:budget:it-proxy:nat-east@127.0.0.1:3128", "connect:budget:it-proxy:nat-west@127.0.0.1:3128"),
                    jedis.keys("connect:budget:it-proxy:*"));
        }
        assertEquals(LIMIT, entries("connect:budget:it-proxy:@proxy.example:1080").size());
    }

    /**
     * Redis goes away and comes back: meanwhile the instance books in its own window (which counted the shared
     * connects too), says so once, and never goes over the limit; back, it says so once and shares again.
     */
    @Test
    void whileRedisIsDownEachInstanceKeepsTheLimitOnItsOwn() throws Exception {
        int port = TestRedis.freePort();
        RedisServer server = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                .setting("save \"\"").setting("appendonly no").build();
        server.start();
        closing.add(server::stop);
        JedisConnectionFactory own = factory(port, 500);
        closing.add(own::destroy);
        RedisConnectBudget budget = new RedisConnectBudget(template(own), 1_000);
        closing.add(budget);
        long window = 60_000;
        ConnectLimiter limiter = new ConnectLimiter(LIMIT, window, System::currentTimeMillis);
        // Asks Redis again at every connect (5 s in the gateway), so that each one below meets the outage.
        limiter.share(budget, "it-outage", "default", 0);
        String key = "connect:budget:it-outage:default";
        try (CapturedLog log = new CapturedLog(ConnectLimiter.class)) {
            long first = System.currentTimeMillis();
            assertEquals(0, book(limiter, null));
            assertEquals(1, count(port, key));

            server.stop();
            assertEquals(0, book(limiter, null));
            assertEquals(0, book(limiter, null));
            assertEquals(List.of("WARN it-outage connect budget: Redis did not answer"), log.lines().stream()
                    .map(l -> l.substring(0, l.indexOf(" ("))).toList());
            assertTrue(log.lines().get(0).endsWith("); until it does, this instance keeps the venue's limit (5 per 60 s) "
                    + "on its own, and the instances on egress 'default' are no longer counted together"), log.lines().get(0));
            assertTrue(limiter.usedScope(null).startsWith("this process (Redis unreachable since "), limiter.usedScope(null));
            assertEquals(3, limiter.used(null));

            server.start();
            log.clear();
            assertEquals(0, book(limiter, null));
            assertEquals(List.of("INFO it-outage connect budget: Redis answers again; connects are counted with every "
                    + "instance on egress 'default' again"), log.lines());
            // This Redis keeps nothing across a restart: the connect just booked is all it knows of.
            assertEquals(1, count(port, key));
            assertEquals("connect:budget:it-outage:default", limiter.usedScope(null));
            assertEquals(1, limiter.used(null));
            // This process's window counted all five, shared or not: the sixth waits, whatever Redis would say.
            assertEquals(0, book(limiter, null));
            long wait = book(limiter, null);
            long since = System.currentTimeMillis() - first;
            assertTrue(wait > 0 && wait <= window && wait >= window - since, "wait " + wait + " after " + since + " ms");
            assertEquals(2, count(port, key));
            assertEquals(5, limiter.inWindow());
        }
    }

    /** A Redis that takes connections and never answers: the caller goes on at once, and the connect on its own. */
    @Test
    void aRedisThatDoesNotAnswerNeverHoldsTheCaller() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                CapturedLog log = new CapturedLog(ConnectLimiter.class)) {
            JedisConnectionFactory hanging = factory(silent.getLocalPort(), 10_000);
            closing.add(0, hanging::destroy);
            RedisConnectBudget budget = new RedisConnectBudget(template(hanging), 300);
            closing.add(0, budget);
            ConnectLimiter limiter = new ConnectLimiter(LIMIT, WINDOW, System::currentTimeMillis);
            limiter.share(budget, "it-silent", "default");
            CompletableFuture<Long> booking = limiter.reserve(null);
            // Returned before Redis answered: the caller (an event loop) was not held.
            assertFalse(booking.isDone());
            assertEquals(0L, booking.get(5, TimeUnit.SECONDS));
            assertEquals(1, limiter.inWindow());
            assertEquals(1, log.lines().size());
            assertTrue(log.lines().get(0).startsWith("WARN it-silent connect budget: Redis did not answer (no answer within "
                    + "its timeout); "), log.lines().get(0));
            // For the next 5 s connects are booked here without asking: answered at once.
            assertTrue(limiter.reserve(null).isDone());
        }
    }

    @Test
    void aBudgetOfAnotherTypeIsReplacedAndConnectsGoOn() throws Exception {
        String key = "connect:budget:it-type:default";
        try (Jedis jedis = TestRedis.client(); CapturedLog log = new CapturedLog(RedisConnectBudget.class)) {
            jedis.set(key, "not a budget");
            ConnectLimiter limiter = instance("it-type", "default", LIMIT, WINDOW);
            assertEquals(0, book(limiter, null));
            assertEquals("zset", jedis.type(key));
            assertEquals(1, jedis.zcard(key));
            assertEquals(List.of("WARN Connect budget connect:budget:it-type:default held a value of another type, not a "
                    + "gateway's connects: replaced it"), log.lines());
        }
    }

    /**
     * Entries no gateway writes: foreign names filling the budget, and bookings far ahead of Redis' clock that would
     * never leave the window. Removed, said once, and the connect goes on; the same key repaired again is not logged
     * again within the minute.
     */
    @Test
    void foreignOrFutureEntriesAreRemovedAndConnectsGoOn() throws Exception {
        String key = "connect:budget:it-garbage:default";
        try (Jedis jedis = TestRedis.client(); CapturedLog log = new CapturedLog(RedisConnectBudget.class)) {
            long now = redisNow();
            for (int i = 0; i < LIMIT; i++) {
                jedis.zadd(key, now, "garbage " + i);
            }
            jedis.zadd(key, now + 10 * 86_400_000L, "abc123:7");
            jedis.zadd(key, 1e15, "evil");
            ConnectLimiter limiter = instance("it-garbage", "default", LIMIT, WINDOW);
            assertEquals(0, book(limiter, null));
            assertEquals(1, jedis.zcard(key));
            assertTrue(jedis.zrange(key, 0, -1).get(0).matches("[0-9a-f]{16}:1"), jedis.zrange(key, 0, -1).toString());
            assertEquals(List.of("WARN Connect budget connect:budget:it-garbage:default held 7 entries no gateway writes "
                    + "(foreign names, or booked ahead of Redis' clock): removed them"), log.lines());
            jedis.zadd(key, now, "more garbage");
            assertEquals(0, book(limiter, null));
            assertEquals(2, jedis.zcard(key));
            assertEquals(1, log.lines().size());

            // Far more entries than any gateway keeps: not scanned, the key is replaced whole.
            String big = "connect:budget:it-huge:default";
            for (int i = 0; i < 4 * LIMIT + 101; i++) {
                jedis.zadd(big, now, "abcdef:" + i);
            }
            assertEquals(0, book(instance("it-huge", "default", LIMIT, WINDOW), null));
            assertEquals(1, jedis.zcard(big));
            assertEquals("WARN Connect budget connect:budget:it-huge:default held 121 entries no gateway writes (foreign "
                    + "names, or booked ahead of Redis' clock): removed them", log.lines().get(1));
        }
    }

    /**
     * Two instances, three connections each, over real sockets to a venue stand-in, a limit of three per 3 s between
     * them: three connect, three are held (each for less than the window) and connect once the first three left it.
     * Each instance alone would have connected all three of its own at once.
     */
    @Test
    void theConnectionsOfTwoInstancesShareOneBudgetOverRealSockets() throws Exception {
        Vertx vertx = Vertx.vertx();
        closing.add(0, () -> vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS));
        int limit = 3;
        List<CountingFeedEvents> feeds = new ArrayList<>();
        java.util.function.Supplier<List<Long>> connectedAt = () -> feeds.stream().flatMap(f -> f.connectedAt.stream())
                .sorted().toList();
        try (VenueStandIn venue = new VenueStandIn(); CapturedLog log = new CapturedLog(StreamConnection.class)) {
            ExchangeProtocol protocol = new CoinbaseProtocol();
            URI endpoint = URI.create(venue.url("/"));
            ConnectionSpec spec = protocol.connections(endpoint, List.of(Instrument.parse(Venue.COINBASE, "BTC-USD")),
                    Set.of("ticker")).get(0);
            List<StreamConnection> connections = new ArrayList<>();
            List<ConnectLimiter> limiters = List.of(instance("coinbase", "default", limit, WINDOW),
                    instance("coinbase", "default", limit, WINDOW));
            for (int i = 0; i < 3; i++) {
                for (int node = 0; node < 2; node++) {
                    CountingFeedEvents events = new CountingFeedEvents();
                    feeds.add(events);
                    connections.add(new StreamConnection("coinbase-" + node, i, 3, endpoint, spec, protocol, vertx,
                            vertx.createHttpClient(new HttpClientOptions()), events, limiters.get(node),
                            new ConnectionTiming(50, 200, 60_000, 30_000, 3_600_000, 0), (body, nanos, v) -> { }));
                }
            }
            closing.add(0, () -> connections.forEach(StreamConnection::stop));
            connections.forEach(StreamConnection::start);

            // Held until the first three leave the window: three seconds of three connections, not six.
            await("three connected, three held", Duration.ofSeconds(10),
                    () -> holds(log).size() == 3 && connectedAt.get().size() == 3);
            assertEquals(3, venue.connections());
            for (long wait : holds(log)) {
                assertTrue(wait > 0 && wait <= WINDOW, "held " + wait + " ms");
            }
            assertTrue(log.lines().stream().filter(l -> l.contains("holding the reconnect")).allMatch(l -> l.endsWith(
                    "(3 per 3 s, counted in connect:budget:coinbase:default)")), log.lines().toString());
            await("all six connected", Duration.ofSeconds(15), () -> venue.connections() == 6 && connectedAt.get().size() == 6);
            assertEquals(6, venue.clients().size());
            // No four connects within one window (a connect is seen open a handshake after it was booked).
            List<Long> times = connectedAt.get();
            for (int i = 0; i + limit < times.size(); i++) {
                assertTrue(times.get(i + limit) - times.get(i) >= WINDOW - 500, "connects at " + times);
            }
        }
    }

    private static List<Long> holds(CapturedLog log) {
        List<Long> waits = new ArrayList<>();
        Pattern held = Pattern.compile("holding the reconnect (\\d+) ms");
        for (String line : log.linesAt("WARN")) {
            Matcher m = held.matcher(line);
            if (m.find()) {
                waits.add(Long.parseLong(m.group(1)));
            }
        }
        return waits;
    }

    /** A Redis user that may use the ticks' keys but not the budget's: start-up stops, naming what to grant. */
    @Test
    void aRedisUserWithoutTheBudgetsKeysStopsStartUp() throws Exception {
        int port = TestRedis.freePort();
        RedisServer server = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                .setting("save \"\"").setting("appendonly no").setting("user default off")
                .setting("user gateway on >gw-pw ~tick:* &* +@all").build();
        server.start();
        closing.add(server::stop);
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> {
            // Nothing listens where the venue would be: a gateway that did start would connect nowhere.
            try (RunningGateway started = RunningGateway.start(Map.of("binance.ws.url",
                    "ws://127.0.0.1:" + TestRedis.freePort() + "/stream", "redis.port", Integer.toString(port),
                    "redis.username", "gateway", "redis.password", "gw-pw"))) {
                started.port();
            }
        });
        assertEquals("Invalid redis.username: the Redis user may not run a command the shared connect budget needs (NOPERM "
                + "this user has no permissions to access one of the keys used as arguments); grant it EVAL, EVALSHA, "
                + "TIME, TYPE, DEL, ZADD, ZREM, ZRANGE, ZCARD, ZREMRANGEBYSCORE and PEXPIRE on connect:budget:*",
                refused.getMessage());
    }

    private static long count(int port, String key) {
        try (Jedis jedis = new Jedis("127.0.0.1", port)) {
            return jedis.zcard(key);
        }
    }

    private static StringRedisTemplate template(JedisConnectionFactory factory) {
        StringRedisTemplate template = new StringRedisTemplate(factory);
        template.afterPropertiesSet();
        return template;
    }

    private static JedisConnectionFactory factory(int port, long timeoutMillis) {
        JedisConnectionFactory f = new JedisConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1", port),
                JedisClientConfiguration.builder().connectTimeout(Duration.ofMillis(timeoutMillis))
                        .readTimeout(Duration.ofMillis(timeoutMillis)).usePooling().build());
        f.afterPropertiesSet();
        f.start();
        return f;
    }
}
