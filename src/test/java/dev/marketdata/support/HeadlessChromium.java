package dev.marketdata.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketConnectOptions;

/**
 * Debian's {@code chromium} in headless mode, driven over its DevTools protocol: it opens a page and a test reads
 * the live DOM while the page runs (a DOM dump at load time would miss what a WebSocket brings later).
 */
public final class HeadlessChromium implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final Process process;
    private final Path profile;
    private final Vertx vertx = Vertx.vertx();
    private final WebSocket devtools;
    private final AtomicInteger ids = new AtomicInteger();
    private final java.util.Map<Integer, CompletableFuture<JsonNode>> answers = new ConcurrentHashMap<>();

    /** The browser's path, or null where it is not installed. */
    public static String installed() {
        for (String candidate : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return candidate;
            }
        }
        return null;
    }

    public HeadlessChromium(String binary, String url) throws Exception {
        profile = Files.createTempDirectory("chromium-profile");
        process = new ProcessBuilder(binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                "--remote-debugging-port=0", "--user-data-dir=" + profile, url)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Path portFile = profile.resolve("DevToolsActivePort");
        RunningGateway.await("chromium's DevTools port", Duration.ofSeconds(30), () -> Files.isRegularFile(portFile)
                && !readQuietly(portFile).isBlank());
        int port = Integer.parseInt(readQuietly(portFile).lines().findFirst().orElseThrow().trim());
        String[] pageSocket = new String[1];
        RunningGateway.await("the page target", Duration.ofSeconds(30), () -> {
            try {
                JsonNode targets = JSON.readTree(HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/json/list")).build(), HttpResponse.BodyHandlers.ofString()).body());
                for (JsonNode t : targets) {
                    if (t.path("type").asText().equals("page") && t.path("url").asText().startsWith(url)) {
                        pageSocket[0] = t.get("webSocketDebuggerUrl").asText();
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        URI ws = URI.create(pageSocket[0]);
        devtools = vertx.createHttpClient().webSocket(new WebSocketConnectOptions().setHost(ws.getHost()).setPort(ws.getPort())
                .setURI(ws.getPath()).setAllowOriginHeader(false)).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        devtools.textMessageHandler(text -> {
            try {
                JsonNode m = JSON.readTree(text);
                CompletableFuture<JsonNode> answer = m.has("id") ? answers.remove(m.get("id").asInt()) : null;
                if (answer != null) {
                    answer.complete(m);
                }
            } catch (IOException e) {
                // not ours
            }
        });
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "";
        }
    }

    /** The page's value of a JavaScript expression, as a string ("" when it is null or fails). */
    public String evaluate(String expression) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<JsonNode> answer = new CompletableFuture<>();
        answers.put(id, answer);
        devtools.writeTextMessage(JSON.writeValueAsString(java.util.Map.of("id", id, "method", "Runtime.evaluate",
                "params", java.util.Map.of("expression", expression, "returnByValue", true))));
        JsonNode result = answer.get(10, TimeUnit.SECONDS).path("result").path("result");
        return result.path("value").isMissingNode() || result.path("value").isNull() ? "" : result.path("value").asText();
    }

    @Override
    public void close() throws Exception {
        vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        try (var files = Files.walk(profile)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
