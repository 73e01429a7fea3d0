package dev.marketdata;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.marketdata.support.Frames;
import dev.marketdata.support.PrometheusScrape;
import dev.marketdata.support.RawBinanceServer;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.embedded.RedisServer;

/**
 * SIGTERM to the packaged jar while Redis is down and ticks are pending: if Redis answers within
 * {@code redis.shutdown-flush-timeout} they are written; otherwise the last line of the log names, per
 * symbol, what was not written, and logging is still alive to write it.
 */
class ShutdownIT {

    private static final List<String> SYMBOLS = List.of("AAAUSDT", "BBBUSDT", "CCCUSDT");
    private final HttpClient http = HttpClient.newHttpClient();
    private RedisServer redis;
    private int redisPort;
    private RawBinanceServer binance;
    private Process gateway;
    private int apiPort;
    private File log;

    @BeforeEach
    void start() throws Exception {
        redisPort = TestRedis.freePort();
        redis = RedisServer.newRedisServer().port(redisPort).bind("127.0.0.1")
                .setting("save \"\"").setting("appendonly no").build();
        redis.start();
        binance = new RawBinanceServer();
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        binance.close();
        redis.stop();
    }

    @Test
    void ticksRedisDoesNotTakeInTimeAreNamedInTheLastLine() throws Exception {
        startGateway("2s");
        sendWhileRedisIsDown();
        long signalled = System.nanoTime();
        gateway.destroy();
        assertTrue(gateway.waitFor(60, TimeUnit.SECONDS), "the gateway did not stop");
        long tookMillis = (System.nanoTime() - signalled) / 1_000_000;
        assertTrue(tookMillis >= 2_000, "it waited for Redis for redis.shutdown-flush-timeout, not " + tookMillis + " ms");
        List<String> lines = Files.readAllLines(log.toPath()).stream().filter(l -> !l.isBlank()).toList();
        String last = lines.get(lines.size() - 1);
        assertTrue(last.contains(" WARN ") && last.matches(".*Stopped after \\d+ s: 1 tick\\(s\\) written to Redis, 3 not "
                + "written: Redis did not confirm them within redis.shutdown-flush-timeout \\(2000 ms\\)\\. Not written, "
                + "newest per symbol and stream: AAAUSDT 1, BBBUSDT 1, CCCUSDT 1"),
                String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
        assertFalse(lines.stream().anyMatch(l -> l.contains("Flushed")), "no false claim of a flush");
    }

    @Test
    void ticksAreFlushedWhenRedisAnswersWithinTheBound() throws Exception {
        startGateway("20s");
        long u = sendWhileRedisIsDown();
        gateway.destroy();
        // Redis comes back while the gateway is stopping.
        await("the gateway is flushing", Duration.ofSeconds(20), () -> {
            try {
                return Files.readString(log.toPath()).contains("SIGTERM");
            } catch (Exception e) {
                return false;
            }
        });
        redis.start();
        assertTrue(gateway.waitFor(60, TimeUnit.SECONDS), "the gateway did not stop");
        List<String> lines = Files.readAllLines(log.toPath()).stream().filter(l -> !l.isBlank()).toList();
        assertTrue(lines.stream().anyMatch(l -> l.endsWith("Flushed 3 pending tick(s) to Redis on shutdown")),
                String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size())));
        assertTrue(lines.get(lines.size() - 1).matches(".* INFO .*Stopped after \\d+ s: 4 tick\\(s\\) written to Redis, none "
                + "left unwritten"), lines.get(lines.size() - 1));
        try (Jedis jedis = new Jedis("127.0.0.1", redisPort)) {
            for (String symbol : SYMBOLS) {
                assertTrue(jedis.get("tick:latest:" + symbol).contains("\"update_id\":" + u), symbol);
            }
        }
    }

    private void startGateway(String flushTimeout) throws Exception {
        apiPort = TestRedis.freePort();
        log = Files.createTempFile("market-data-shutdown", ".log").toFile();
        gateway = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dbinance.ws.url=" + binance.url(), "-Dbinance.symbols=" + String.join(",", SYMBOLS),
                "-Dredis.port=" + redisPort, "-Dredis.embedded=false", "-Dcamel.server.port=" + apiPort,
                "-Dredis.shutdown-flush-timeout=" + flushTimeout, "-jar", "target/market-data.jar")
                .redirectErrorStream(true).redirectOutput(log).start();
        await("the gateway is ready", Duration.ofSeconds(60), () -> status("/observe/health/ready") == 200);
        await("connected", Duration.ofSeconds(20), () -> binance.open().size() == 1);
    }

    /** One tick stored, then Redis stops and each symbol gets a newer one; returns that update id. */
    private long sendWhileRedisIsDown() throws Exception {
        binance.broadcast(Frames.bookTicker("AAAUSDT", 1));
        await("stored", Duration.ofSeconds(20), () -> {
            try (Jedis jedis = new Jedis("127.0.0.1", redisPort)) {
                return jedis.exists("tick:latest:AAAUSDT");
            }
        });
        redis.stop();
        for (String symbol : SYMBOLS) {
            binance.broadcast(Frames.bookTicker(symbol, 2));
        }
        await("received", Duration.ofSeconds(20), () -> framesReceived() == 4);
        return 2;
    }

    private double framesReceived() {
        try {
            String text = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + "/observe/metrics"))
                    .GET().build(), HttpResponse.BodyHandlers.ofString()).body();
            return new PrometheusScrape(text).samples().entrySet().stream()
                    .filter(e -> e.getKey().startsWith("marketdata_frames_received_total{"))
                    .mapToDouble(java.util.Map.Entry::getValue).sum();
        } catch (Exception e) {
            return -1;
        }
    }

    private int status(String path) {
        try {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + apiPort + path))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
