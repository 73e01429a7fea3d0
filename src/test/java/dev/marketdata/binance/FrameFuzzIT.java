package dev.marketdata.binance;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.model.RejectReason;
import dev.marketdata.pipeline.IngestMetrics;
import dev.marketdata.support.RawBinanceServer;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * 10,000 generated malformed frames (plus a 1 MB one) mixed with 2,000 valid ones over a real socket:
 * every valid one lands, no invalid one does (they carry the highest update ids, so one landing would
 * show), each is counted, and the route and its connection keep running.
 */
class FrameFuzzIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int SYMBOLS = 20;
    private static final int VALID_PER_SYMBOL = 100;
    private static final int MALFORMED = 10_000;

    private final Random random = new Random(7);

    @Test
    void everyValidFrameLandsAndNoInvalidOneDoes() throws Exception {
        TestRedis.flush();
        List<String> symbols = new ArrayList<>();
        for (int i = 0; i < SYMBOLS; i++) {
            symbols.add(String.format("F%02dUSDT", i));
        }
        List<Object> frames = new ArrayList<>();
        Map<String, Long> newest = new HashMap<>();
        for (int i = 0; i < VALID_PER_SYMBOL; i++) {
            for (String symbol : symbols) {
                long u = 1_000 + i;
                frames.add(book(symbol, u, "10.00", "1.5", "10.01", "2"));
                newest.put(symbol, u);
            }
        }
        int ignoredExpected = 0;
        for (int i = 0; i < MALFORMED; i++) {
            Object bad = malformed(symbols.get(random.nextInt(SYMBOLS)), i);
            if (bad instanceof Ignorable ig) {
                ignoredExpected++;
                bad = ig.frame();
            }
            frames.add(random.nextInt(frames.size() + 1), bad);
        }
        frames.add(frames.size() / 2, "{\"stream\":\"f00usdt@bookTicker\",\"data\":{\"u\":9999999,\"s\":\"F00USDT\",\"pad\":\""
                + "x".repeat(1 << 20) + "\",\"b\":\"1\",\"B\":\"1\",\"a\":\"2\",\"A\":\"1\"}}");
        int total = frames.size();

        try (RawBinanceServer binance = new RawBinanceServer();
                RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", binance.url(),
                        "binance.symbols", String.join(",", symbols), "quality.max-jump-percent", "1000000"))) {
            IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
            await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
            RawBinanceServer.Conn conn = binance.last();
            for (Object frame : frames) {
                if (frame instanceof byte[] bytes) {
                    conn.sendBinary(bytes);
                } else {
                    conn.sendText((String) frame);
                }
            }
            await("every frame was processed", Duration.ofSeconds(60), () -> metrics.framesReceivedCount() == total);
            await("every valid tick settled", Duration.ofSeconds(60),
                    () -> metrics.settledCount(symbols) == SYMBOLS * VALID_PER_SYMBOL);
            double rejected = 0;
            for (RejectReason reason : RejectReason.values()) {
                rejected += metrics.rejectedCount(reason);
            }
            double ignored = 0;
            for (String kind : List.of("depth", "aggTrade", "kline", "other", "control", "trade")) {
                ignored += metrics.ignoredCount(kind);
            }
            assertEquals((double) ignoredExpected, ignored);
            assertEquals((double) (MALFORMED - ignoredExpected + 1), rejected);
            assertEquals(1.0, metrics.rejectedCount(RejectReason.OVERSIZED_FRAME));
            try (Jedis redis = TestRedis.client()) {
                for (String symbol : symbols) {
                    assertEquals((long) newest.get(symbol),
                            JSON.readTree(redis.get("tick:latest:" + symbol)).get("update_id").asLong(), symbol);
                }
                // tick:latest and tick:seq per symbol, the same for its venue key (binance:S0000-USDT), and the epoch.
                assertEquals(4 * SYMBOLS, redis.keys("tick:*").size() - 1);
            }
            assertEquals(1, binance.connections().size());
            assertEquals("Started", gateway.context().getRouteController().getRouteStatus("binance-ingest").name());
            assertEquals("Started", gateway.context().getRouteController().getRouteStatus("tick-pipeline").name());
        }
    }

    /** A frame that is well-formed but not ours: ignored rather than rejected. */
    record Ignorable(String frame) {
    }

    private Object malformed(String symbol, int i) {
        long u = 5_000_000 + i; // above every valid id: one landing would replace the newest
        String stream = symbol.toLowerCase() + "@bookTicker";
        String good = book(symbol, u, "10.00", "1.5", "10.01", "2");
        switch (i % 16) {
            case 0:
                return good.substring(0, 1 + random.nextInt(good.length() - 2));
            case 1: {
                byte[] junk = new byte[1 + random.nextInt(40)];
                random.nextBytes(junk);
                return "x" + new String(junk, StandardCharsets.ISO_8859_1);
            }
            case 2:
                return good.replace("\"b\":\"10.00\"", "\"b\":10.00");
            case 3:
                return good.replace("\"u\":" + u, "\"u\":\"" + u + "\"");
            case 4:
                return good.replace(List.of(",\"B\":\"1.5\"", ",\"a\":\"10.01\"", ",\"A\":\"2\"").get(random.nextInt(3)), "");
            case 5:
                return good.replace("\"a\":\"10.01\"", "\"a\":\"" + List.of("1e5", "NaN", "Infinity", "-1.0", "0x1A", "", " 10")
                        .get(random.nextInt(7)) + "\"");
            case 6:
                return book(symbol, u, List.of("0", "0.00000000").get(random.nextInt(2)), "1", "10.01", "2");
            case 7:
                return book(symbol, u, "10.00", "1", "99999999999999.0", "2");
            case 8:
                return good.replace("\"s\":\"" + symbol + "\"", "\"s\":\"" + List.of(symbol.substring(0, 2) + "\\u0001X",
                        symbol.toLowerCase(), "F\u00dcUSDT", symbol + "\\n").get(random.nextInt(4)) + "\"");
            case 9:
                return new Ignorable(good.replace(stream, symbol.toLowerCase() + "@depth@100ms"));
            case 10:
                return new Ignorable("{\"e\":\"somethingNew\",\"E\":1,\"s\":\"" + symbol + "\"}");
            case 11:
                return "{\"code\":" + (-1000 - random.nextInt(100)) + ",\"msg\":\"Invalid request\"}";
            case 12: {
                byte[] bytes = new byte[1 + random.nextInt(64)];
                random.nextBytes(bytes);
                return bytes;
            }
            case 13:
                return book(symbol, u, "10.05", "1", "10.01", "2");
            case 14:
                return book("ZZZUSDT", u, "10.00", "1", "10.01", "2");
            default:
                return good.replace("\"u\":" + u, "\"u\":-" + u);
        }
    }

    private static String book(String symbol, long u, String bid, String bidQty, String ask, String askQty) {
        return "{\"stream\":\"" + symbol.toLowerCase() + "@bookTicker\",\"data\":{\"u\":" + u + ",\"s\":\"" + symbol
                + "\",\"b\":\"" + bid + "\",\"B\":\"" + bidQty + "\",\"a\":\"" + ask + "\",\"A\":\"" + askQty + "\"}}";
    }
}
