package dev.marketdata.bench;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntFunction;

import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;

/**
 * REST load: a fixed number of keep-alive connections, each sending its next request as soon as the last
 * answer arrived, for a fixed time. wrk when it is installed (a single path), else this Java client.
 */
final class HttpLoad {

    record Result(double requestsPerSecond, double p50Millis, double p99Millis, long errors, String tool) {
    }

    private HttpLoad() {
    }

    static Result run(int port, IntFunction<String> path, int connections, int seconds) throws Exception {
        if (wrkAvailable()) {
            return wrk(port, path.apply(0), connections, seconds);
        }
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1));
        try {
            HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true)
                    .setDefaultHost("127.0.0.1").setDefaultPort(port), new PoolOptions().setHttp1MaxSize(connections));
            long[] latencies = new long[20_000_000];
            AtomicInteger count = new AtomicInteger();
            AtomicLong errors = new AtomicLong();
            long start = System.nanoTime();
            long deadline = start + TimeUnit.SECONDS.toNanos(seconds);
            CompletableFuture<?>[] loops = new CompletableFuture<?>[connections];
            for (int c = 0; c < connections; c++) {
                CompletableFuture<Void> done = new CompletableFuture<>();
                loops[c] = done;
                int offset = c;
                vertx.runOnContext(v -> next(client, path, offset, deadline, latencies, count, errors, done));
            }
            CompletableFuture.allOf(loops).get(seconds + 30L, TimeUnit.SECONDS);
            double elapsed = (System.nanoTime() - start) / 1e9;
            int n = Math.min(count.get(), latencies.length);
            long[] sorted = Arrays.copyOf(latencies, n);
            Arrays.sort(sorted);
            return new Result(n / elapsed, percentile(sorted, 0.50), percentile(sorted, 0.99), errors.get(), "java client");
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }

    private static void next(HttpClient client, IntFunction<String> path, int i, long deadline, long[] latencies,
            AtomicInteger count, AtomicLong errors, CompletableFuture<Void> done) {
        if (System.nanoTime() >= deadline) {
            done.complete(null);
            return;
        }
        long sentAt = System.nanoTime();
        client.request(HttpMethod.GET, path.apply(i)).compose(req -> req.send().compose(resp -> {
            if (resp.statusCode() != 200) {
                errors.incrementAndGet();
            }
            return resp.body();
        })).onComplete(ar -> {
            if (ar.failed()) {
                errors.incrementAndGet();
            } else {
                int slot = count.getAndIncrement();
                if (slot < latencies.length) {
                    latencies[slot] = System.nanoTime() - sentAt;
                }
            }
            next(client, path, i + 64, deadline, latencies, count, errors, done);
        });
    }

    private static double percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    static boolean wrkAvailable() {
        try {
            return new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start().waitFor() >= 0;
        } catch (Exception e) {
            return false;
        }
    }

    private static Result wrk(int port, String path, int connections, int seconds) throws Exception {
        Process p = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--latency",
                "http://127.0.0.1:" + port + path).redirectErrorStream(true).start();
        List<String> lines;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            lines = r.lines().toList();
        }
        p.waitFor();
        double rps = 0;
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        long errors = 0;
        for (String line : lines) {
            String t = line.trim();
            if (t.startsWith("Requests/sec:")) {
                rps = Double.parseDouble(t.substring(13).trim());
            } else if (t.startsWith("50%")) {
                p50 = millis(t.substring(3).trim());
            } else if (t.startsWith("99%")) {
                p99 = millis(t.substring(3).trim());
            } else if (t.startsWith("Non-2xx")) {
                errors += Long.parseLong(t.replaceAll("\\D", ""));
            }
        }
        return new Result(rps, p50, p99, errors, "wrk");
    }

    private static double millis(String value) {
        if (value.endsWith("us")) {
            return Double.parseDouble(value.substring(0, value.length() - 2)) / 1000;
        }
        if (value.endsWith("ms")) {
            return Double.parseDouble(value.substring(0, value.length() - 2));
        }
        if (value.endsWith("s")) {
            return Double.parseDouble(value.substring(0, value.length() - 1)) * 1000;
        }
        return Double.NaN;
    }
}
