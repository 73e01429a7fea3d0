package dev.marketdata.bench;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

import dev.marketdata.Exchanges;
import dev.marketdata.feed.ConnectionSpec;
import dev.marketdata.feed.ExchangeProtocol;
import dev.marketdata.feed.OutcomeDispatch;
import dev.marketdata.feed.VenueMapper;
import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.Instrument;
import dev.marketdata.model.Venue;
import dev.marketdata.pipeline.TickJson;
import dev.marketdata.replay.RecordedFrames;
import dev.marketdata.support.VenueRecordings;

/**
 * Each venue's mapper on its recorded frames, in ns per frame: the protocol's decoding (HTX's gzip included) and
 * the mapper the live connection uses, one thread, after a warm-up; the median of 7 timed passes. Binance runs on
 * the project's demo recording, the others on {@code ../shared/fixtures}. Run with {@code bench/mappers}.
 */
public final class MapperBenchmark {

    private static final int PASSES = 7;

    private record Case(String name, ExchangeProtocol protocol, List<Instrument> instruments, Set<String> streams,
            String endpointSuffix, List<Object> frames) {
    }

    private MapperBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<Case> cases = new ArrayList<>();
        List<Object> binance = new ArrayList<>();
        RecordedFrames.read(Path.of("demo", "binance-demo.ndjson"), f -> binance.add(f.text()));
        cases.add(new Case("binance bookTicker+miniTicker (demo)", Exchanges.protocol(Venue.BINANCE),
                instruments(Venue.BINANCE, "BTCUSDT", "ETHUSDT", "SOLUSDT"), Set.of("bookTicker", "miniTicker"), "", binance));
        if (VenueRecordings.available()) {
            cases.add(new Case("okx tickers", Exchanges.protocol(Venue.OKX), instruments(Venue.OKX, "BTC-USDT", "UNI-USD-PERP"),
                    Set.of("tickers"), "", frames(VenueRecordings.OKX, r -> true)));
            cases.add(new Case("bybit spot (tickers)", Exchanges.protocol(Venue.BYBIT),
                    instruments(Venue.BYBIT, "BTC-USDT", "ETH-USDT"), Set.of("tickers", "orderbook.1"), "/spot",
                    frames(VenueRecordings.BYBIT, r -> r.connection().endsWith("/spot"))));
            cases.add(new Case("bybit linear (tickers, deltas merged)", Exchanges.protocol(Venue.BYBIT),
                    instruments(Venue.BYBIT, "BTC-USDT-PERP", "ETH-USDT-PERP", "SOL-USDT-PERP", "DOGE-USDT-PERP"),
                    Set.of("tickers", "orderbook.1"), "/linear", frames(VenueRecordings.BYBIT, r -> r.connection().endsWith("/linear"))));
            cases.add(new Case("coinbase ticker", Exchanges.protocol(Venue.COINBASE), instruments(Venue.COINBASE, "BTC-USD", "ETH-USD"),
                    Set.of("ticker"), "", frames(VenueRecordings.COINBASE, r -> true)));
            cases.add(new Case("htx (gzip inflated; its streams not subscribed)", Exchanges.protocol(Venue.HTX),
                    instruments(Venue.HTX, "TRIO-ETH"), Set.of("bbo"), "", frames(VenueRecordings.HTX, r -> true)));
        }
        StringBuilder out = new StringBuilder("Mapper micro-benchmark, " + Instant.now() + ", "
                + Runtime.getRuntime().availableProcessors() + " cores, Java " + System.getProperty("java.version") + "\n\n"
                + "| venue, frames | frames | ticks | ns/frame (median of " + PASSES + ") | min | max |\n| --- | ---: | ---: | ---: | ---: | ---: |\n");
        for (Case c : cases) {
            out.append(run(c)).append('\n');
        }
        if (!VenueRecordings.available()) {
            // Not measured, and said so in the table rather than left out.
            for (String venue : List.of("okx", "bybit", "coinbase", "htx")) {
                out.append("| ").append(venue).append(" | skipped: ").append(VenueRecordings.MISSING).append(" | | | | |\n");
            }
        }
        System.out.print(out);
        Files.createDirectories(Path.of("target", "bench"));
        Files.writeString(Path.of("target", "bench", "mappers.md"), out.toString());
    }

    private static String run(Case c) {
        URI endpoint = URI.create("wss://venue.invalid/ws" + c.endpointSuffix());
        List<ConnectionSpec> specs = c.protocol().connections(URI.create("wss://venue.invalid/ws"), c.instruments(), c.streams());
        ConnectionSpec spec = specs.stream().filter(s -> s.requestTarget().startsWith(endpoint.getPath()))
                .findFirst().orElse(specs.get(0));
        int ticks = 0;
        // Warm-up: the JIT compiles the path before it is timed.
        long warmUntil = System.nanoTime() + 3_000_000_000L;
        while (System.nanoTime() < warmUntil) {
            ticks = pass(c, spec);
        }
        long[] nanos = new long[PASSES];
        for (int i = 0; i < PASSES; i++) {
            long start = System.nanoTime();
            int rounds = 0;
            do {
                pass(c, spec);
                rounds++;
            } while (System.nanoTime() - start < 1_000_000_000L);
            nanos[i] = (System.nanoTime() - start) / ((long) rounds * c.frames().size());
        }
        Arrays.sort(nanos);
        return String.format(Locale.ROOT, "| %s | %,d | %,d | %,d | %,d | %,d |", c.name(), c.frames().size(), ticks,
                nanos[PASSES / 2], nanos[0], nanos[PASSES - 1]);
    }

    /** One pass over the recording with a fresh mapper (as a new connection has), counting the ticks. */
    private static int pass(Case c, ConnectionSpec spec) {
        VenueMapper mapper = c.protocol().mapper(TickJson.mapper(), spec, c.streams());
        int ticks = 0;
        for (Object frame : c.frames()) {
            // As the connection does: the protocol's text of the frame (HTX inflates), else the frame as it came.
            String text = c.protocol().text(frame);
            for (FrameOutcome outcome : OutcomeDispatch.outcomes(mapper, text != null ? text : frame, 1L)) {
                if (outcome instanceof FrameOutcome.Accepted) {
                    ticks++;
                }
            }
        }
        return ticks;
    }

    private static List<Object> frames(Path file, Predicate<VenueRecordings.Received> which) throws Exception {
        List<Object> out = new ArrayList<>();
        for (VenueRecordings.Received r : VenueRecordings.received(file)) {
            if (which.test(r)) {
                // As the socket delivers them: HTX's gzip as bytes, every other frame as text.
                out.add(r.binary() ? dev.marketdata.support.VenueStandIn.gzip(r.text()) : r.text());
            }
        }
        return out;
    }

    private static List<Instrument> instruments(Venue venue, String... symbols) {
        List<Instrument> out = new ArrayList<>();
        for (String symbol : new LinkedHashSet<>(List.of(symbols))) {
            out.add(Instrument.parse(venue, symbol));
        }
        return out;
    }
}
