package dev.marketdata.api;

import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

import dev.marketdata.feed.VenueFeed;
import dev.marketdata.pipeline.FreshnessTracker;
import dev.marketdata.pipeline.Failures;
import dev.marketdata.pipeline.IngestMetrics;
import dev.marketdata.pipeline.LatestTickStore;
import org.apache.camel.health.HealthCheckResultBuilder;
import org.apache.camel.impl.health.AbstractHealthCheck;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * The gateway's health checks (group {@code market-data}). On {@code /observe/health}: {@link Serving}, the
 * readiness (the API can serve: Redis reachable or last-known ticks held), and {@link Redis}, reported.
 * The feed and freshness checks are only in {@code /api/v1/health}: a venue being away makes the API
 * {@code degraded}, never takes the instance out of service. Liveness is Camel's own.
 */
public final class GatewayHealthChecks {

    public static final String GROUP = "market-data";

    /** Lists in health output stop here: a probe polled every second should not carry thousands of symbols. */
    public static final int LISTED = 50;

    private GatewayHealthChecks() {
    }

    /** The first {@link #LISTED} entries (the count is reported beside them). */
    static List<String> firstOf(List<String> entries) {
        return entries.size() <= LISTED ? List.copyOf(entries) : List.copyOf(entries.subList(0, LISTED));
    }

    /**
     * Readiness: the instance can serve. The REST API answers (this check is served by it), and Redis is
     * reachable or the gateway holds last-known ticks it can serve without it. A venue being unreachable
     * never takes the instance out of a load balancer: the API stays up and says {@code degraded}.
     */
    public static class Serving extends AbstractHealthCheck {
        private final LatestTickStore store;

        public Serving(LatestTickStore store) {
            super(GROUP, "serving");
            this.store = store;
        }

        @Override
        public boolean isLiveness() {
            return false;
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            boolean redisUp = store.redisUp();
            int lastKnown = store.lastKnownCount();
            builder.detail("redis", redisUp ? "up" : "down");
            builder.detail("last_known_ticks", lastKnown);
            if (redisUp || lastKnown > 0) {
                builder.up();
            } else {
                builder.down();
            }
        }
    }

    /**
     * Redis answers PING. Reported (on /observe/health and /api/v1/health), not readiness: see {@link Serving}.
     * One PING answers every probe for {@link #PING_VALID_NANOS}: probes come from every load balancer and
     * dashboard at once, and need not each cost Redis a round trip (20,000 probes a second would be 20,000 PINGs).
     * Only the first probe waits for its PING; after that a stale verdict is refreshed in the background while
     * probes answer at once with the last one, so a Redis that hangs (no answer until {@code redis.timeout-ms})
     * never holds up the probes, nor, through Camel's lock on the check, the HTTP workers and readiness. A Redis
     * command failing anywhere in the gateway since the last PING asks again, and while the store finds Redis
     * down the check says so at once.
     */
    public static class Redis extends Informational {
        static final long PING_VALID_NANOS = 250_000_000L;
        private final StringRedisTemplate redis;
        private final IngestMetrics metrics;
        private final java.util.function.BooleanSupplier storeSeesRedis;
        private final java.util.function.LongSupplier nanoClock;
        private final java.util.concurrent.atomic.AtomicBoolean pinging = new java.util.concurrent.atomic.AtomicBoolean();
        private final java.util.concurrent.ThreadPoolExecutor pinger;
        /** The last PING's verdict (null: PONG, else the error to report), when it came, and the gateway's Redis errors then. */
        private volatile Pinged last;
        private volatile String mode = "standalone";
        private volatile java.util.function.Supplier<String> server = () -> null;

        private record Pinged(String error, long atNanos, double errorsSeen) {
        }

        public Redis(StringRedisTemplate redis, IngestMetrics metrics, java.util.function.BooleanSupplier storeSeesRedis) {
            this(redis, metrics, storeSeesRedis, System::nanoTime);
        }

        Redis(StringRedisTemplate redis, IngestMetrics metrics, java.util.function.BooleanSupplier storeSeesRedis,
                java.util.function.LongSupplier nanoClock) {
            super("redis");
            this.redis = redis;
            this.metrics = metrics;
            this.storeSeesRedis = storeSeesRedis;
            this.nanoClock = nanoClock;
            this.pinger = new java.util.concurrent.ThreadPoolExecutor(1, 1, 10, java.util.concurrent.TimeUnit.SECONDS,
                    new java.util.concurrent.LinkedBlockingQueue<>(), task -> {
                        Thread thread = new Thread(task, "redis-health-ping");
                        thread.setDaemon(true);
                        return thread;
                    });
            this.pinger.allowCoreThreadTimeOut(true);
        }

        /**
         * How Redis is found ({@code standalone}, {@code sentinel}) and the server the gateway's connections go to now
         * (in sentinel mode, the master the sentinels named last), shown beside the verdict; never a credential.
         */
        public void server(String mode, java.util.function.Supplier<String> server) {
            this.mode = mode;
            this.server = server;
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            builder.detail("mode", mode);
            String at = server.get();
            if (at != null) {
                builder.detail("server", at);
            }
            Pinged known = last;
            if (known == null) {
                known = ping();
            } else if (nanoClock.getAsLong() - known.atNanos() >= PING_VALID_NANOS
                    || metrics.redisErrorCount() != known.errorsSeen()) {
                refreshInBackground();
            }
            if (known.error() != null) {
                builder.detail("error", known.error()).down();
            } else if (!storeSeesRedis.getAsBoolean()) {
                builder.detail("error", "the gateway's Redis commands are failing (PING pending)").down();
            } else {
                builder.up();
            }
        }

        private void refreshInBackground() {
            if (pinging.compareAndSet(false, true)) {
                pinger.execute(() -> {
                    try {
                        ping();
                    } finally {
                        pinging.set(false);
                    }
                });
            }
        }

        /** Asks Redis, and keeps the verdict with the time it came (after a slow answer, not before it). */
        private Pinged ping() {
            String error;
            try {
                String pong = redis.execute(connection -> connection.ping(), true);
                error = "PONG".equalsIgnoreCase(pong) ? null : "unexpected PING answer";
            } catch (RuntimeException e) {
                metrics.redisError("health");
                Failures.Refusal refusal = Failures.redisRefusal(e);
                error = refusal != null ? refusal.describe() : Failures.describe(e);
            }
            Pinged verdict = new Pinged(error, nanoClock.getAsLong(), metrics.redisErrorCount());
            last = verdict;
            return verdict;
        }
    }

    /** Reported on /observe/health and /api/v1/health, but neither liveness nor readiness. */
    abstract static class Informational extends AbstractHealthCheck {
        Informational(String id) {
            super(GROUP, id);
        }

        @Override
        public boolean isLiveness() {
            return false;
        }

        @Override
        public boolean isReadiness() {
            return false;
        }
    }

    /**
     * One venue's feed ({@code feed-<id>}): connected, and a frame arrived within its idle timeout (or the
     * connection is younger). One venue being away makes the API {@code degraded}; the others stay up.
     */
    public static class Feed extends Informational {
        private final VenueFeed feed;
        private final long idleMillis;
        private final LongSupplier clock;
        private final java.util.function.BooleanSupplier leads;
        private final java.util.function.Supplier<String> leader;
        private final java.util.function.Supplier<String> noLeader;
        private final java.util.function.Supplier<String> leaderFeedProblem;

        public Feed(VenueFeed feed, long idleMillis, LongSupplier clock) {
            this(feed, idleMillis, clock, () -> true, () -> null, () -> null, () -> null);
        }

        /**
         * @param leads  whether this instance ingests the venue now (with a cluster service, one instance does)
         * @param leader the instance that announced it leads the venue, null when none did
         * @param noLeader why no leader is known, shown while there is none
         * @param leaderFeedProblem what the leader announced of its own feed of the venue: null while it is up
         */
        public Feed(VenueFeed feed, long idleMillis, LongSupplier clock, java.util.function.BooleanSupplier leads,
                java.util.function.Supplier<String> leader, java.util.function.Supplier<String> noLeader,
                java.util.function.Supplier<String> leaderFeedProblem) {
            super("feed-" + feed.venue().id());
            this.feed = feed;
            this.idleMillis = idleMillis;
            this.clock = clock;
            this.leads = leads;
            this.leader = leader;
            this.noLeader = noLeader;
            this.leaderFeedProblem = leaderFeedProblem;
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            String leadBy = leader.get();
            if (!leads.getAsBoolean()) {
                // Another instance ingests this venue: the feed is as its leader announced it (up, or down and why),
                // so that every instance's health says the same of it; how fresh the venue's ticks are is the
                // freshness check's, judged from what Redis holds. The connection fields are the leader's to show.
                builder.detail("role", "follower");
                builder.detail("leader", leadBy);
                String problem = leadBy == null ? noLeader.get() : leaderFeedProblem.get();
                if (problem == null) {
                    builder.up();
                } else {
                    builder.detail("last_error", leadBy == null ? problem : "on the leader, " + leadBy + ": " + problem);
                    builder.down();
                }
                return;
            }
            builder.detail("role", "leader");
            builder.detail("leader", leadBy);
            long now = clock.getAsLong();
            long lastFrame = feed.lastFrameAt();
            long age = feed.getConnectionAgeSeconds();
            boolean connected = feed.isConnected();
            boolean fresh = lastFrame > 0 && now - lastFrame <= idleMillis || connected && age * 1000 <= idleMillis;
            builder.detail("connected", connected);
            builder.detail("endpoint", feed.getEndpoint());
            builder.detail("proxy", feed.getActiveProxy());
            if (age >= 0) {
                builder.detail("connection_age_s", age);
            }
            if (lastFrame > 0) {
                builder.detail("last_frame_age_ms", now - lastFrame);
            }
            builder.detail("connects", feed.getConnects());
            builder.detail("failed_connects", feed.getFailedConnects());
            builder.detail("ingest_suspended", feed.isIngestSuspended());
            if (!feed.getLastError().isEmpty()) {
                builder.detail("last_error", feed.getLastError());
            }
            if (connected && fresh) {
                builder.up();
            } else {
                builder.down();
            }
        }
    }

    /**
     * Every configured symbol got a stored tick within {@code quality.stale.seconds}. Also shows the symbols
     * the newer-than guard is holding (refusing lower sequences until {@code tick.sequence-reset-after}) and
     * how many sequence resets there were.
     */
    public static class Freshness extends Informational {
        private final FreshnessTracker freshness;
        private volatile long staleMillis;
        private final LatestTickStore store;

        /** {@code quality.stale.seconds}, changed at run time. */
        public void staleMillis(long millis) {
            this.staleMillis = millis;
        }

        public Freshness(FreshnessTracker freshness, long staleMillis, LatestTickStore store) {
            super("freshness");
            this.freshness = freshness;
            this.staleMillis = staleMillis;
            this.store = store;
        }

        @Override
        protected void doCall(HealthCheckResultBuilder builder, Map<String, Object> options) {
            List<String> stale = freshness.staleSymbols(staleMillis);
            builder.detail("stale_symbols", firstOf(stale));
            builder.detail("stale_count", stale.size());
            builder.detail("stale_after_s", staleMillis / 1000);
            List<String> held = store.heldSymbols();
            builder.detail("held_symbols", firstOf(held));
            builder.detail("held_count", held.size());
            builder.detail("sequence_resets", store.sequenceResets());
            if (stale.isEmpty()) {
                builder.up();
            } else {
                builder.down();
            }
        }
    }
}
