package dev.marketdata;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.Test;

/**
 * The packaged jar run from another directory, as an integration engineer does: the working directory's
 * {@code application.properties} overrides the packaged one key by key (a gateway property, a Camel
 * property, the symbols; what it leaves out keeps the packaged value), and its {@code routes/} replace the
 * packaged routes.
 */
class WorkingDirectoryOverrideIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theWorkingDirectorysPropertiesAndRoutesOverrideThePackagedOnes() throws Exception {
        Path dir = Files.createTempDirectory("market-data-wd");
        int port = TestRedis.freePort();
        Files.writeString(dir.resolve("application.properties"), String.join("\n",
                "# only what this deployment changes; everything else keeps the packaged value",
                "binance.symbols = AAAUSDT,BBBUSDT",
                "binance.ws.url = ws://127.0.0.1:1/stream",
                "camel.server.port = " + port,
                "tick.ttl.seconds = 77",
                "redis.host = " + TestRedis.host(),
                "redis.port = " + TestRedis.port(),
                "redis.embedded = false", ""));
        Files.createDirectories(dir.resolve("routes"));
        for (String route : new String[] { "binance-ingest.camel.yaml", "ticker-api.camel.yaml" }) {
            String text = Files.readString(Path.of("routes", route));
            // A changed route file: the API under another base path.
            Files.writeString(dir.resolve("routes").resolve(route), text.replace("path: /api/v1", "path: /api/v9"));
        }
        File log = dir.resolve("gateway.log").toFile();
        Process gateway = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target", "market-data.jar").toAbsolutePath().toString())
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log).start();
        HttpClient http = HttpClient.newHttpClient();
        try {
            await("the API answers on the port from the working directory", Duration.ofSeconds(60), () -> {
                assertTrue(gateway.isAlive(), "the gateway stopped; see " + log);
                try {
                    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v9/tickers")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (Exception e) {
                    return false;
                }
            });
            JsonNode tickers = JSON.readTree(http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/v9/tickers")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).get("data");
            assertEquals(2, tickers.size());
            assertEquals("AAAUSDT", tickers.get(0).get("symbol").asText());
            assertEquals("BBBUSDT", tickers.get(1).get("symbol").asText());
            String output = Files.readString(log.toPath());
            assertTrue(output.contains("Following [AAAUSDT, BBBUSDT] on binance ws://127.0.0.1:1/stream as [bookTicker] via [direct]"),
                    output);
            assertTrue(output.contains("Redis " + TestRedis.host() + ":" + TestRedis.port() + " db 0, tick TTL 77 s"), output);
            // Left out of the file: the packaged value holds (the quality thresholds, the stream kinds).
            assertTrue(output.contains("as [bookTicker]"));
        } finally {
            gateway.destroy();
            gateway.waitFor(60, TimeUnit.SECONDS);
        }
    }

    /** Every property from the environment, Camel's own included (CAMEL_SERVER_PORT crashed start-up before). */
    @Test
    void environmentVariablesSetGatewayAndCamelPropertiesAlike() throws Exception {
        int port = TestRedis.freePort();
        File log = Files.createTempFile("market-data-env", ".log").toFile();
        ProcessBuilder builder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", "target/market-data.jar");
        builder.environment().put("CAMEL_SERVER_PORT", Integer.toString(port));
        builder.environment().put("BINANCE_SYMBOLS", "cccusdt");
        builder.environment().put("BINANCE_WS_URL", "ws://127.0.0.1:1/stream");
        builder.environment().put("TICK_TTL_SECONDS", "33");
        builder.environment().put("REDIS_HOST", TestRedis.host());
        builder.environment().put("REDIS_PORT", Integer.toString(TestRedis.port()));
        builder.environment().put("REDIS_EMBEDDED", "false");
        // The global proxy list, with a password, from the environment (PROXIES) as the README tells.
        builder.environment().put("PROXIES", "socks5://u:s3cret-pw@127.0.0.1:1");
        Process gateway = builder.redirectErrorStream(true).redirectOutput(log).start();
        HttpClient http = HttpClient.newHttpClient();
        try {
            await("the API answers on CAMEL_SERVER_PORT", Duration.ofSeconds(60), () -> {
                assertTrue(gateway.isAlive(), "the gateway stopped; see " + log);
                try {
                    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/tickers")).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                } catch (Exception e) {
                    return false;
                }
            });
            JsonNode tickers = JSON.readTree(http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/api/v1/tickers")).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).get("data");
            assertEquals(1, tickers.size());
            assertEquals("CCCUSDT", tickers.get(0).get("symbol").asText());
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/observe/health/live")).build(), HttpResponse.BodyHandlers.discarding()).statusCode());
            String output = Files.readString(log.toPath());
            assertTrue(output.contains("tick TTL 33 s"), output);
            assertTrue(output.contains("via [socks5://u:***@127.0.0.1:1]"), output);
            assertTrue(!output.contains("s3cret-pw"), output);
            assertEquals(1, output.lines().filter(l -> l.contains("Vert.x HttpServer started")).count(), "one HTTP server");
        } finally {
            gateway.destroy();
            gateway.waitFor(60, TimeUnit.SECONDS);
        }
    }
}
