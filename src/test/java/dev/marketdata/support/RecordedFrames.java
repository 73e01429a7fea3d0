package dev.marketdata.support;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;

/**
 * The real Binance frames recorded in {@code ../shared/fixtures/binance/}, read in place (never copied
 * into this repository). Tests that need them are skipped, with this message, where the folder is absent.
 */
public final class RecordedFrames {

    public static final Path DIR = Path.of("..", "shared", "fixtures", "binance");
    public static final String SPOT = "spot-2021-10-combined.ndjson";
    public static final String US = "binance-us-2021-combined.ndjson";
    private static final ObjectMapper JSON = new ObjectMapper();

    private RecordedFrames() {
    }

    /** The project's own demo recording (demo/binance-demo.ndjson), always there: its text frames in order. */
    public static List<String> demo() throws IOException {
        List<String> frames = new ArrayList<>();
        dev.marketdata.replay.RecordedFrames.read(Path.of("demo", "binance-demo.ndjson"), f -> frames.add(f.text()));
        return frames;
    }

    /** For {@code @EnabledIf}: whether both recordings are there (../shared is beside the repo in CI). */
    public static boolean available() {
        return Files.isRegularFile(DIR.resolve(SPOT)) && Files.isRegularFile(DIR.resolve(US));
    }

    /** Why a test that needs the recordings did not run: Maven's summary lists it as skipped with this. */
    public static final String MISSING = "recorded Binance frames not found at ../shared/fixtures/binance "
            + "(beside the repository in CI)";

    /** The text frames of one recording, in recorded order; skips the calling test if it is not there. */
    public static List<String> load(String file) throws IOException {
        Path path = DIR.resolve(file);
        Assumptions.assumeTrue(Files.isRegularFile(path),
                "recorded Binance frames not found at " + path.toAbsolutePath()
                        + " (../shared/fixtures/binance is present in CI); skipping");
        List<String> frames = new ArrayList<>();
        for (String line : Files.readAllLines(path)) {
            if (!line.isBlank()) {
                frames.add(JSON.readTree(line).get("frame").asText());
            }
        }
        return frames;
    }

    /** Per symbol, the bookTicker payload with the highest update id: what Redis must end up holding. */
    public static Map<String, JsonNode> newestBookTickers(List<String> frames) throws IOException {
        Map<String, JsonNode> newest = new LinkedHashMap<>();
        for (String frame : frames) {
            JsonNode root = JSON.readTree(frame);
            if (root.path("stream").asText().endsWith("@bookTicker")) {
                JsonNode data = root.get("data");
                JsonNode known = newest.get(data.get("s").asText());
                if (known == null || data.get("u").asLong() > known.get("u").asLong()) {
                    newest.put(data.get("s").asText(), data);
                }
            }
        }
        return newest;
    }

    public static long count(List<String> frames, String streamSuffix) throws IOException {
        long n = 0;
        for (String frame : frames) {
            if (JSON.readTree(frame).path("stream").asText().endsWith(streamSuffix)) {
                n++;
            }
        }
        return n;
    }
}
