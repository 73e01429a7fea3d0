package dev.marketdata.api;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import dev.marketdata.pipeline.IngestMetrics;
import dev.marketdata.support.TestRedis;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.health.HealthCheck;
import org.apache.camel.impl.DefaultCamelContext;
import org.junit.jupiter.api.Test;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.jedis.JedisClientConfiguration;
import org.springframework.data.redis.connection.jedis.JedisConnectionFactory;
import org.springframework.data.redis.core.StringRedisTemplate;
import redis.clients.jedis.Jedis;

/**
 * The Redis check asks Redis once per 250 ms however many probes come (only the first probe waits for it), again
 * after a Redis command failed, says DOWN at once while the store finds Redis down, and never makes a probe wait
 * on a Redis that hangs.
 */
class RedisHealthCheckIT {

    @Test
    void onePingAnswersEveryProbeFor250Ms() throws Exception {
        TestRedis.ensureStarted();
        StringRedisTemplate template = new StringRedisTemplate(TestRedis.connectionFactory());
        template.afterPropertiesSet();
        AtomicLong nanos = new AtomicLong(1_000_000_000L);
        AtomicBoolean storeSeesRedis = new AtomicBoolean(true);
        IngestMetrics metrics = new IngestMetrics(new SimpleMeterRegistry(), List.of("BTCUSDT"));
        GatewayHealthChecks.Redis check = new GatewayHealthChecks.Redis(template, metrics, storeSeesRedis::get, nanos::get);
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
            // Stale: this probe answers with the last verdict, and one PING goes in the background.
            assertEquals(HealthCheck.State.UP, check.call().getState());
            await("the background PING", Duration.ofSeconds(5), () -> pings(redis) == 2);
            // A Redis command failing elsewhere in the gateway (the writer, a read): the next probe asks again.
            metrics.redisError("write");
            assertEquals(HealthCheck.State.UP, check.call().getState());
            await("the PING after a failure", Duration.ofSeconds(5), () -> pings(redis) == 3);
            for (int i = 0; i < 20; i++) {
                check.call();
            }
            assertEquals(3, pings(redis));
            // The store finds Redis down: DOWN at once, whatever the last PING said.
            storeSeesRedis.set(false);
            HealthCheck.Result down = check.call();
            assertEquals(HealthCheck.State.DOWN, down.getState());
            assertEquals("the gateway's Redis commands are failing (PING pending)", down.getDetails().get("error"));
        }
    }

    @Test
    void aRedisThatHangsNeverHoldsUpAProbe() throws Exception {
        // A "Redis" that accepts connections and never answers.
        try (ServerSocket silent = new ServerSocket(0)) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept());
                    }
                } catch (Exception e) {
                    // closed
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            JedisConnectionFactory factory = new JedisConnectionFactory(new RedisStandaloneConfiguration("127.0.0.1",
                    silent.getLocalPort()), JedisClientConfiguration.builder().connectTimeout(Duration.ofMillis(300))
                    .readTimeout(Duration.ofMillis(300)).usePooling().build());
            factory.afterPropertiesSet();
            factory.start();
            StringRedisTemplate template = new StringRedisTemplate(factory);
            template.afterPropertiesSet();
            AtomicLong nanos = new AtomicLong(1_000_000_000L);
            GatewayHealthChecks.Redis check = new GatewayHealthChecks.Redis(template,
                    new IngestMetrics(new SimpleMeterRegistry(), List.of("BTCUSDT")), () -> true, nanos::get);
            try (DefaultCamelContext context = new DefaultCamelContext()) {
                check.setCamelContext(context);
                // The first probe waits for its PING, up to the read timeout: DOWN.
                assertEquals(HealthCheck.State.DOWN, check.call().getState());
                // Every later probe answers at once, stale or not, while the background PING hangs.
                long start = System.nanoTime();
                for (int i = 0; i < 50; i++) {
                    nanos.addAndGet(GatewayHealthChecks.Redis.PING_VALID_NANOS);
                    assertEquals(HealthCheck.State.DOWN, check.call().getState());
                }
                long millis = (System.nanoTime() - start) / 1_000_000;
                assertTrue(millis < 250, "50 probes took " + millis + " ms against a hung Redis");
            } finally {
                factory.destroy();
                for (Socket socket : accepted) {
                    socket.close();
                }
            }
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
