package dev.marketdata.replay;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.feed.VenueFeed;
import dev.marketdata.pipeline.IngestMetrics;
import dev.marketdata.support.Frames;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.Test;

/**
 * The project's own demo recording replayed through the whole gateway, as the README's offline "Try it"
 * does: every frame goes where a live venue's go, the REST API serves live (not mock) entries with the last
 * recorded prices, health reports the replay as the feed, and the Binance route stays off.
 */
class ReplayIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DEMO = Path.of("demo", "binance-demo.ndjson");

    @Test
    void theDemoRecordingIsServedLiveWithItsLastPrices() throws Exception {
        TestRedis.flush();
        Map<String, JsonNode> newest = newestBookTickers(DEMO);
        int frames = (int) Files.readAllLines(DEMO).stream().filter(l -> !l.isBlank()).count();
        try (RunningGateway gateway = RunningGateway.start(Map.of("replay.file", DEMO.toString(), "replay.speed", "0"))) {
            IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
            await("every recorded frame went through the pipeline", Duration.ofSeconds(30),
                    () -> metrics.framesReceivedCount() == frames);
            await("the newest tick of each symbol stored", Duration.ofSeconds(30), () -> {
                try {
                    JsonNode data = gateway.getJson("/api/v1/tickers").get("data");
                    for (JsonNode entry : data) {
                        JsonNode expected = newest.get(entry.get("symbol").asText());
                        if (entry.get("_mock").asBoolean() || entry.get("update_id").asLong() != expected.get("u").asLong()) {
                            return false;
                        }
                    }
                    return data.size() == 3;
                } catch (Exception e) {
                    return false;
                }
            });
            JsonNode btc = gateway.getJson("/api/v1/tickers/btcusdt").get("data").get(0);
            assertEquals(newest.get("BTCUSDT").get("b").asText(), btc.get("bid").asText());
            assertEquals("binance", btc.get("source").asText());
            assertFalse(btc.get("_mock").asBoolean());
            JsonNode feed = gateway.getJson("/api/v1/health").get("data").get("feed");
            assertEquals("replay:" + DEMO, feed.get("endpoint").asText());
            assertEquals("Stopped", gateway.context().getRouteController().getRouteStatus("binance-ingest").name());
            assertEquals(0.0, metrics.rejectedCount(dev.marketdata.model.RejectReason.MALFORMED_JSON));
        }
    }

    @Test
    void aLoopStartsOverAndTheRepeatedSequencesDoNotGoBackwards() throws Exception {
        TestRedis.flush();
        Path recording = Files.createTempFile("replay-loop", ".ndjson");
        Files.writeString(recording, String.join("\n",
                line(1.0, Frames.bookTicker("BTCUSDT", 11)), line(1.1, Frames.bookTicker("BTCUSDT", 12)),
                "not a frame", line(1.2, Frames.bookTicker("BTCUSDT", 13)), ""));
        try (RunningGateway gateway = RunningGateway.start(Map.of("replay.file", recording.toString(),
                "replay.speed", "0", "replay.loop", "true", "binance.symbols", "BTCUSDT"))) {
            IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
            await("several passes", Duration.ofSeconds(30), () -> metrics.framesReceivedCount() >= 30);
            // Within tick.sequence-reset-after the repeated, lower ids are refused: Redis keeps 13.
            assertEquals(13, gateway.getJson("/api/v1/tickers/btcusdt").get("data").get(0).get("update_id").asLong());
            assertTrue(gateway.bean(VenueFeed.BINANCE_BEAN, VenueFeed.class).isConnected());
        }
    }

    private static String line(double receivedAt, String frame) throws Exception {
        return "{\"received_at\":" + receivedAt + ",\"frame\":" + JSON.writeValueAsString(frame) + "}";
    }

    private static Map<String, JsonNode> newestBookTickers(Path file) throws Exception {
        Map<String, JsonNode> newest = new HashMap<>();
        for (String line : Files.readAllLines(file)) {
            JsonNode frame = JSON.readTree(JSON.readTree(line).get("frame").asText());
            if (frame.get("stream").asText().endsWith("@bookTicker")) {
                newest.put(frame.get("data").get("s").asText(), frame.get("data"));
            }
        }
        assertEquals(List.of("BTCUSDT", "ETHUSDT", "SOLUSDT"), newest.keySet().stream().sorted().toList());
        return newest;
    }
}
