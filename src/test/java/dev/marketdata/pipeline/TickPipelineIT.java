package dev.marketdata.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.marketdata.exchange.binance.BinanceFrameMapper;
import dev.marketdata.model.RejectReason;
import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.StreamKind;
import dev.marketdata.support.TestRedis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.builder.NotifyBuilder;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import redis.clients.jedis.Jedis;

/** The Java DSL tick pipeline on its own, fed frame by frame, against a real Redis. */
class TickPipelineIT extends CamelTestSupport {

    private static final List<String> SYMBOLS = List.of("BNBUSDT");
    private IngestMetrics metrics;
    private JedisConnectionFactory factory;
    private LatestTickStore store;

    @Override
    protected void bindToRegistry(Registry registry) {
        TestRedis.flush();
        factory = TestRedis.connectionFactory();
        SimpleMeterRegistry meters = new SimpleMeterRegistry();
        metrics = new IngestMetrics(meters, SYMBOLS);
        FreshnessTracker freshness = new FreshnessTracker(SYMBOLS, System::currentTimeMillis);
        context.getPropertiesComponent().addInitialProperty("quality.check-interval-ms", "60000");
        context.getPropertiesComponent().addInitialProperty("quality.alert.uri", "log:quality");
        context.getPropertiesComponent().addInitialProperty("redis.reconcile-interval", "3600000");
        registry.bind(QualityMonitor.BEAN, new QualityMonitor(freshness, meters, 30_000, new BigDecimal("10"), 5_000,
                QualityMonitor.JumpAction.FLAG, 60_000, 5_000, System::currentTimeMillis));
        registry.bind(TickValidator.BEAN, new TickValidator(SYMBOLS, 5_000));
        registry.bind(IngestMetrics.BEAN, metrics);
        registry.bind(IngestRecorder.BEAN, new IngestRecorder(metrics));
        store = new LatestTickStore(new StringRedisTemplate(factory), SYMBOLS, new LatestTickStore.Options(60, 5_000, 1_000),
                metrics, freshness, System::currentTimeMillis);
        registry.bind(LatestTickStore.BEAN, store);
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new TickPipelineRoutes();
    }

    @Test
    void validFramesAreStoredInvalidOnesCountedAndTheRouteKeepsRunning() throws Exception {
        List<String> frames = List.of(
                book(1, "25.10", "25.20"),
                "{\"stream\":\"bnbusdt@bookTicker\",\"data\":{\"u\":2,\"s\":\"BNBUSDT\"",
                book(3, "25.30", "25.20"),
                "{\"stream\":\"bnbusdt@depth@100ms\",\"data\":{\"e\":\"depthUpdate\"}}",
                book(4, "0", "25.20"),
                "{\"stream\":\"ethusdt@bookTicker\",\"data\":{\"u\":5,\"s\":\"ETHUSDT\",\"b\":\"1\",\"B\":\"1\",\"a\":\"2\",\"A\":\"1\"}}",
                book(6, "25.40", "25.50"));
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("tick-pipeline").whenDone(frames.size()).create();
        // The pipeline takes what a venue's mapper made of each frame (the feed's consumer maps them).
        BinanceFrameMapper mapper = new BinanceFrameMapper(TickJson.newMapper(), EnumSet.of(StreamKind.BOOK_TICKER),
                System::currentTimeMillis);
        for (String frame : frames) {
            template.sendBody(TickPipelineRoutes.ENTRY, mapper.map(frame));
        }
        assertTrue(done.matches(10, TimeUnit.SECONDS));
        // Frames 1 and 6 are valid: both written, or 1 conflated into 6 if they were pending together.
        dev.marketdata.support.RunningGateway.await("both valid ticks settled", java.time.Duration.ofSeconds(10),
                () -> metrics.settledCount(SYMBOLS) == 2.0);
        dev.marketdata.support.RunningGateway.await("tick 6 written", java.time.Duration.ofSeconds(10), () -> {
            try (Jedis redis = TestRedis.client()) {
                String json = redis.get("tick:latest:BNBUSDT");
                return json != null && json.contains("\"update_id\":6");
            }
        });
        assertEquals(1.0, metrics.rejectedCount(RejectReason.MALFORMED_JSON));
        assertEquals(1.0, metrics.rejectedCount(RejectReason.CROSSED_BOOK));
        assertEquals(1.0, metrics.rejectedCount(RejectReason.NON_POSITIVE_PRICE));
        assertEquals(1.0, metrics.rejectedCount(RejectReason.UNKNOWN_SYMBOL));
        assertEquals(1.0, metrics.ignoredCount("depth"));
        try (Jedis redis = TestRedis.client()) {
            assertTrue(redis.get("tick:latest:BNBUSDT").contains("\"update_id\":6"));
            assertEquals(null, redis.get("tick:latest:ETHUSDT"));
        }
        factory.destroy();
    }

    /** What a venue says of a tick (a sequence reset) survives validation and quality checks to the store. */
    @Test
    void aResetTheVenueAnnouncesReachesTheStoreThroughThePipeline() throws Exception {
        BinanceFrameMapper mapper = new BinanceFrameMapper(TickJson.newMapper(), EnumSet.of(StreamKind.BOOK_TICKER),
                System::currentTimeMillis);
        NotifyBuilder done = new NotifyBuilder(context).fromRoute("tick-pipeline").whenDone(2).create();
        template.sendBody(TickPipelineRoutes.ENTRY, mapper.map(book(18_521_288, "25.10", "25.20")));
        dev.marketdata.support.RunningGateway.await("the first tick stored", java.time.Duration.ofSeconds(10), () -> {
            try (Jedis redis = TestRedis.client()) {
                String json = redis.get("tick:latest:BNBUSDT");
                return json != null && json.contains("\"update_id\":18521288");
            }
        });
        MarketTick restarted = ((FrameOutcome.Accepted) mapper.map(book(1, "25.30", "25.40"))).tick();
        template.sendBody(TickPipelineRoutes.ENTRY, new FrameOutcome.Accepted(restarted, true));
        assertTrue(done.matches(10, TimeUnit.SECONDS));
        dev.marketdata.support.RunningGateway.await("the reset stored at once", java.time.Duration.ofSeconds(10), () -> {
            try (Jedis redis = TestRedis.client()) {
                return redis.get("tick:latest:BNBUSDT").contains("\"update_id\":1,");
            }
        });
        factory.destroy();
    }

    private static String book(long u, String bid, String ask) {
        return "{\"stream\":\"bnbusdt@bookTicker\",\"data\":{\"u\":" + u + ",\"s\":\"BNBUSDT\",\"b\":\"" + bid
                + "\",\"B\":\"1.00\",\"a\":\"" + ask + "\",\"A\":\"2.00\"}}";
    }
}
