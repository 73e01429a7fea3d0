package dev.marketdata;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.util.stream.Collectors;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Function;
import java.util.function.LongSupplier;

import javax.management.MBeanServer;
import javax.management.ObjectName;

import dev.marketdata.api.ApiMetrics;
import dev.marketdata.api.ApiResponses;
import dev.marketdata.api.GatewayHealthChecks;
import dev.marketdata.api.HealthReport;
import dev.marketdata.api.HttpErrorPages;
import dev.marketdata.api.MockTickerEnricher;
import dev.marketdata.api.StoredTickCheck;
import dev.marketdata.api.TickerReader;
import dev.marketdata.cluster.RedisConnectBudget;
import dev.marketdata.feed.ConnectionSpec;
import dev.marketdata.feed.MarketStreamComponent;
import dev.marketdata.feed.VenueFeed;
import dev.marketdata.feed.VenueStream;
import dev.marketdata.model.Followed;
import dev.marketdata.model.Venue;
import dev.marketdata.feed.VenueMapper;
import dev.marketdata.model.StreamKind;
import dev.marketdata.pipeline.EmbeddedRedisLauncher;
import dev.marketdata.pipeline.FreshnessTracker;
import dev.marketdata.pipeline.IngestMetrics;
import dev.marketdata.pipeline.IngestRecorder;
import dev.marketdata.pipeline.LatestTickStore;
import dev.marketdata.pipeline.QualityMonitor;
import dev.marketdata.pipeline.QualityRoutes;
import dev.marketdata.pipeline.TickJson;
import dev.marketdata.pipeline.TickValidator;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.vertx.core.VertxOptions;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.health.HealthCheckRegistry;
import org.apache.camel.spi.PropertiesComponent;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;

/**
 * Binds the gateway's beans. Settings are read and checked once; a bad value stops start-up with a
 * message naming the property. Every meter is created here, at start-up, so a scrape before any traffic
 * already lists them all.
 */
public class MarketDataConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(MarketDataConfiguration.class);
    private static final LongSupplier CLOCK = System::currentTimeMillis;
    private static final String METRICS_REGISTRY = "metricsRegistry";

    private GatewaySettings settings;
    private PrometheusMeterRegistry meterRegistry;
    private FreshnessTracker freshness;
    private IngestMetrics ingestMetrics;
    private ApiMetrics apiMetrics;
    private java.util.Map<Venue, VenueFeed> feeds;
    private EmbeddedRedisLauncher embeddedRedis;
    private RedisConnections redisConnections;
    private JedisConnectionFactory connectionFactory;
    private StringRedisTemplate redisTemplate;
    private LatestTickStore store;
    private QualityMonitor quality;
    private ApiResponses responses;
    private List<HealthCheck> healthChecks;
    private TickerReader reader;
    private dev.marketdata.feed.FrameRecorder recorder;
    private Followed followed;
    private LiveConfiguration live;
    private TickValidator validator;
    private dev.marketdata.api.BestPrice bestPrice;
    private MockTickerEnricher mockEnricher;
    private dev.marketdata.api.TickStream tickStream;
    private ClusterSettings clusterSettings;
    private dev.marketdata.cluster.VenueLeadership leadership;
    private dev.marketdata.cluster.ClusterWatch clusterWatch;
    private dev.marketdata.kafka.KafkaTickPublisher kafka;

    @Override
    public void configure(CamelContext camelContext) throws Exception {
        // What was given over the file before this adds its own overrides: -D, environment, a test's overrides.
        Properties given = new Properties();
        if (camelContext.getPropertiesComponent() instanceof org.apache.camel.component.properties.PropertiesComponent pc
                && pc.getOverrideProperties() != null) {
            given.putAll(pc.getOverrideProperties());
        }
        GatewaySettings s = settings(camelContext);
        // A replay stands in for the venue: the replay route starts, the Binance one does not (unless asked to).
        camelContext.getPropertiesComponent().addOverrideProperty("replay.enabled", Boolean.toString(s.replay().replayFile() != null));
        // Each venue's ingest route starts when the venue is among the exchanges (Binance: and no replay stands
        // in for it); its feed is bound as <id>Feed.
        for (Venue venue : Venue.values()) {
            boolean on = venue == Venue.BINANCE ? s.replay().binanceEnabled() : s.feed(venue) != null;
            camelContext.getPropertiesComponent().addOverrideProperty(venue.id() + ".enabled", Boolean.toString(on));
        }
        feeds(camelContext).forEach((venue, feed) -> camelContext.getRegistry().bind(VenueFeed.bean(venue), feed));
        // Leadership per venue: the ingest routes run where the cluster service says (none: here, all of them).
        dev.marketdata.cluster.VenueLeadership venueLeadership = leadership(camelContext);
        if (venueLeadership.clustered()) {
            camelContext.addService(clusterService, true, true);
            camelContext.addRoutePolicyFactory(venueLeadership);
            venueLeadership.handOverOnStop(camelContext);
        }
        StartupChecks.requireFreePort(s.api().serverHost(), s.api().serverPort(), "camel.server.port");
        if (s.api().managementPort() != s.api().serverPort()) {
            StartupChecks.requireFreePort(s.api().managementHost(), s.api().managementPort(), "camel.management.port");
        }
        camelContext.addService(embeddedRedis(camelContext), true, true);
        // Stopped after the store has flushed (services stop in reverse order), before the embedded Redis: the pool's
        // idle-connection tests would otherwise go on pinging Redis after the gateway stopped.
        camelContext.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                JedisConnectionFactory factory = connectionFactory;
                if (factory != null) {
                    factory.destroy();
                }
            }
        }, true, true);
        if (frameRecorder(camelContext) != null) {
            camelContext.addService(frameRecorder(camelContext), true, true);
        }
        StartupChecks.requireUsableRedis(redisTemplate(camelContext));
        shareConnectBudgets(camelContext);
        StartupChecks.requireAlertEndpoint(camelContext);
        // Added before the store, so stopped after it (services stop in reverse order): the store's last flush hands
        // its stored ticks over, and what Kafka can no longer get is counted there.
        camelContext.addService(kafkaTickPublisher(camelContext), true, true);
        // Stopped before the embedded Redis (services stop in reverse order): pending ticks get flushed.
        camelContext.addService(latestTickStore(camelContext), true, true);
        camelContext.addService(new OperationsHookup(camelContext), true, true);
        camelContext.addService(liveConfiguration(camelContext, given), true, true);
        camelContext.addService(tickStream(camelContext), true, true);
        camelContext.addService(clusterWatch(camelContext), true, true);
        camelContext.addStartupListener(new org.apache.camel.ExtendedStartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
                // the platform-http router exists once the context has started
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext context, boolean alreadyStarted) {
                HttpErrorPages.install(context);
                dev.marketdata.stream.StreamEndpoint.install(context, tickStream(context));
                // Extended JMX statistics switch on per-endpoint usage counting, which takes a cache lock on
                // every exchange (the largest cost in ingest profiles); the route statistics do not need it.
                if (context.getRuntimeEndpointRegistry() != null) {
                    context.getRuntimeEndpointRegistry().setEnabled(false);
                }
            }
        });
        warnOfSecretsInSystemProperties(s);
        List<String> streams = s.streams().stream().map(k -> k.configName()).toList();
        for (FeedSettings feed : s.feeds()) {
            if (feed.venue() != Venue.BINANCE || s.replay().binanceEnabled()) {
                LOG.info("Following {} on {} {} as {} via {}", feed.instruments().stream().map(i -> i.symbol()).toList(),
                        feed.id(), feed.url(), feed.streams(), feed.proxies());
            }
        }
        ClusterSettings cluster = clusterSettings(camelContext);
        if (cluster.clustered()) {
            LOG.info("Cluster service {} as instance {}: each venue is ingested by the instance that leads it (namespaces {}<venue>)",
                    cluster.service(), cluster.instanceId(), dev.marketdata.cluster.VenueLeadership.NAMESPACE_PREFIX);
        }
        String redisAt = redisConnections(camelContext).describe();
        LOG.info("Redis {} db {}, tick TTL {} s", redisAt, s.redis().database(), s.redis().tickTtlSeconds());
        if (s.replay().replayFile() != null) {
            // Binance is not connected while a recording plays in its place (unless binance.enabled says so).
            LOG.info("Replaying {} for {} as {}{}; Redis {} db {}, tick TTL {} s", s.replay().replayFile(), s.symbols(), streams,
                    s.replay().binanceEnabled() ? " beside the live feed" : " in place of Binance", redisAt,
                    s.redis().database(), s.redis().tickTtlSeconds());
        }
    }

    /**
     * Every venue's connects are counted in Redis with the other instances' on the same egress (issue 14): N instances
     * behind one address keep the venue's limit together. Stopped before the Redis connections are closed.
     */
    private void shareConnectBudgets(CamelContext camelContext) throws Exception {
        PropertiesComponent pc = camelContext.getPropertiesComponent();
        String egress = ConnectBudgetSettings.egress(name -> pc.resolveProperty(name).orElse(null));
        RedisConnectBudget budget = new RedisConnectBudget(redisTemplate(camelContext), settings(camelContext).redis().timeoutMs());
        StartupChecks.requireUsableConnectBudget(budget);
        feeds(camelContext).values().forEach(feed -> feed.connectLimiter().share(budget, feed.venue().id(), egress));
        camelContext.addService(new ServiceSupport() {
            @Override
            protected void doStop() {
                budget.close();
            }
        }, true, true);
        LOG.info("Connect budgets shared through Redis by every instance on egress '{}' (cluster.egress)", egress);
    }

    /**
     * A -D system property is readable by any JMX client (java.lang:type=Runtime, InputArguments and
     * SystemProperties): say so, once, without the value, and name the safe ways.
     */
    private static void warnOfSecretsInSystemProperties(GatewaySettings s) {
        for (String name : List.of("redis.password", "redis.sentinel.password")) {
            if (!System.getProperty(name, "").isBlank()) {
                LOG.warn("{} is given as a -D system property: any JMX client can read it. Use {}-file or the {} environment "
                        + "variable instead", name, name, name.toUpperCase(java.util.Locale.ROOT).replace('.', '_'));
            }
        }
        for (String name : List.of("binance.proxies", "proxies")) {
            if (System.getProperty(name, "").contains("@") && s.feeds().stream()
                    .anyMatch(f -> f.proxies().stream().anyMatch(p -> p.password() != null))) {
                LOG.warn("{} with a password is given as a -D system property: any JMX client can read it. Use {}-file "
                        + "or the {} environment variable instead", name, name,
                        name.toUpperCase(java.util.Locale.ROOT).replace('.', '_'));
            }
        }
    }

    /** Registers the feed MBean and the health checks once the context starts; removes the MBean on stop. */
    private final class OperationsHookup extends ServiceSupport {
        private final CamelContext context;
        private final List<ObjectName> names = new java.util.ArrayList<>();
        private ProducerTemplate alerts;

        OperationsHookup(CamelContext context) {
            this.context = context;
        }

        @Override
        protected void doStart() throws Exception {
            QualityMonitor q = qualityMonitor(context);
            LatestTickStore store = latestTickStore(context);
            FreshnessTracker tracker = freshness(context);
            for (VenueFeed f : feeds(context).values()) {
                String id = f.venue().id();
                f.attach(context, tracker::lastUpdates, tracker::agesMillis, q::activeAlerts, () -> store.sequenceResets(id),
                        store::heldSymbols);
            }
            if (QualityRoutes.alertsConfigured(context)) {
                alerts = context.createProducerTemplate();
                q.sendAlertsWith(alerts);
            }
            HealthCheckRegistry registry = HealthCheckRegistry.get(context);
            if (registry != null) {
                // On /observe/health: readiness and Redis. The feed and freshness are in /api/v1/health only, so
                // that a venue being away never takes the instance out of a load balancer.
                GatewayHealthChecks.Serving serving = new GatewayHealthChecks.Serving(latestTickStore(context));
                serving.setCamelContext(context);
                registry.register(serving);
                registry.register(healthChecks(context).get(0));
            }
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            for (VenueFeed f : feeds(context).values()) {
                ObjectName name = new ObjectName("org.apache.camel:context="
                        + ObjectName.quote(context.getName()).replace("\"", "") + ",type=feed,name=" + f.venue().id());
                if (server.isRegistered(name)) {
                    server.unregisterMBean(name);
                }
                server.registerMBean(f, name);
                names.add(name);
            }
            ObjectName stream = new ObjectName("org.apache.camel:context="
                    + ObjectName.quote(context.getName()).replace("\"", "") + ",type=stream,name=push");
            if (server.isRegistered(stream)) {
                server.unregisterMBean(stream);
            }
            server.registerMBean(tickStream(context), stream);
            names.add(stream);
        }

        @Override
        protected void doStop() throws Exception {
            qualityMonitor(context).sendAlertsWith(null);
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            for (ObjectName name : names) {
                if (server.isRegistered(name)) {
                    server.unregisterMBean(name);
                }
            }
            names.clear();
            if (alerts != null) {
                alerts.stop();
            }
        }
    }

    /** What every venue follows now; replaced as a whole by a live change. */
    public synchronized Followed followed(CamelContext camelContext) {
        if (followed == null) {
            GatewaySettings s = settings(camelContext);
            Map<Venue, List<dev.marketdata.model.Instrument>> instruments = new LinkedHashMap<>();
            Map<Venue, List<String>> streams = new LinkedHashMap<>();
            for (FeedSettings f : s.feeds()) {
                instruments.put(f.venue(), f.instruments());
                streams.put(f.venue(), f.streams());
            }
            followed = new Followed(instruments, streams);
        }
        return followed;
    }

    /**
     * Live changes from the working directory's {@code application.properties} and the feed MBeans, reaching each
     * component through its own setter.
     */
    synchronized LiveConfiguration liveConfiguration(CamelContext camelContext, Properties given) {
        if (live == null) {
            GatewaySettings s = settings(camelContext);
            java.nio.file.Path file = camelContext.getPropertiesComponent().getLocations().stream()
                    .filter(l -> l.startsWith("file:")).map(l -> l.substring(5).replaceFirst(";.*$", ""))
                    .map(java.nio.file.Path::of).findFirst().orElse(null);
            PropertiesComponent pc = camelContext.getPropertiesComponent();
            long interval = GatewaySettings.duration(name -> pc.resolveProperty(name).orElse(null), "config.reload.interval",
                    "1s", 0, 3_600_000);
            Function<String, String> overrides = name -> {
                String value = given.getProperty(name);
                if (value == null) {
                    value = System.getProperty(name);
                }
                if (value == null) {
                    value = System.getenv(name.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_'));
                }
                return value;
            };
            live = new LiveConfiguration(file, overrides, System.getenv(), s, followed(camelContext), feeds(camelContext),
                    new LiveTarget(camelContext), meterRegistry(camelContext), interval);
            camelContext.getRegistry().bind(LiveConfiguration.BEAN, live);
        }
        return live;
    }

    /** Where a live change goes: each component's own setter. */
    private final class LiveTarget implements LiveConfiguration.Target {
        private final CamelContext context;

        LiveTarget(CamelContext context) {
            this.context = context;
        }

        @Override
        public void followed(Followed.Snapshot snapshot, java.util.Set<String> removedKeys) {
            freshness(context).follow(snapshot.keys());
            ingestMetrics(context).follow(snapshot.keys());
            tickerReader(context).follow(snapshot.all());
            mockTickerEnricher(context).follow(snapshot.all());
            latestTickStore(context).forget(removedKeys);
            qualityMonitor(context).forget(removedKeys);
            tickStream(context).forget(removedKeys);
        }

        @Override
        public void quality(QualitySettings q) {
            qualityMonitor(context).thresholds(q.staleSeconds() * 1000L, q.maxJumpPercent(), q.maxSkewMillis(),
                    q.rejectPriceJumps() ? QualityMonitor.JumpAction.REJECT : QualityMonitor.JumpAction.FLAG,
                    q.alertClearAfterMillis());
            tickValidator(context).maxFutureMillis(q.maxSkewMillis());
            bestPrice(context).staleMillis(q.staleSeconds() * 1000L);
            ((GatewayHealthChecks.Freshness) healthChecks(context).get(1)).staleMillis(q.staleSeconds() * 1000L);
            tickerReader(context).limits(storedLimits(latestTickStore(context).ttlSeconds(), q));
        }

        @Override
        public void tickTtl(int seconds, QualitySettings q) {
            latestTickStore(context).ttlSeconds(seconds);
            tickerReader(context).limits(storedLimits(seconds, q));
        }

        @Override
        public void mockPrices(Map<String, java.math.BigDecimal> prices) {
            mockTickerEnricher(context).mockPrices(prices);
        }
    }

    /** A stored tick older (or further ahead) than a key lives, with the allowed clock skew, was not written with this TTL. */
    private static StoredTickCheck.Limits storedLimits(int ttlSeconds, QualitySettings q) {
        return new StoredTickCheck.Limits(ttlSeconds * 1000L + q.maxSkewMillis(), q.maxSkewMillis());
    }

    @BindToRegistry("gatewaySettings")
    public synchronized GatewaySettings settings(CamelContext camelContext) {
        if (settings == null) {
            PropertiesComponent properties = camelContext.getPropertiesComponent();
            settings = GatewaySettings.from(name -> properties.resolveProperty(name).orElse(null), System.getenv());
        }
        return settings;
    }

    /**
     * The HTTP server's Vert.x workers (platform-http takes a {@code VertxOptions} bean), which run the API's
     * routes; they wait on Redis for well under a millisecond. Vert.x's own default, 20, only adds context
     * switches on a small machine: on 2 cores, 4 served more requests (bench/run, issue #11). The server itself
     * runs on one event loop whatever the pool's size (one server instance), so that is left as it is.
     */
    @BindToRegistry("httpServerVertxOptions")
    public VertxOptions httpServerVertxOptions(CamelContext camelContext) {
        return new VertxOptions().setWorkerPoolSize(settings(camelContext).api().workerThreads());
    }

    /**
     * One registry for Camel's meters and ours, the one /observe/metrics scrapes: camel-micrometer-prometheus
     * binds (or looks up) {@code metricsRegistry}; whichever of us comes first creates it.
     */
    private synchronized PrometheusMeterRegistry meterRegistry(CamelContext camelContext) {
        if (meterRegistry == null) {
            Object existing = camelContext.getRegistry().lookupByName(METRICS_REGISTRY);
            if (existing instanceof PrometheusMeterRegistry prometheus) {
                meterRegistry = prometheus;
            } else {
                meterRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
                camelContext.getRegistry().bind(METRICS_REGISTRY, meterRegistry);
            }
        }
        return meterRegistry;
    }

    @BindToRegistry(FreshnessTracker.BEAN)
    public synchronized FreshnessTracker freshness(CamelContext camelContext) {
        if (freshness == null) {
            freshness = new FreshnessTracker(settings(camelContext).followedKeys(), CLOCK);
        }
        return freshness;
    }

    @BindToRegistry(IngestMetrics.BEAN)
    public synchronized IngestMetrics ingestMetrics(CamelContext camelContext) {
        if (ingestMetrics == null) {
            ingestMetrics = new IngestMetrics(meterRegistry(camelContext), settings(camelContext).followedKeys(), freshness(camelContext));
        }
        return ingestMetrics;
    }

    @BindToRegistry(ApiMetrics.BEAN)
    public synchronized ApiMetrics apiMetrics(CamelContext camelContext) {
        if (apiMetrics == null) {
            apiMetrics = new ApiMetrics(meterRegistry(camelContext));
        }
        return apiMetrics;
    }

    /** One feed per enabled venue, in the order of {@code exchanges}; each is bound as {@code <id>Feed}. */
    public synchronized java.util.Map<Venue, VenueFeed> feeds(CamelContext camelContext) {
        if (feeds == null) {
            GatewaySettings s = settings(camelContext);
            feeds = new java.util.LinkedHashMap<>();
            for (FeedSettings f : s.feeds()) {
                feeds.put(f.venue(), new VenueFeed(f.venue(), f.proxies(), f.url(),
                        Exchanges.protocol(f.venue()).connectLimiter(), meterRegistry(camelContext), CLOCK));
            }
        }
        return feeds;
    }

    /** The recording player used by routes/replay.camel.yaml when replay.file is set. */
    @BindToRegistry("replay")
    public dev.marketdata.replay.ReplayComponent replayComponent(CamelContext camelContext) {
        GatewaySettings s = settings(camelContext);
        // Recordings are of Binance's combined streams: mapped as a live Binance connection's frames are.
        // Binance's instruments ride along, so that a symbol configured as BTC-USDT is named so in replayed ticks too.
        ConnectionSpec all = new ConnectionSpec("/", List.of(), s.feed(Venue.BINANCE) == null ? List.of()
                : s.feed(Venue.BINANCE).instruments());
        VenueMapper mapper = Exchanges.protocol(Venue.BINANCE)
                .mapper(TickJson.newMapper(), all, s.streams().stream().map(StreamKind::configName).collect(Collectors.toSet()));
        return new dev.marketdata.replay.ReplayComponent(feeds(camelContext).get(Venue.BINANCE), mapper);
    }

    /** Every raw frame of the live venue to record.file, when set (replayable with replay.file); else null. */
    public synchronized dev.marketdata.feed.FrameRecorder frameRecorder(CamelContext camelContext) {
        GatewaySettings s = settings(camelContext);
        if (recorder == null && s.replay().recordFile() != null) {
            recorder = new dev.marketdata.feed.FrameRecorder(java.nio.file.Path.of(s.replay().recordFile()),
                    s.replay().recordMaxMegabytes() * 1024L * 1024L, s.replay().recordFiles());
        }
        return recorder;
    }

    /** {@code market-stream:<exchange>}, the consumer of every routes/<id>-ingest.camel.yaml. */
    @BindToRegistry("market-stream")
    public MarketStreamComponent marketStreamComponent(CamelContext camelContext) {
        GatewaySettings s = settings(camelContext);
        java.util.Map<Venue, VenueStream> venues = new java.util.EnumMap<>(Venue.class);
        for (FeedSettings f : s.feeds()) {
            venues.put(f.venue(), new VenueStream(f.url(), followed(camelContext), f.timing(),
                    feeds(camelContext).get(f.venue()), Exchanges.protocol(f.venue())));
        }
        return new MarketStreamComponent(venues, frameRecorder(camelContext), TickJson.mapper());
    }

    @BindToRegistry("embeddedRedis")
    public synchronized EmbeddedRedisLauncher embeddedRedis(CamelContext camelContext) {
        if (embeddedRedis == null) {
            GatewaySettings s = settings(camelContext);
            embeddedRedis = new EmbeddedRedisLauncher(s.redis().host(), s.redis().port());
            if (s.redis().sentinel().on()) {
                // The sentinels name the master: redis.host is not used, and nothing should take its port.
                LOG.debug("redis.sentinel.master is set: no embedded Redis");
            } else if (s.redis().embedded() && s.redis().username().isEmpty() && s.redis().password().isEmpty()) {
                embeddedRedis.startIfAbsent();
            } else if (s.redis().embedded()) {
                // Credentials point at a secured Redis: an embedded one without them would only take its port.
                LOG.info("redis.embedded is on, but Redis credentials are set: no embedded Redis is started");
            }
        }
        return embeddedRedis;
    }

    /** Redis at redis.host, or the master the sentinels of redis.sentinel.nodes name (see {@link RedisConnections}). */
    public synchronized RedisConnections redisConnections(CamelContext camelContext) {
        if (redisConnections == null) {
            GatewaySettings s = settings(camelContext);
            embeddedRedis(camelContext);
            redisConnections = RedisConnections.open(s.redis());
        }
        return redisConnections;
    }

    @BindToRegistry("redisConnectionFactory")
    public synchronized JedisConnectionFactory redisConnectionFactory(CamelContext camelContext) {
        if (connectionFactory == null) {
            connectionFactory = redisConnections(camelContext).factory();
        }
        return connectionFactory;
    }

    /** String keys and values: Redis holds plain JSON, never Java-serialized bytes. */
    @BindToRegistry("redisTemplate")
    public synchronized StringRedisTemplate redisTemplate(CamelContext camelContext) {
        if (redisTemplate == null) {
            redisTemplate = new StringRedisTemplate(redisConnectionFactory(camelContext));
            redisTemplate.afterPropertiesSet();
        }
        return redisTemplate;
    }

    @BindToRegistry(LatestTickStore.BEAN)
    public synchronized LatestTickStore latestTickStore(CamelContext camelContext) {
        if (store == null) {
            GatewaySettings s = settings(camelContext);
            store = new LatestTickStore(redisTemplate(camelContext), s.followedKeys(),
                    new LatestTickStore.Options(s.redis().tickTtlSeconds(), s.redis().sequenceResetAfterMillis(), s.redis().shutdownFlushMillis(),
                            s.redis().legacyKeys(), dev.marketdata.api.TickStream.channel(s.redis().database())),
                    ingestMetrics(camelContext), freshness(camelContext), CLOCK);
            Followed f = followed(camelContext);
            store.follow(key -> f.current().follows(key));
            // A failover moves the master: the store then retries at once rather than after its backoff.
            store.redisAddress(redisConnections(camelContext)::server);
        }
        return store;
    }

    /**
     * Every stored tick to Kafka when {@code kafka.bootstrap-servers} is set (the kafka-ticks route, KafkaRoutes);
     * otherwise only its meters, at zero, and the store hands nothing over.
     */
    @BindToRegistry(dev.marketdata.kafka.KafkaTickPublisher.BEAN)
    public synchronized dev.marketdata.kafka.KafkaTickPublisher kafkaTickPublisher(CamelContext camelContext) {
        if (kafka == null) {
            PropertiesComponent pc = camelContext.getPropertiesComponent();
            KafkaSettings k = KafkaSettings.from(name -> pc.resolveProperty(name).orElse(null));
            kafka = k.enabled()
                    ? new dev.marketdata.kafka.KafkaTickPublisher(camelContext, k.servers(), k.topic(), k.lingerMillis(),
                            k.deliveryMillis(), meterRegistry(camelContext))
                    : dev.marketdata.kafka.KafkaTickPublisher.off(meterRegistry(camelContext));
            if (k.enabled()) {
                latestTickStore(camelContext).alsoTo(kafka);
            }
        }
        return kafka;
    }

    @BindToRegistry(TickValidator.BEAN)
    public synchronized TickValidator tickValidator(CamelContext camelContext) {
        if (validator == null) {
            Followed f = followed(camelContext);
            validator = new TickValidator(key -> f.current().follows(key), settings(camelContext).quality().maxSkewMillis());
        }
        return validator;
    }

    @BindToRegistry(QualityMonitor.BEAN)
    public synchronized QualityMonitor qualityMonitor(CamelContext camelContext) {
        if (quality == null) {
            GatewaySettings s = settings(camelContext);
            quality = new QualityMonitor(freshness(camelContext), meterRegistry(camelContext), s.quality().staleSeconds() * 1000L,
                    s.quality().maxJumpPercent(), s.quality().maxSkewMillis(),
                    s.quality().rejectPriceJumps() ? QualityMonitor.JumpAction.REJECT : QualityMonitor.JumpAction.FLAG,
                    s.quality().alertClearAfterMillis(), s.redis().sequenceResetAfterMillis(), CLOCK);
        }
        return quality;
    }

    @BindToRegistry(IngestRecorder.BEAN)
    public IngestRecorder ingestRecorder(CamelContext camelContext) {
        return new IngestRecorder(ingestMetrics(camelContext));
    }

    @BindToRegistry(TickerReader.BEAN)
    public synchronized TickerReader tickerReader(CamelContext camelContext) {
        if (reader != null) {
            return reader;
        }
        GatewaySettings s = settings(camelContext);
        // A stored tick older (or further ahead) than a key lives, with the allowed clock skew, was not written
        // by a gateway with this TTL.
        reader = new TickerReader(latestTickStore(camelContext), s.instruments(), CLOCK, apiMetrics(camelContext),
                ingestMetrics(camelContext), storedLimits(s.redis().tickTtlSeconds(), s.quality()));
        reader.followedSince(freshness(camelContext)::followedSince);
        return reader;
    }

    @BindToRegistry(dev.marketdata.api.BestPrice.BEAN)
    public synchronized dev.marketdata.api.BestPrice bestPrice(CamelContext camelContext) {
        if (bestPrice == null) {
            bestPrice = new dev.marketdata.api.BestPrice(tickerReader(camelContext), apiResponses(camelContext),
                    settings(camelContext).quality().staleSeconds() * 1000L);
        }
        return bestPrice;
    }

    @BindToRegistry(MockTickerEnricher.BEAN)
    public synchronized MockTickerEnricher mockTickerEnricher(CamelContext camelContext) {
        if (mockEnricher == null) {
            mockEnricher = new MockTickerEnricher(settings(camelContext).api().mockPrices(), settings(camelContext).instruments(),
                    apiMetrics(camelContext));
        }
        return mockEnricher;
    }

    @BindToRegistry(ApiResponses.BEAN)
    public synchronized ApiResponses apiResponses(CamelContext camelContext) {
        if (responses == null) {
            responses = new ApiResponses(CLOCK, apiMetrics(camelContext));
        }
        return responses;
    }

    @BindToRegistry(dev.marketdata.api.OpenApiDocument.BEAN)
    public dev.marketdata.api.OpenApiDocument openApiDocument(CamelContext camelContext) {
        return new dev.marketdata.api.OpenApiDocument(apiResponses(camelContext));
    }

    private org.apache.camel.cluster.CamelClusterService clusterService;

    public synchronized ClusterSettings clusterSettings(CamelContext camelContext) {
        if (clusterSettings == null) {
            PropertiesComponent properties = camelContext.getPropertiesComponent();
            clusterSettings = ClusterSettings.from(name -> properties.resolveProperty(name).orElse(null));
        }
        return clusterSettings;
    }

    /** Which venues this instance ingests ({@code cluster.service}); all of them without a cluster service. */
    public synchronized dev.marketdata.cluster.VenueLeadership leadership(CamelContext camelContext) {
        if (leadership == null) {
            clusterService = ClusterServices.create(clusterSettings(camelContext));
            leadership = new dev.marketdata.cluster.VenueLeadership(clusterService);
        }
        return leadership;
    }

    /** Announces the venues this instance leads, reads who leads the others, and takes freshness from Redis. */
    public synchronized dev.marketdata.cluster.ClusterWatch clusterWatch(CamelContext camelContext) {
        if (clusterWatch == null) {
            ClusterSettings c = clusterSettings(camelContext);
            GatewaySettings s = settings(camelContext);
            FreshnessTracker tracker = freshness(camelContext);
            TickerReader tickers = tickerReader(camelContext);
            dev.marketdata.cluster.VenueLeadership led = leadership(camelContext);
            clusterWatch = new dev.marketdata.cluster.ClusterWatch(redisTemplate(camelContext), led, c.service(), c.instanceId(),
                    s.feeds().stream().map(FeedSettings::id).toList(), tracker::symbols, tickers::storedReceivedAt, tracker::stored, CLOCK);
            // What this instance's own feed check says of each venue it leads goes with its announcement, so that the
            // followers' health shows the leader's feed (up, or down and why) instead of "somebody leads it".
            clusterWatch.feedProblem(venue -> {
                for (HealthCheck check : healthChecks(camelContext)) {
                    if (check.getId().equals("feed-" + venue)) {
                        HealthCheck.Result result = check.call();
                        if (result.getState() == HealthCheck.State.UP) {
                            return null;
                        }
                        Object error = result.getDetails().get("last_error");
                        return error == null ? "not connected, or no frame within the idle timeout" : error.toString();
                    }
                }
                return null;
            });
            // Alerts on a venue are raised by the instance that leads it, once for the whole data set.
            // While no instance leads a venue every instance alerts on it: a venue nobody ingests must not go unalerted.
            dev.marketdata.cluster.ClusterWatch watch = clusterWatch;
            qualityMonitor(camelContext).judgeOnly(key -> {
                String venue = dev.marketdata.model.MarketTick.exchangeOfKey(key);
                return led.leads(venue) || watch.nobodyLeads(venue);
            });
            for (FeedSettings f : s.feeds()) {
                String venue = f.id();
                dev.marketdata.cluster.ClusterWatch announced = clusterWatch;
                VenueFeed feed = feeds(camelContext).get(f.venue());
                if (feed != null) {
                    feed.ingestOnlyWhile(() -> led.leads(venue), () -> announced.leaderName(venue));
                }
                io.micrometer.core.instrument.Gauge.builder("marketdata.cluster.leading", led, l -> l.leads(venue) ? 1 : 0)
                        .description("1 while this instance leads the venue (ingests it), 0 while another one does")
                        .tag("exchange", venue).register(meterRegistry(camelContext));
            }
        }
        return clusterWatch;
    }

    /** Redis, freshness, then one feed check per enabled venue: in that order. */
    public synchronized List<HealthCheck> healthChecks(CamelContext camelContext) {
        if (healthChecks == null) {
            GatewaySettings s = settings(camelContext);
            List<HealthCheck> checks = new java.util.ArrayList<>();
            LatestTickStore store = latestTickStore(camelContext);
            GatewayHealthChecks.Redis redis = new GatewayHealthChecks.Redis(redisTemplate(camelContext), ingestMetrics(camelContext),
                    store::redisUp);
            redis.server(redisConnections(camelContext).mode(), redisConnections(camelContext)::server);
            checks.add(redis);
            checks.add(new GatewayHealthChecks.Freshness(freshness(camelContext), s.quality().staleSeconds() * 1000L,
                    latestTickStore(camelContext)));
            for (FeedSettings f : s.feeds()) {
                dev.marketdata.cluster.ClusterWatch watch = clusterWatch(camelContext);
                String venue = f.id();
                checks.add(new GatewayHealthChecks.Feed(feeds(camelContext).get(f.venue()), f.timing().idleMillis(), CLOCK,
                        () -> watch.leads(venue), () -> watch.leaderName(venue), () -> watch.noLeaderReason(venue),
                        () -> watch.leaderFeedError(venue)));
            }
            healthChecks = List.copyOf(checks);
            healthChecks.forEach(check -> ((org.apache.camel.CamelContextAware) check).setCamelContext(camelContext));
        }
        return healthChecks;
    }

    /** The push API's hub: {@code /api/v1/stream}, fed from the Redis channel every gateway publishes on. */
    public synchronized dev.marketdata.api.TickStream tickStream(CamelContext camelContext) {
        if (tickStream == null) {
            PropertiesComponent pc = camelContext.getPropertiesComponent();
            GatewaySettings s = settings(camelContext);
            JedisConnectionFactory pooled = redisConnectionFactory(camelContext);
            tickStream = new dev.marketdata.api.TickStream(pooled, redisConnections(camelContext).subscription(
                    dev.marketdata.api.TickStream.SUBSCRIPTION_READ_TIMEOUT_MILLIS, "market-data-stream"),
                    dev.marketdata.api.TickStream.channel(s.redis().database()), tickerReader(camelContext),
                    mockTickerEnricher(camelContext), bestPrice(camelContext), StreamSettings.from(name -> pc.resolveProperty(name).orElse(null)),
                    s.redis().sequenceResetAfterMillis(), meterRegistry(camelContext));
        }
        return tickStream;
    }

    @BindToRegistry(HealthReport.BEAN)
    public HealthReport healthReport(CamelContext camelContext) {
        List<HealthCheck> checks = healthChecks(camelContext);
        HealthReport report = new HealthReport(checks.get(0), checks.subList(2, checks.size()), checks.get(1),
                qualityMonitor(camelContext), apiResponses(camelContext), version(), () -> live == null ? null : live.healthDetails());
        report.stream(tickStream(camelContext)::healthDetails);
        report.cluster(clusterWatch(camelContext)::details);
        return report;
    }

    static String version() {
        try (InputStream in = MarketDataConfiguration.class.getResourceAsStream("/market-data-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
