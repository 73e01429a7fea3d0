package dev.marketdata.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import dev.marketdata.pipeline.IngestMetrics;
import dev.marketdata.support.TestRedis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.core.StringRedisTemplate;
import redis.clients.jedis.Jedis;

/** The Redis check asks Redis once per 250 ms however many probes come, and at once after a Redis command failed. */
class RedisHealthCheckIT {

    @Test
    void onePingAnswersEveryProbeFor250Ms() throws Exception {
        TestRedis.ensureStarted();
        StringRedisTemplate template = new StringRedisTemplate(TestRedis.connectionFactory());
        template.afterPropertiesSet();
        AtomicLong nanos = new AtomicLong(1_000_000_000L);
        IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry(), List.of("BTCUSDT"));
        GatewayHealthChecks.Redis check = new GatewayHealthChecks.Redis(template, metrics, nanos::get);
        try (DefaultCamelContext context = new DefaultCamelContext(); Jedis redis = TestRedis.client()) {
            check.setCamelContext(context);
            redis.configResetStat();
            for (int i = 0; i < 100; i++) {
                assertEquals(HealthCheck.State.UP, check.call().getState());
            }
            assertEquals(1, pings(redis));
            nanos.addAndGet(GatewayHealthChecks.Redis.PING_VALID_NANOS - 1);
            assertEquals(HealthCheck.State.UP, check.call().getState());
            assertEquals(1, pings(redis));
            nanos.addAndGet(1);
            assertEquals(HealthCheck.State.UP, check.call().getState());
            assertEquals(2, pings(redis));
            // A Redis command failing elsewhere in the gateway (the writer, a read): the next probe asks at once.
            metrics.redisError("write");
            assertEquals(HealthCheck.State.UP, check.call().getState());
            assertEquals(3, pings(redis));
            assertEquals(HealthCheck.State.UP, check.call().getState());
            assertEquals(3, pings(redis));
        }
    }

    /** PINGs Redis has answered since the stats were reset (INFO commandstats). */
    private static long pings(Jedis redis) {
        for (String line : redis.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_ping:")) {
                return Long.parseLong(line.replaceAll("^cmdstat_ping:calls=(\\d+),.*$", "$1"));
            }
        }
        return 0;
    }
}
