package dev.marketdata;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.HashSet;
import java.util.Properties;
import java.util.function.LongSupplier;

import dev.marketdata.api.ApiResponses;
import dev.marketdata.api.HealthReport;
import dev.marketdata.api.MockTickerEnricher;
import dev.marketdata.api.TickerReader;
import dev.marketdata.binance.BinanceFeed;
import dev.marketdata.binance.BinanceFrameMapper;
import dev.marketdata.pipeline.EmbeddedRedisLauncher;
import dev.marketdata.pipeline.IngestMetrics;
import dev.marketdata.pipeline.IngestRecorder;
import dev.marketdata.pipeline.LatestTickStore;
import dev.marketdata.pipeline.TickJson;
import dev.marketdata.pipeline.TickValidator;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.http.HttpClientOptions;
import org.apache.camel.BindToRegistry;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.PropertiesComponent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisClientConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import redis.clients.jedis.JedisPoolConfig;

/**
 * Binds the gateway's beans. Settings are read and checked once; a bad value stops start-up with a
 * message naming the property.
 */
public class MarketDataConfiguration implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(MarketDataConfiguration.class);
    private static final LongSupplier CLOCK = System::currentTimeMillis;

    private GatewaySettings settings;
    private PrometheusMeterRegistry meterRegistry;
    private IngestMetrics ingestMetrics;
    private BinanceFeed feed;
    private EmbeddedRedisLauncher embeddedRedis;
    private JedisConnectionFactory connectionFactory;
    private StringRedisTemplate redisTemplate;
    private LatestTickStore store;
    private ApiResponses responses;

    @Override
    public void configure(CamelContext camelContext) throws Exception {
        GatewaySettings s = settings(camelContext);
        // The ingest route's URI needs the stream list, which is derived from two properties.
        camelContext.getPropertiesComponent().addOverrideProperty("binance.stream-names", s.streamNames());
        camelContext.addService(embeddedRedis(camelContext), true, true);
        camelContext.getManagementStrategy().addEventNotifier(feed(camelContext));
        LOG.info("Following {} on {} as {} via {}; Redis {}:{} db {}, tick TTL {} s", s.symbols(), s.wsUrl(),
                s.streams().stream().map(k -> k.configName()).toList(), s.proxies(), s.redisHost(), s.redisPort(),
                s.redisDatabase(), s.tickTtlSeconds());
    }

    @BindToRegistry("gatewaySettings")
    public synchronized GatewaySettings settings(CamelContext camelContext) {
        if (settings == null) {
            PropertiesComponent properties = camelContext.getPropertiesComponent();
            settings = GatewaySettings.from(name -> properties.resolveProperty(name).orElse(null), System.getenv());
        }
        return settings;
    }

    @BindToRegistry("metricsRegistry")
    public synchronized PrometheusMeterRegistry meterRegistry() {
        if (meterRegistry == null) {
            meterRegistry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        }
        return meterRegistry;
    }

    @BindToRegistry(IngestMetrics.BEAN)
    public synchronized IngestMetrics ingestMetrics(CamelContext camelContext) {
        if (ingestMetrics == null) {
            ingestMetrics = new IngestMetrics(meterRegistry(), settings(camelContext).symbols());
        }
        return ingestMetrics;
    }

    @BindToRegistry(BinanceFeed.BEAN)
    public synchronized BinanceFeed feed(CamelContext camelContext) {
        if (feed == null) {
            GatewaySettings s = settings(camelContext);
            feed = new BinanceFeed(s.proxies(), s.wsUrl());
        }
        return feed;
    }

    /** What the vertx-websocket consumer connects with: carries the active proxy of {@code binance.proxies}. */
    @BindToRegistry("binanceClientOptions")
    public HttpClientOptions binanceClientOptions(CamelContext camelContext) {
        return feed(camelContext).clientOptions();
    }

    @BindToRegistry("embeddedRedis")
    public synchronized EmbeddedRedisLauncher embeddedRedis(CamelContext camelContext) {
        if (embeddedRedis == null) {
            GatewaySettings s = settings(camelContext);
            embeddedRedis = new EmbeddedRedisLauncher(s.redisHost(), s.redisPort());
            if (s.redisEmbedded()) {
                embeddedRedis.startIfAbsent();
            }
        }
        return embeddedRedis;
    }

    @BindToRegistry("redisConnectionFactory")
    public synchronized JedisConnectionFactory redisConnectionFactory(CamelContext camelContext) {
        if (connectionFactory == null) {
            GatewaySettings s = settings(camelContext);
            embeddedRedis(camelContext);
            RedisStandaloneConfiguration server = new RedisStandaloneConfiguration(s.redisHost(), s.redisPort());
            server.setDatabase(s.redisDatabase());
            if (!s.redisPassword().isEmpty()) {
                server.setPassword(s.redisPassword());
            }
            JedisPoolConfig pool = new JedisPoolConfig();
            pool.setMaxTotal(32);
            pool.setMaxIdle(32);
            pool.setMaxWait(Duration.ofMillis(s.redisTimeoutMs()));
            JedisClientConfiguration client = JedisClientConfiguration.builder()
                    .connectTimeout(Duration.ofMillis(s.redisTimeoutMs()))
                    .readTimeout(Duration.ofMillis(s.redisTimeoutMs()))
                    .usePooling().poolConfig(pool).build();
            connectionFactory = new JedisConnectionFactory(server, client);
            connectionFactory.afterPropertiesSet();
            connectionFactory.start();
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
            store = new LatestTickStore(redisTemplate(camelContext), s.symbols(), s.tickTtlSeconds(),
                    ingestMetrics(camelContext));
        }
        return store;
    }

    @BindToRegistry(BinanceFrameMapper.BEAN)
    public BinanceFrameMapper binanceFrameMapper(CamelContext camelContext) {
        return new BinanceFrameMapper(TickJson.newMapper(), new HashSet<>(settings(camelContext).streams()), CLOCK);
    }

    @BindToRegistry(TickValidator.BEAN)
    public TickValidator tickValidator(CamelContext camelContext) {
        return new TickValidator(settings(camelContext).symbols());
    }

    @BindToRegistry(IngestRecorder.BEAN)
    public IngestRecorder ingestRecorder(CamelContext camelContext) {
        return new IngestRecorder(ingestMetrics(camelContext), feed(camelContext));
    }

    @BindToRegistry(TickerReader.BEAN)
    public TickerReader tickerReader(CamelContext camelContext) {
        return new TickerReader(latestTickStore(camelContext), settings(camelContext).symbols(), CLOCK);
    }

    @BindToRegistry(MockTickerEnricher.BEAN)
    public MockTickerEnricher mockTickerEnricher(CamelContext camelContext) {
        return new MockTickerEnricher(settings(camelContext).mockPrices());
    }

    @BindToRegistry(ApiResponses.BEAN)
    public synchronized ApiResponses apiResponses() {
        if (responses == null) {
            responses = new ApiResponses(CLOCK);
        }
        return responses;
    }

    @BindToRegistry(HealthReport.BEAN)
    public HealthReport healthReport(CamelContext camelContext) {
        long idleMillis = Long.parseLong(camelContext.getPropertiesComponent()
                .resolveProperty("binance.idle-timeout-ms").orElse("30000"));
        return new HealthReport(redisTemplate(camelContext), feed(camelContext), apiResponses(), version(),
                idleMillis, CLOCK);
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
