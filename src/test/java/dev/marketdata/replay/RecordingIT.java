package dev.marketdata.replay;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.marketdata.pipeline.IngestMetrics;
import dev.marketdata.support.Frames;
import dev.marketdata.support.RawBinanceServer;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.Test;

/**
 * Recording the live feed: every raw frame lands in {@code record.file} in order, the file is rotated at
 * {@code record.max-size-mb}, and the recording replays into the same Redis state.
 */
class RecordingIT {

    @Test
    void everyFrameIsRecordedRotatedAndReplaysToTheSameState() throws Exception {
        TestRedis.flush();
        Path dir = Files.createTempDirectory("recording");
        Path file = dir.resolve("binance.ndjson");
        List<String> symbols = Frames.symbols(10);
        List<String> sent = new ArrayList<>();
        try (RawBinanceServer binance = new RawBinanceServer();
                RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", binance.url(),
                        "binance.symbols", String.join(",", symbols), "record.file", file.toString(),
                        "record.max-size-mb", "1", "record.files", "2"))) {
            IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
            await("connected", Duration.ofSeconds(20), () -> binance.open().size() == 1);
            // About 1.3 MB of frames: one rotation.
            for (int i = 0; i < 7_000; i++) {
                String frame = Frames.bookTicker(symbols.get(i % symbols.size()), 1_000 + i);
                sent.add(frame);
                binance.broadcast(frame);
            }
            await("every frame received", Duration.ofSeconds(60), () -> metrics.framesReceivedCount() == sent.size());
        }
        assertTrue(Files.exists(Path.of(file + ".1")), "rotated once");
        assertTrue(Files.size(Path.of(file + ".1")) <= 1024 * 1024, "no file beyond the size");
        List<String> recorded = new ArrayList<>();
        for (Path part : List.of(Path.of(file + ".1"), file)) {
            assertEquals(0, RecordedFrames.read(part, frame -> recorded.add(frame.text())));
        }
        assertEquals(sent, recorded);

        // The recording, replayed into an empty Redis, gives the state the live feed gave.
        Path joined = dir.resolve("joined.ndjson");
        Files.write(joined, Files.readAllLines(Path.of(file + ".1")));
        Files.write(joined, Files.readAllLines(file), java.nio.file.StandardOpenOption.APPEND);
        TestRedis.flush();
        try (RunningGateway gateway = RunningGateway.start(Map.of("binance.symbols", String.join(",", symbols),
                "replay.file", joined.toString(), "replay.speed", "0"))) {
            await("the newest tick of every symbol replayed", Duration.ofSeconds(60), () -> {
                try (var redis = TestRedis.client()) {
                    for (int s = 0; s < symbols.size(); s++) {
                        String json = redis.get("tick:latest:" + symbols.get(s));
                        // The last frame of symbol s had update id 1000 + (6990 + s).
                        if (json == null || !json.contains("\"update_id\":" + (1_000 + 6_990 + s) + ",")) {
                            return false;
                        }
                    }
                    return true;
                }
            });
        }
    }
}
