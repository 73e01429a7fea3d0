package dev.marketdata.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.MarketDataApplication;
import org.apache.camel.CamelContext;
import org.apache.camel.main.Main;

/**
 * The gateway exactly as users run it (the same Main, the repo's application.properties and routes/),
 * started in the test JVM with property overrides: a free REST port, the test Redis, no embedded Redis.
 */
public final class RunningGateway implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Main main;
    private final int httpPort;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private RunningGateway(Main main, int httpPort) {
        this.main = main;
        this.httpPort = httpPort;
    }

    public static RunningGateway start(Map<String, String> overrides) throws Exception {
        return start(Path.of(""), overrides);
    }

    /** Started from another working directory: its application.properties (and routes/, if any) are the engineer's. */
    public static RunningGateway start(Path workingDirectory, Map<String, String> overrides) throws Exception {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("redis.host", TestRedis.host());
        props.put("redis.port", Integer.toString(TestRedis.port()));
        props.put("redis.embedded", "false");
        props.put("camel.server.port", Integer.toString(TestRedis.freePort()));
        props.put("binance.reconnect.initial-delay", "100ms");
        props.put("binance.reconnect.max-delay", "1s");
        props.putAll(overrides);
        Main main = MarketDataApplication.createMain(workingDirectory);
        props.forEach(main::addOverrideProperty);
        try {
            main.start();
        } catch (Exception | Error e) {
            main.stop();
            throw e;
        }
        RunningGateway gateway = new RunningGateway(main, Integer.parseInt(props.get("camel.server.port")));
        // Answers at all: 200, or 503 when Redis and the venue are both away (a test may start it so).
        await("the REST API answers", Duration.ofSeconds(30), () -> {
            int status = gateway.status("/api/v1/health");
            return status == 200 || status == 503;
        });
        return gateway;
    }

    /** The REST port. */
    public int port() {
        return httpPort;
    }

    public CamelContext context() {
        return main.getCamelContext();
    }

    public <T> T bean(String name, Class<T> type) {
        return context().getRegistry().lookupByNameAndType(name, type);
    }

    public int status(String path) {
        try {
            return send(path).statusCode();
        } catch (IOException e) {
            return -1;
        }
    }

    /** The value of the first /observe/metrics line starting with the prefix; -1 when there is none or no answer. */
    public double metric(String prefix) {
        try {
            return send("/observe/metrics").body().lines().filter(l -> l.startsWith(prefix)).findFirst()
                    .map(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).orElse(-1.0);
        } catch (IOException e) {
            return -1;
        }
    }

    public HttpResponse<String> send(String path) throws IOException {
        return send(path, Map.of());
    }

    /** A GET with these request headers. */
    public HttpResponse<String> send(String path, Map<String, String> headers) throws IOException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path))
                .timeout(Duration.ofSeconds(10)).GET();
        headers.forEach(builder::header);
        HttpRequest request = builder.build();
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    public JsonNode getJson(String path) throws IOException {
        return JSON.readTree(send(path).body());
    }

    /** Polls the condition until it holds or the deadline passes; fails with what was awaited. */
    public static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout.toSeconds() + " s waiting until " + what);
            }
            LockSupport.parkNanos(20_000_000L);
        }
    }

    /** Closes each of them that was opened, in order (for @AfterAll of tests that start several). */
    public static void closeAll(AutoCloseable... resources) throws Exception {
        for (AutoCloseable resource : resources) {
            if (resource != null) {
                resource.close();
            }
        }
    }

    @Override
    public void close() throws Exception {
        main.stop();
    }
}
