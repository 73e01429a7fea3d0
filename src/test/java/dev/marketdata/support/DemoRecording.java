package dev.marketdata.support;

import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Writes {@code demo/binance-demo.ndjson}, the project's own demo recording: three minutes of Binance
 * combined-stream frames for the default symbols (bookTicker twice a second, a miniTicker and a depth update
 * every few seconds, which the gateway ignores), in the gateway's recording format. Deterministic (a fixed
 * seed), so running it again gives the same file: {@code java -cp target/test-classes:target/market-data.jar
 * dev.marketdata.support.DemoRecording}.
 */
public final class DemoRecording {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** 2026-11-27 12:00:00 UTC, when the demo pretends to have been recorded. */
    private static final long START_MILLIS = 1_795_780_800_000L;
    private static final String[] SYMBOLS = { "BTCUSDT", "ETHUSDT", "SOLUSDT" };
    private static final double[] START_PRICES = { 91_234.56, 3_012.34, 142.87 };
    private static final int[] SCALES = { 2, 2, 2 };

    private DemoRecording() {
    }

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args.length > 0 ? args[0] : "demo/binance-demo.ndjson");
        Files.createDirectories(out.getParent());
        Random random = new Random(20261127L);
        double[] price = START_PRICES.clone();
        long[] u = { 71_234_567_890L, 51_234_567_890L, 21_234_567_890L };
        try (Writer w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            for (long t = 0; t < 180_000; t += 500) {
                for (int i = 0; i < SYMBOLS.length; i++) {
                    long at = START_MILLIS + t + 37L * i + random.nextInt(30);
                    price[i] *= 1 + (random.nextGaussian() * 0.0002);
                    BigDecimal mid = BigDecimal.valueOf(price[i]).setScale(SCALES[i], RoundingMode.HALF_UP);
                    BigDecimal tick = BigDecimal.ONE.movePointLeft(SCALES[i]);
                    BigDecimal bid = mid.subtract(tick);
                    BigDecimal ask = mid.add(tick);
                    u[i] += 1 + random.nextInt(40);
                    String symbol = SYMBOLS[i];
                    String lower = symbol.toLowerCase(Locale.ROOT);
                    write(w, at, "{\"stream\":\"" + lower + "@bookTicker\",\"data\":{\"u\":" + u[i] + ",\"s\":\"" + symbol
                            + "\",\"b\":\"" + plain(bid, 8) + "\",\"B\":\"" + plain(qty(random), 8) + "\",\"a\":\""
                            + plain(ask, 8) + "\",\"A\":\"" + plain(qty(random), 8) + "\"}}");
                    if (t % 5_000 == 0) {
                        BigDecimal open = BigDecimal.valueOf(START_PRICES[i]).setScale(SCALES[i], RoundingMode.HALF_UP);
                        write(w, at + 3, "{\"stream\":\"" + lower + "@miniTicker\",\"data\":{\"e\":\"24hrMiniTicker\",\"E\":"
                                + (at + 3) + ",\"s\":\"" + symbol + "\",\"c\":\"" + plain(mid, 8) + "\",\"o\":\""
                                + plain(open, 8) + "\",\"h\":\"" + plain(mid.max(open), 8) + "\",\"l\":\""
                                + plain(mid.min(open), 8) + "\",\"v\":\"12345.67800000\",\"q\":\"98765432.10000000\"}}");
                    }
                    if (t % 3_000 == 0) {
                        write(w, at + 5, "{\"stream\":\"" + lower + "@depth@100ms\",\"data\":{\"e\":\"depthUpdate\",\"E\":"
                                + (at + 5) + ",\"s\":\"" + symbol + "\",\"U\":" + (u[i] - 3) + ",\"u\":" + u[i]
                                + ",\"b\":[[\"" + plain(bid, 8) + "\",\"1.00000000\"]],\"a\":[]}}");
                    }
                }
            }
        }
    }

    private static BigDecimal qty(Random random) {
        return BigDecimal.valueOf(0.001 + random.nextDouble() * 5).setScale(5, RoundingMode.HALF_UP);
    }

    private static String plain(BigDecimal value, int scale) {
        return value.setScale(scale, RoundingMode.HALF_UP).toPlainString();
    }

    private static void write(Writer w, long atMillis, String frame) throws IOException {
        w.write("{\"received_at\":" + BigDecimal.valueOf(atMillis, 3).toPlainString() + ",\"frame\":"
                + JSON.writeValueAsString(frame) + "}\n");
    }
}
