package dev.marketdata.replay;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads a recording, one frame a line, in either of two forms:
 * <ul>
 * <li>the gateway's own: {@code {"received_at": <unix seconds>, "frame": "<text>"}};</li>
 * <li>the recorder format of {@code shared/fixtures}: {@code {"t":"recv","ts": <unix seconds>,"data": "<text>"}}
 * (other records, such as {@code connect} or {@code send}, and binary frames are skipped).</li>
 * </ul>
 * Lines that are neither are skipped and counted, so a damaged line does not end a replay.
 */
public final class RecordedFrames {

    /** One recorded text frame and when it arrived (unix seconds, fractional). */
    public record Frame(double receivedAt, String text) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    private RecordedFrames() {
    }

    /** Streams the file's frames in order to {@code sink}; returns how many lines were skipped. */
    public static int read(Path file, Consumer<Frame> sink) throws IOException {
        int skipped = 0;
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.isBlank()) {
                    continue;
                }
                Frame frame = parse(line);
                if (frame == null) {
                    skipped++;
                } else {
                    sink.accept(frame);
                }
            }
        }
        return skipped;
    }

    static Frame parse(String line) {
        JsonNode node;
        try {
            node = JSON.readTree(line);
        } catch (IOException e) {
            return null;
        }
        if (node == null || !node.isObject()) {
            return null;
        }
        if (node.path("frame").isTextual()) {
            return new Frame(node.path("received_at").asDouble(0), node.get("frame").textValue());
        }
        if ("recv".equals(node.path("t").asText()) && node.path("data").isTextual()) {
            return new Frame(node.path("ts").asDouble(0), node.get("data").textValue());
        }
        // Anything else, binary frames (base64, as HTX's gzip) included: not a text frame to replay.
        return null;
    }
}
