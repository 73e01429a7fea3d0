package dev.marketdata.support;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.zip.GZIPInputStream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The real frames of OKX, Bybit, Coinbase and HTX recorded in {@code ../shared/fixtures/<venue>/}, read in
 * place (never copied into this repository), in the recorder's form: a {@code recv} line per frame the server
 * sent, text in {@code data}, or a binary frame in {@code b64} (HTX: gzip, inflated here to its JSON text).
 * Tests that need them are skipped, with {@link #MISSING}, where the folder is absent.
 */
public final class VenueRecordings {

    public static final Path DIR = Path.of("..", "shared", "fixtures");
    public static final Path OKX = DIR.resolve("okx/okx-2022-05-v5-public.jsonl");
    public static final Path BYBIT = DIR.resolve("bybit/bybit-2026-08-v5-spot-linear.jsonl");
    public static final Path COINBASE = DIR.resolve("coinbase/coinbase-2026-08-advanced-trade.jsonl");
    public static final Path HTX = DIR.resolve("htx/htx-2021-04-spot-gzip.jsonl");
    public static final String MISSING = "recorded OKX, Bybit, Coinbase and HTX frames not found under ../shared/fixtures "
            + "(beside the repository in CI)";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One frame the server sent: the connection it came on (its endpoint, for Bybit's two), its text, and
     * whether it was a binary (gzip) frame.
     */
    public record Received(String connection, String text, boolean binary) {
    }

    private VenueRecordings() {
    }

    /** For {@code @EnabledIf}. */
    public static boolean available() {
        return Files.isRegularFile(OKX) && Files.isRegularFile(BYBIT) && Files.isRegularFile(COINBASE)
                && Files.isRegularFile(HTX);
    }

    /** Every frame the server sent, in recorded order, binary frames inflated. */
    public static List<Received> received(Path file) throws IOException {
        List<Received> frames = new ArrayList<>();
        java.util.Map<String, String> endpoints = new java.util.HashMap<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode record = JSON.readTree(line);
            String type = record.path("t").asText();
            String conn = record.path("conn").asText();
            if (type.equals("connect")) {
                endpoints.put(conn, record.path("addr").asText());
            } else if (type.equals("recv")) {
                String text = record.has("b64") ? gunzip(record.get("b64").asText()) : record.get("data").asText();
                frames.add(new Received(endpoints.getOrDefault(conn, conn), text, record.has("b64")));
            }
        }
        return frames;
    }

    /** The frames the server sent that {@code which} keeps, as a stand-in sends them again. */
    public static List<VenueStandIn.Frame> frames(Path file, java.util.function.Predicate<Received> which) throws IOException {
        return received(file).stream().filter(which).map(r -> new VenueStandIn.Frame(r.text(), r.binary())).toList();
    }

    public static String gunzip(String base64) throws IOException {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(base64)))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
