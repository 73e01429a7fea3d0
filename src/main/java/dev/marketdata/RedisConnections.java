package dev.marketdata;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import dev.marketdata.pipeline.Failures;
import org.apache.commons.pool2.BasePooledObjectFactory;
import org.apache.commons.pool2.PooledObject;
import org.apache.commons.pool2.impl.DefaultPooledObject;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisPassword;
import org.springframework.data.redis.connection.RedisSentinelConfiguration;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisClientConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.JedisPoolConfig;
import redis.clients.jedis.JedisSentinelPool;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.util.Pool;

/**
 * How the gateway reaches Redis: one pooled Spring connection factory (the writer, the REST readers, health) and
 * connections of their own for the push API's subscription. Either at {@code redis.host:redis.port}, or, with
 * {@code redis.sentinel.master} set, at whichever server the sentinels of {@code redis.sentinel.nodes} name as that
 * master now: spring-data-redis's {@link RedisSentinelConfiguration} (a Jedis {@link JedisSentinelPool}, which
 * follows the sentinels' {@code +switch-master} announcements), and for the subscription a sentinel asked each time
 * it is opened.
 *
 * <p>Redis Cluster is not supported, on purpose. The writer's newer-than script ({@code NewestWins}) reads and
 * writes two keys of a symbol at once ({@code tick:latest:<key>} and {@code tick:seq:<key>}), which Cluster refuses
 * unless both hash to one slot, and making them do so means hash tags in every key, a change of the key contract
 * readers rely on (the original {@code tick:latest:BTCUSDT} included). Beyond the script, each batch pipelines the
 * writes of many symbols, the mirror key of each Binance tick ({@code tick:latest:BTCUSDT} beside
 * {@code tick:latest:binance:BTC-USDT}) and the read of the push API's listening key on one connection, in one
 * round trip: on Cluster those live on different nodes, and the listening key's promise (read after the writes in
 * the same round trip, so a batch read as "nobody listens" was stored before any snapshot was read) no longer holds
 * across nodes. The REST API reads every followed key with one {@code MGET}, which Cluster refuses across slots;
 * the data-set check ({@code tick:epoch}) sits on one shard only. And nothing here needs sharding: the data set is
 * the newest tick per venue and symbol (thousands of small keys), which one Redis serves many times over;
 * availability is what is wanted, and Sentinel (a replica promoted when the master fails) gives it with the layout
 * unchanged.
 */
public final class RedisConnections {

    private static final Logger LOG = LoggerFactory.getLogger(RedisConnections.class);

    private final RedisSettings settings;
    private final Sentinels sentinels;
    private final JedisConnectionFactory factory;
    /** The sentinel-mode pool Spring made when the factory started; null without sentinels (or before). */
    private volatile DeferredSentinelPool sentinelPool;

    private RedisConnections(RedisSettings settings) {
        this.settings = settings;
        this.sentinels = settings.sentinel().on() ? new Sentinels(settings.sentinel(), sentinelConfig(settings)) : null;
        this.factory = sentinels == null ? new JedisConnectionFactory(standalone(settings), client(settings))
                : new SentinelConnectionFactory(sentinel(settings), client(settings));
        factory.afterPropertiesSet();
        factory.start();
    }

    /** Builds and starts the connection factory; with sentinels, no sentinel needs to answer yet. */
    public static RedisConnections open(RedisSettings settings) {
        return new RedisConnections(settings);
    }

    public JedisConnectionFactory factory() {
        return factory;
    }

    /** {@code sentinel} or {@code standalone}, for health. */
    public String mode() {
        return sentinels == null ? "standalone" : "sentinel";
    }

    /** The server the pooled connections go to now (host:port); in sentinel mode null until a sentinel has named it. */
    public String server() {
        if (sentinels == null) {
            return new RedisSettings.Node(settings.host(), settings.port()).toString();
        }
        DeferredSentinelPool pool = sentinelPool;
        HostAndPort master = pool == null ? null : pool.master();
        return master == null ? null : new RedisSettings.Node(master.getHost(), master.getPort()).toString();
    }

    /** For the start-up log line: where Redis is, and how it is found. No password. */
    public String describe() {
        if (sentinels == null) {
            return server();
        }
        String master = server();
        return settings.sentinel() + ", master now at " + (master == null ? "(not known yet)" : master);
    }

    /**
     * A new connection of its own for the push API's subscription, with this read timeout: at {@code redis.host}, or
     * at the master a sentinel names at the moment it is opened (the sentinels asked in turn), so that a subscription
     * lost in a failover is opened again on the new master.
     */
    public Supplier<Jedis> subscription(int readTimeoutMillis, String clientName) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(settings.timeoutMs()).socketTimeoutMillis(readTimeoutMillis)
                .database(settings.database()).ssl(settings.ssl()).clientName(clientName);
        if (!settings.username().isEmpty()) {
            config.user(settings.username());
        }
        if (!settings.password().isEmpty()) {
            config.password(settings.password());
        }
        JedisClientConfig built = config.build();
        if (sentinels == null) {
            HostAndPort address = new HostAndPort(settings.host(), settings.port());
            return () -> new Jedis(address, built);
        }
        return () -> new Jedis(sentinels.master(), built);
    }

    /**
     * The start-up error for a sentinel setting that can never work (no sentinel knows the master's name, the
     * sentinels refuse their password) found in the cause chain, naming the property; null for anything else.
     */
    static IllegalArgumentException settingProblem(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SentinelSettingException setting) {
                return new IllegalArgumentException(setting.getMessage());
            }
        }
        return null;
    }

    private static RedisStandaloneConfiguration standalone(RedisSettings s) {
        RedisStandaloneConfiguration server = new RedisStandaloneConfiguration(s.host(), s.port());
        server.setDatabase(s.database());
        if (!s.username().isEmpty()) {
            server.setUsername(s.username());
        }
        if (!s.password().isEmpty()) {
            server.setPassword(s.password());
        }
        return server;
    }

    private static RedisSentinelConfiguration sentinel(RedisSettings s) {
        RedisSentinelConfiguration server = new RedisSentinelConfiguration();
        server.master(s.sentinel().master());
        s.sentinel().nodes().forEach(node -> server.sentinel(node.host(), node.port()));
        server.setDatabase(s.database());
        if (!s.username().isEmpty()) {
            server.setUsername(s.username());
        }
        if (!s.password().isEmpty()) {
            server.setPassword(s.password());
        }
        if (!s.sentinel().password().isEmpty()) {
            server.setSentinelPassword(RedisPassword.of(s.sentinel().password()));
        }
        return server;
    }

    /** As Spring configures its own connections to the sentinels: the same timeouts and TLS, the sentinels' password. */
    private static JedisClientConfig sentinelConfig(RedisSettings s) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis(s.timeoutMs()).socketTimeoutMillis(s.timeoutMs()).ssl(s.ssl());
        if (!s.sentinel().password().isEmpty()) {
            config.password(s.sentinel().password());
        }
        return config.build();
    }

    private static JedisClientConfiguration client(RedisSettings s) {
        JedisPoolConfig pool = new JedisPoolConfig();
        pool.setMaxTotal(32);
        pool.setMaxIdle(32);
        pool.setMaxWait(Duration.ofMillis(s.timeoutMs()));
        // After a Redis restart the idle connections are dead: test them every second and drop those.
        pool.setTestWhileIdle(true);
        pool.setTimeBetweenEvictionRuns(Duration.ofSeconds(1));
        pool.setNumTestsPerEvictionRun(-1);
        JedisClientConfiguration.JedisClientConfigurationBuilder builder = JedisClientConfiguration.builder()
                .connectTimeout(Duration.ofMillis(s.timeoutMs()))
                .readTimeout(Duration.ofMillis(s.timeoutMs()));
        if (s.ssl()) {
            // TLS with the JVM's trust store (javax.net.ssl.trustStore for a private CA).
            builder.useSsl();
        }
        return builder.usePooling().poolConfig(pool).build();
    }

    /**
     * Spring's factory with the sentinel pool made on first use instead of when the factory starts: Jedis's
     * {@link JedisSentinelPool} asks the sentinels in its constructor and throws when none answers, which would
     * leave Spring's factory broken for good. So a gateway started while its sentinels are down runs degraded and
     * connects once one answers, as it does when a plain Redis is down at start-up.
     */
    private final class SentinelConnectionFactory extends JedisConnectionFactory {
        SentinelConnectionFactory(RedisSentinelConfiguration configuration, JedisClientConfiguration client) {
            super(configuration, client);
        }

        @Override
        protected Pool<Jedis> createRedisSentinelPool(RedisSentinelConfiguration config) {
            DeferredSentinelPool pool = new DeferredSentinelPool(sentinels,
                    () -> (JedisSentinelPool) super.createRedisSentinelPool(config));
            sentinelPool = pool;
            return pool;
        }
    }

    /**
     * Hands out the connections of a {@link JedisSentinelPool} made the first time one is wanted (once a sentinel
     * names the master). Connections go back to that pool by themselves (Jedis returns a connection to the pool it
     * came from), so this holds none of its own.
     */
    static final class DeferredSentinelPool extends Pool<Jedis> {
        private final Sentinels sentinels;
        private final Supplier<JedisSentinelPool> create;
        private volatile JedisSentinelPool pool;
        private volatile HostAndPort announced;
        private boolean closed;

        DeferredSentinelPool(Sentinels sentinels, Supplier<JedisSentinelPool> create) {
            super(new NoConnections(), withoutJmx());
            this.sentinels = sentinels;
            this.create = create;
        }

        private static GenericObjectPoolConfig<Jedis> withoutJmx() {
            GenericObjectPoolConfig<Jedis> config = new GenericObjectPoolConfig<>();
            config.setJmxEnabled(false);
            return config;
        }

        @Override
        public Jedis getResource() {
            JedisSentinelPool p = open();
            Jedis jedis = p.getResource();
            announce(p.getCurrentHostMaster());
            return jedis;
        }

        @Override
        public void returnResource(Jedis resource) {
            JedisSentinelPool p = pool;
            if (p != null) {
                p.returnResource(resource);
            }
        }

        @Override
        public void returnBrokenResource(Jedis resource) {
            JedisSentinelPool p = pool;
            if (p != null) {
                p.returnBrokenResource(resource);
            }
        }

        @Override
        public void destroy() {
            JedisSentinelPool p;
            synchronized (this) {
                closed = true;
                p = pool;
            }
            if (p != null) {
                p.destroy();
            }
            super.destroy();
        }

        /** The master the pool's connections go to now; null before a sentinel named one. */
        HostAndPort master() {
            JedisSentinelPool p = pool;
            return p == null ? null : p.getCurrentHostMaster();
        }

        private JedisSentinelPool open() {
            JedisSentinelPool p = pool;
            if (p != null) {
                return p;
            }
            synchronized (this) {
                if (closed) {
                    throw new JedisConnectionException("the Redis connections are closed");
                }
                if (pool == null) {
                    // Asked first to tell a wrong setting from sentinels that are down: Jedis's pool takes a sentinel
                    // refusing the password for one that is down, and would only ever say "All sentinels down".
                    sentinels.master();
                    pool = create.get();
                }
                return pool;
            }
        }

        /** One line when the master is first known and one each time the sentinels move it (a failover). */
        private void announce(HostAndPort master) {
            HostAndPort before = announced;
            if (master == null || master.equals(before)) {
                return;
            }
            synchronized (this) {
                before = announced;
                if (master.equals(before)) {
                    return;
                }
                announced = master;
            }
            if (before == null) {
                LOG.info("Redis Sentinel: master '{}' is at {}", sentinels.masterName, master);
            } else {
                LOG.warn("Redis Sentinel: master '{}' moved from {} to {} (a failover); the writer checks that the new "
                        + "master holds what it wrote", sentinels.masterName, before, master);
            }
        }
    }

    /** The sentinels, asked in turn which server is the master now. */
    static final class Sentinels {
        private final String masterName;
        private final List<RedisSettings.Node> nodes;
        private final JedisClientConfig config;

        Sentinels(RedisSettings.Sentinel sentinel, JedisClientConfig config) {
            this.masterName = sentinel.master();
            this.nodes = sentinel.nodes();
            this.config = config;
        }

        /**
         * The master's address as the first sentinel that knows it says. Throws {@link SentinelSettingException}
         * when every sentinel that answered refused the password or knows no master of that name, and a
         * {@link JedisConnectionException} when none answered.
         */
        HostAndPort master() {
            List<String> refused = new ArrayList<>();
            List<String> unknown = new ArrayList<>();
            List<String> unreachable = new ArrayList<>();
            for (RedisSettings.Node node : nodes) {
                try (Jedis sentinel = new Jedis(new HostAndPort(node.host(), node.port()), config)) {
                    List<String> address = sentinel.sentinelGetMasterAddrByName(masterName);
                    if (address != null && address.size() == 2) {
                        return new HostAndPort(address.get(0), Integer.parseInt(address.get(1)));
                    }
                    unknown.add(node.toString());
                } catch (JedisException | NumberFormatException e) {
                    Failures.Refusal refusal = Failures.redisRefusal(e);
                    if (refusal != null && !refusal.permission()) {
                        refused.add(node + " (" + refusal.words() + ")");
                    } else {
                        unreachable.add(node + " (" + Failures.describe(e) + ")");
                    }
                }
            }
            if (!refused.isEmpty()) {
                throw new SentinelSettingException("Invalid redis.sentinel.password: the sentinels refused the configured "
                        + "credentials (" + String.join(", ", refused) + "); check redis.sentinel.password / "
                        + "redis.sentinel.password-file");
            }
            if (!unknown.isEmpty()) {
                throw new SentinelSettingException(GatewaySettings.invalid("redis.sentinel.master", masterName,
                        "no sentinel of redis.sentinel.nodes watches a master of that name (asked " + String.join(", ", unknown)
                                + (unreachable.isEmpty() ? "" : "; no answer from " + String.join(", ", unreachable)) + ")")
                        .getMessage());
            }
            throw new JedisConnectionException("no sentinel of redis.sentinel.nodes answered: " + String.join(", ", unreachable));
        }
    }

    /**
     * A sentinel setting that cannot work as it is. At start-up it stops the gateway naming the property; later (a
     * sentinel reconfigured, a password rotated) it is a Redis outage like any other, reported and retried.
     */
    static final class SentinelSettingException extends JedisException {
        SentinelSettingException(String message) {
            super(message);
        }
    }

    /** The deferred pool's own (empty) pool never makes a connection: they all come from the sentinel pool. */
    private static final class NoConnections extends BasePooledObjectFactory<Jedis> {
        @Override
        public Jedis create() {
            throw new UnsupportedOperationException("connections come from the sentinel pool");
        }

        @Override
        public PooledObject<Jedis> wrap(Jedis jedis) {
            return new DefaultPooledObject<>(jedis);
        }
    }
}
