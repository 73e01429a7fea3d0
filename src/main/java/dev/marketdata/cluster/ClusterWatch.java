package dev.marketdata.cluster;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import org.springframework.data.redis.core.script.DefaultRedisScript;

/**
 * What every instance can say about the others, once a second:
 * <ul>
 * <li>each venue this instance leads is announced in Redis ({@code cluster:leader:<venue>}, expiring after
 * {@link #ANNOUNCE_TTL_MILLIS} unless renewed), so health on every instance says who leads the venues it does not.
 * The announcement is information only: who ingests is decided by the cluster service, never by these keys;</li>
 * <li>with a cluster service, each followed symbol's freshness is taken from the tick Redis holds (its receive
 * time), so that an instance that does not ingest a venue judges its freshness, staleness and health by what every
 * client is served, not by what this process wrote.</li>
 * </ul>
 */
public final class ClusterWatch extends ServiceSupport {

    public static final String LEADER_PREFIX = "cluster:leader:";
    static final long INTERVAL_MILLIS = 1_000;
    static final long ANNOUNCE_TTL_MILLIS = 3_000;
    static final long STARTUP_GRACE_MILLIS = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(ClusterWatch.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Sets the announcement and answers what it replaced: another process's means two instances lead the venue. */
    private static final DefaultRedisScript<String> ANNOUNCE = new DefaultRedisScript<>(
            "local previous = false if redis.call('TYPE', KEYS[1])['ok'] == 'string' then previous = redis.call('GET', KEYS[1]) end "
                    + "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return previous",
            String.class);
    /** Deletes an announcement only while it is still this instance's (another may have taken over meanwhile). */
    private static final DefaultRedisScript<Long> RETRACT = new DefaultRedisScript<>(
            "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end", Long.class);

    /**
     * Who leads a venue, as its leader announced it: {@code since} is when it took over (epoch ms), {@code token}
     * tells its process apart from another with the same name, {@code feedError} is null while its feed is up.
     */
    public record Leader(String instance, String token, long since, String feedError) {
    }

    /** Which venues this instance leads ({@link VenueLeadership}). */
    public interface Leads {
        boolean leads(String venue);

        /** False without a cluster service: this instance leads every venue. */
        boolean clustered();
    }

    /** This instance's feed of a venue, as its health check judges it: null while up, else why it is down. */
    @FunctionalInterface
    public interface FeedProblem {
        String of(String venue);
    }

    private final StringRedisTemplate redis;
    private final Leads leadership;
    private final String service;
    private final String instance;
    private final List<String> venues;
    private final Supplier<List<String>> followedKeys;
    private final Function<List<String>, Map<String, Long>> storedReceivedAt;
    private final BiConsumer<String, Long> observe;
    private final LongSupplier clock;
    private final Map<String, Long> leadingSince = new ConcurrentHashMap<>();
    private final Map<String, String> announced = new ConcurrentHashMap<>();
    private volatile Map<String, Leader> leaders = Map.of();
    private final String token = java.util.UUID.randomUUID().toString().substring(0, 8);
    private final Map<String, Long> leaderlessSince = new ConcurrentHashMap<>();
    private final java.util.Set<String> warnedLeaderless = ConcurrentHashMap.newKeySet();
    private volatile long startedAt;
    private final dev.marketdata.feed.RateLimitedLog twoLeaders = new dev.marketdata.feed.RateLimitedLog(LOG, 30_000);
    private volatile FeedProblem feedProblem = venue -> null;
    private volatile boolean redisAnswered;
    private ScheduledExecutorService timer;

    /**
     * @param followedKeys     the followed keys ({@code exchange:SYMBOL})
     * @param storedReceivedAt the receive time of the valid tick Redis holds for each key that has one
     * @param observe          told each key's stored receive time (the freshness tracker)
     */
    public ClusterWatch(StringRedisTemplate redis, Leads leadership, String service, String instance, List<String> venues,
            Supplier<List<String>> followedKeys, Function<List<String>, Map<String, Long>> storedReceivedAt,
            BiConsumer<String, Long> observe, LongSupplier clock) {
        this.redis = redis;
        this.leadership = leadership;
        this.service = service;
        this.instance = instance;
        this.venues = List.copyOf(venues);
        this.followedKeys = followedKeys;
        this.storedReceivedAt = storedReceivedAt;
        this.observe = observe;
        this.clock = clock;
    }

    /** How this instance's own feeds are doing, announced with its leadership for the other instances' health. */
    public void feedProblem(FeedProblem problem) {
        this.feedProblem = problem;
    }

    @Override
    protected void doStart() {
        startedAt = clock.getAsLong();
        timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "cluster-watch");
            thread.setDaemon(true);
            return thread;
        });
        timer.scheduleWithFixedDelay(this::tick, 0, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    protected void doStop() {
        if (timer != null) {
            timer.shutdownNow();
            try {
                timer.awaitTermination(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // Leadership was handed over as the context began stopping: say so at once rather than in ANNOUNCE_TTL.
        for (String venue : List.copyOf(announced.keySet())) {
            retract(venue);
        }
    }

    void tick() {
        try {
            announce();
            readLeaders();
            if (leadership.clustered()) {
                syncFreshness();
            }
            redisAnswered = true;
        } catch (RuntimeException e) {
            // Redis away: the store reports the outage; leaders are shown as unknown until it answers again.
            redisAnswered = false;
            LOG.debug("cluster watch: {}", e.toString());
        }
    }

    private void announce() {
        long now = clock.getAsLong();
        for (String venue : venues) {
            if (leadership.leads(venue)) {
                long since = leadingSince.computeIfAbsent(venue, v -> {
                    if (leadership.clustered()) {
                        LOG.info("This instance ({}) now leads {}: it ingests it", instance, v);
                    }
                    return now;
                });
                String problem = feedProblem.of(venue);
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("instance", instance);
                fields.put("token", token);
                fields.put("since", since);
                fields.put("feed_error", problem == null ? null : problem.length() > 300 ? problem.substring(0, 300) : problem);
                String value;
                try {
                    value = JSON.writeValueAsString(fields);
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
                String previous = redis.execute(ANNOUNCE, List.of(LEADER_PREFIX + venue), value, Long.toString(ANNOUNCE_TTL_MILLIS));
                Leader other = parse(previous);
                // Another process wrote since this one's last announcement: two instances lead the venue (the first
                // announcement after a takeover may still find the previous leader's, which is not that).
                if (announced.containsKey(venue) && other != null && !token.equals(other.token())) {
                    twoLeaders.warn(venue, "Two instances lead {} and both ingest it: this one ({}) and {}{}. Every instance must "
                            + "use the same cluster.service and cluster.file.root (a cluster.service=none instance on the same Redis "
                            + "leads every venue)", venue, instance, other.instance(), other.instance().equals(instance)
                            ? " (two processes run as " + instance + ": give each its own cluster.instance-id)" : "");
                }
                announced.put(venue, value);
            } else if (leadingSince.remove(venue) != null || announced.containsKey(venue)) {
                LOG.info("This instance ({}) no longer leads {}", instance, venue);
                retract(venue);
            }
        }
    }

    private void retract(String venue) {
        String value = announced.remove(venue);
        if (value == null) {
            return;
        }
        try {
            redis.execute(RETRACT, List.of(LEADER_PREFIX + venue), value);
        } catch (RuntimeException e) {
            LOG.debug("retracting the leadership of {}: {}", venue, e.toString());
        }
    }

    private void readLeaders() {
        List<String> keys = venues.stream().map(v -> LEADER_PREFIX + v).toList();
        List<String> values = redis.opsForValue().multiGet(keys);
        Map<String, Leader> read = new LinkedHashMap<>();
        for (int i = 0; i < venues.size(); i++) {
            Leader leader = values == null ? null : parse(values.get(i));
            if (leader != null) {
                read.put(venues.get(i), leader);
            }
        }
        leaders = read;
        if (leadership.clustered()) {
            long now = clock.getAsLong();
            for (String venue : venues) {
                if (read.containsKey(venue)) {
                    Long since = leaderlessSince.remove(venue);
                    if (since != null && warnedLeaderless.remove(venue)) {
                        LOG.info("{} is led again, by {}, after {} ms without a leader", venue, read.get(venue).instance(), now - since);
                    }
                } else {
                    leaderlessSince.putIfAbsent(venue, now);
                    // Right after start-up the first election may still be under way: not worth a warning yet.
                    if (now - startedAt >= STARTUP_GRACE_MILLIS && warnedLeaderless.add(venue)) {
                        LOG.warn("No instance leads {} now: nobody ingests it until one takes it over", venue);
                    }
                }
            }
        }
    }

    /** A value of another writer's making is shown only if it has the announced form. */
    static Leader parse(String value) {
        if (value == null || value.length() > 1024) {
            return null;
        }
        try {
            JsonNode node = JSON.readTree(value);
            JsonNode who = node.get("instance");
            JsonNode since = node.get("since");
            if (who == null || !who.isTextual() || !who.asText().matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")
                    || since == null || !since.canConvertToLong()) {
                return null;
            }
            JsonNode token = node.get("token");
            JsonNode error = node.get("feed_error");
            return new Leader(who.asText(), token != null && token.isTextual() ? token.asText() : "",
                    since.asLong(), error != null && error.isTextual() ? error.asText() : null);
        } catch (java.io.IOException e) {
            return null;
        }
    }

    private void syncFreshness() {
        // The venues led here are judged by what this process stores, which is what Redis holds: reading them back
        // would cost a read of every symbol every second for nothing.
        List<String> keys = followedKeys.get().stream()
                .filter(key -> !leadership.leads(dev.marketdata.model.MarketTick.exchangeOfKey(key))).toList();
        if (keys.isEmpty()) {
            return;
        }
        storedReceivedAt.apply(keys).forEach(observe);
    }

    /** Who leads the venue, as announced in Redis; null when nobody does (or Redis did not answer). */
    public Leader leaderOf(String venue) {
        if (leadership.leads(venue)) {
            // This instance knows it leads, Redis or not.
            return new Leader(instance, token, leadingSince.getOrDefault(venue, 0L), null);
        }
        return redisAnswered ? leaders.get(venue) : null;
    }

    /** True when Redis answered and no instance announced that it leads the venue. */
    public boolean nobodyLeads(String venue) {
        return leadership.clustered() && redisAnswered && !leaders.containsKey(venue);
    }

    /** Why no leader is known for the venue: nobody announced it, or Redis did not answer the last reading. */
    public String noLeaderReason(String venue) {
        return redisAnswered ? "no instance leads " + venue : "who leads " + venue + " is unknown: Redis did not answer";
    }

    /** The name of the instance that leads the venue, null when none is known. */
    public String leaderName(String venue) {
        Leader leader = leaderOf(venue);
        return leader == null ? null : leader.instance();
    }

    /** What the venue's leader announced of its own feed: null while it is up, or when no leader is known. */
    public String leaderFeedError(String venue) {
        Leader leader = leaderOf(venue);
        return leader == null ? null : leader.feedError();
    }

    public boolean leads(String venue) {
        return leadership.leads(venue);
    }

    /** Health's {@code cluster} section. */
    public Map<String, Object> details() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("service", service);
        out.put("instance", instance);
        List<String> led = new ArrayList<>();
        Map<String, Object> who = new LinkedHashMap<>();
        for (String venue : venues) {
            if (leadership.leads(venue)) {
                led.add(venue);
            }
            Leader leader = leaderOf(venue);
            who.put(venue, leader == null ? null : leader.instance());
        }
        out.put("leads", led);
        out.put("leaders", who);
        return out;
    }
}
