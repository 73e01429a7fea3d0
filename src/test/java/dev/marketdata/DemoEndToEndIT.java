package dev.marketdata;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.pipeline.IngestMetrics;
import dev.marketdata.replay.RecordedFrames;
import dev.marketdata.support.BinanceStandIn;
import dev.marketdata.support.LoopbackProxy;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The whole live path on the project's own frames (demo/), so a fresh clone without the recorded fixtures runs it too:
 * the demo recording sent by a WebSocket stand-in, through a SOCKS5 proxy with a password, into Redis and
 * out of the REST API. Every frame is counted by kind; Redis holds the newest bookTicker of each symbol.
 */
class DemoEndToEndIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void theDemoFramesTravelTheWholeLivePath() throws Exception {
        List<String> frames = new ArrayList<>();
        RecordedFrames.read(Path.of("demo", "binance-demo.ndjson"), frame -> frames.add(frame.text()));
        Map<String, JsonNode> newest = new HashMap<>();
        int bookTickers = 0;
        int others = 0;
        for (String frame : frames) {
            JsonNode node = JSON.readTree(frame);
            if (node.get("stream").asText().endsWith("@bookTicker")) {
                bookTickers++;
                newest.put(node.get("data").get("s").asText(), node.get("data"));
            } else {
                others++;
            }
        }
        TestRedis.flush();
        try (BinanceStandIn standIn = new BinanceStandIn(frames);
                LoopbackProxy socks = new LoopbackProxy(LoopbackProxy.Kind.SOCKS5, "dev", "s3cret-pw");
                RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", standIn.url(),
                        "binance.proxies", socks.url("dev", "s3cret-pw")))) {
            IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
            int expectedBook = bookTickers;
            await("every frame processed and every bookTicker settled", Duration.ofSeconds(30),
                    () -> metrics.framesReceivedCount() == frames.size()
                            && metrics.settledCount(List.of("BTCUSDT", "ETHUSDT", "SOLUSDT")) == expectedBook);
            // The default streams are bookTicker only: the miniTicker and depth frames are counted and ignored.
            assertEquals((double) others, metrics.ignoredCount("miniTicker") + metrics.ignoredCount("depth"));
            assertEquals(List.of("127.0.0.1:" + standIn.port()), socks.tunnels());
            try (Jedis redis = TestRedis.client()) {
                for (Map.Entry<String, JsonNode> e : newest.entrySet()) {
                    JsonNode stored = JSON.readTree(redis.get("tick:latest:" + e.getKey()));
                    assertEquals(e.getValue().get("u").asLong(), stored.get("update_id").asLong(), e.getKey());
                    assertEquals(e.getValue().get("b").asText(), stored.get("bid").asText(), e.getKey());
                    long ttl = redis.ttl("tick:latest:" + e.getKey());
                    assertTrue(ttl > 0 && ttl <= 60, "ttl " + ttl);
                }
            }
            for (JsonNode entry : gateway.getJson("/api/v1/tickers").get("data")) {
                assertFalse(entry.get("_mock").asBoolean(), entry.toString());
                assertEquals(newest.get(entry.get("symbol").asText()).get("a").asText(), entry.get("ask").asText());
            }
        }
    }
}
