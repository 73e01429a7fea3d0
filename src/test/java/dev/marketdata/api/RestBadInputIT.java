package dev.marketdata.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Hostile requests: each gets a JSON error with the right status, never a stack trace, and none of them
 * makes the gateway read Redis (Redis's own command statistics prove it).
 */
class RestBadInputIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static RunningGateway gateway;
    private static int port;

    record Case(String method, String path, int status, String code) {
    }

    @BeforeAll
    static void start() throws Exception {
        TestRedis.flush();
        gateway = RunningGateway.start(Map.of("binance.ws.url", "ws://127.0.0.1:" + TestRedis.freePort() + "/stream",
                "binance.symbols", "BTCUSDT,ETHUSDT"));
        port = Integer.parseInt(gateway.context().getPropertiesComponent().resolveProperty("camel.server.port").orElseThrow());
    }

    @AfterAll
    static void stop() throws Exception {
        RunningGateway.closeAll(gateway);
    }

    @Test
    void everyBadRequestGetsItsJsonErrorAndNoRedisRead() throws Exception {
        List<Case> cases = List.of(
                new Case("GET", "/api/v1/tickers/BTC*", 400, "INVALID_SYMBOL"),
                new Case("GET", "/api/v1/tickers/BTC%3FUSDT", 400, "INVALID_SYMBOL"),
                new Case("GET", "/api/v1/tickers/BTC:USDT", 400, "INVALID_SYMBOL"),
                new Case("GET", "/api/v1/tickers/BTC%2FUSDT", 400, "INVALID_SYMBOL"),
                new Case("GET", "/api/v1/tickers/BTC/USDT", 404, "NOT_FOUND"),
                new Case("GET", "/api/v1/tickers/..", 404, "NOT_FOUND"),
                new Case("GET", "/api/v1/tickers/%2E%2E", 404, "NOT_FOUND"),
                new Case("GET", "/api/v1/tickers/%00", 400, "INVALID_SYMBOL"),
                new Case("GET", "/api/v1/tickers/BTC%00USDT", 400, "INVALID_SYMBOL"),
                new Case("GET", "/api/v1/tickers/%C3%9CSDT", 400, "INVALID_SYMBOL"),
                // Checked before case folding: a trailing NUL was trimmed away, and U+017F upper-cases to 'S'.
                new Case("GET", "/api/v1/tickers/BTCUSDT%00", 400, "INVALID_SYMBOL"),
                new Case("GET", "/api/v1/tickers/%20BTCUSDT", 400, "INVALID_SYMBOL"),
                new Case("GET", "/api/v1/tickers/BTCUSDT%09", 400, "INVALID_SYMBOL"),
                new Case("GET", "/api/v1/tickers/btcu%C5%BFdt", 400, "INVALID_SYMBOL"),
                new Case("GET", "/api/v1/tickers/%E2%82%BFUSDT", 400, "INVALID_SYMBOL"),
                new Case("GET", "/api/v1/tickers/B", 400, "INVALID_SYMBOL"),
                new Case("GET", "/api/v1/tickers/" + "A".repeat(21), 400, "INVALID_SYMBOL"),
                new Case("GET", "/api/v1/tickers/" + "A".repeat(3000), 400, "INVALID_SYMBOL"),
                new Case("GET", "/api/v1/tickers/DOGEUSDT", 404, "UNKNOWN_SYMBOL"),
                new Case("GET", "/api/v1/tickers?limit=5", 400, "UNKNOWN_PARAMETER"),
                new Case("GET", "/api/v1/tickers/BTCUSDT?debug=true", 400, "UNKNOWN_PARAMETER"),
                new Case("GET", "/api/v1/health?full", 400, "UNKNOWN_PARAMETER"),
                new Case("GET", "/api/v2/tickers", 404, "NOT_FOUND"),
                new Case("POST", "/", 404, "NOT_FOUND"),
                new Case("POST", "/api/v1/tickers", 405, "METHOD_NOT_ALLOWED"),
                new Case("PUT", "/api/v1/tickers/BTCUSDT", 405, "METHOD_NOT_ALLOWED"),
                new Case("DELETE", "/api/v1/tickers/BTCUSDT", 405, "METHOD_NOT_ALLOWED"),
                new Case("PATCH", "/api/v1/health", 405, "METHOD_NOT_ALLOWED"));
        Map<String, Long> before = readCommands();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        for (Case c : cases) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + c.path()))
                    .method(c.method(), HttpRequest.BodyPublishers.ofString(c.method().equals("GET") ? "" : "{}"))
                    .timeout(Duration.ofSeconds(10)).build();
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            String what = c.method() + " " + (c.path().length() > 60 ? c.path().substring(0, 60) + "..." : c.path());
            assertEquals(c.status(), response.statusCode(), what);
            JsonNode body = JSON.readTree(response.body());
            assertFalse(body.get("success").asBoolean(), what);
            assertEquals(c.code(), body.get("error").get("code").asText(), what);
            assertTrue(body.get("error").get("message").asText().length() < 120, what);
            assertFalse(response.body().contains("Exception") || response.body().contains("\tat "), what);
            assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""), what);
            if (c.status() == 405) {
                assertEquals("GET", response.headers().firstValue("Allow").orElse(""), what);
            }
        }
        // Escapes that do not decode fail in the HTTP server's router, before any route: still JSON.
        for (Case c : List.of(new Case("GET", "/api/v1/tickers/%", 400, "INVALID_SYMBOL"),
                new Case("GET", "/api/v1/tickers/%zz", 400, "INVALID_SYMBOL"),
                new Case("GET", "/api/v1/tickers/BTC%E0%A4%A", 400, "INVALID_SYMBOL"),
                new Case("GET", "/api/v1/he%alth", 400, "BAD_REQUEST"))) {
            String[] response = rawGet(c.path());
            assertEquals("HTTP/1.1 400 Bad Request", response[0], c.path());
            JsonNode body = JSON.readTree(response[1]);
            assertEquals(c.code(), body.get("error").get("code").asText(), c.path());
            assertFalse(response[1].contains("Exception"), c.path());
        }
        // A path far beyond what an HTTP server reads is refused by it before any route: 414, still no Redis.
        HttpResponse<String> huge = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/api/v1/tickers/" + "A".repeat(10_240))).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(414, huge.statusCode());
        assertFalse(huge.body().contains("Exception"));
        assertEquals(before, readCommands());
        // A good request does read Redis, so the statistics above would have seen a read; and the list of
        // every symbol is one MGET, never a read per symbol.
        assertEquals(200, gateway.status("/api/v1/tickers/btcusdt"));
        assertEquals(before.get("mget") + 1, readCommands().get("mget"));
        assertEquals(200, gateway.status("/api/v1/tickers"));
        assertEquals(before.get("mget") + 2, readCommands().get("mget"));
        assertEquals(before.get("get"), readCommands().get("get"));
    }

    /** A GET sent as raw bytes (Java's HTTP client refuses malformed escapes): {status line, body}. */
    private static String[] rawGet(String path) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            return new String[] { response.substring(0, response.indexOf("\r\n")),
                    response.substring(response.indexOf("\r\n\r\n") + 4) };
        }
    }

    /** Redis's own count of the read commands the gateway uses. */
    private static Map<String, Long> readCommands() {
        Map<String, Long> counts = new HashMap<>(Map.of("get", 0L, "mget", 0L, "keys", 0L, "scan", 0L));
        try (Jedis redis = TestRedis.client()) {
            for (String line : redis.info("commandstats").split("\r?\n")) {
                for (String command : counts.keySet()) {
                    if (line.startsWith("cmdstat_" + command + ":")) {
                        counts.put(command, Long.parseLong(line.replaceAll("^cmdstat_\\w+:calls=(\\d+),.*", "$1")));
                    }
                }
            }
        }
        return counts;
    }
}
