package dev.marketdata.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.zip.GZIPOutputStream;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marketdata.exchange.bybit.BybitProtocol;
import dev.marketdata.exchange.coinbase.CoinbaseProtocol;
import dev.marketdata.exchange.htx.HtxProtocol;
import dev.marketdata.exchange.okx.OkxProtocol;
import dev.marketdata.feed.ConnectionSpec;
import dev.marketdata.model.Instrument;
import dev.marketdata.model.Venue;
import dev.marketdata.pipeline.TickJson;
import org.junit.jupiter.api.Test;

/** What each venue's protocol asks of a connection: targets, subscribe messages under the venue's limits, keep-alive. */
class ExchangeProtocolsTest {

    private static List<Instrument> instruments(Venue venue, int n, String suffix) {
        return IntStream.range(0, n).mapToObj(i -> Instrument.parse(venue, "C" + i + "-USDT" + suffix)).toList();
    }

    @Test
    void bybitPutsSpotAndPerpsOnTheirEndpointsTenTopicsAMessage() throws IOException {
        List<Instrument> all = new java.util.ArrayList<>(instruments(Venue.BYBIT, 12, ""));
        all.addAll(instruments(Venue.BYBIT, 3, "-PERP"));
        List<ConnectionSpec> specs = new BybitProtocol().connections(URI.create("wss://stream.bybit.com/v5/public"),
                all, new java.util.TreeSet<>(Set.of("tickers", "orderbook.1")));
        assertEquals(2, specs.size());
        assertEquals("/v5/public/spot", specs.get(0).requestTarget());
        assertEquals("/v5/public/linear", specs.get(1).requestTarget());
        // 24 spot topics: 10 + 10 + 4; 6 linear topics: one message.
        assertEquals(List.of(10, 10, 4), argCounts(specs.get(0)));
        assertEquals(List.of(6), argCounts(specs.get(1)));
        assertEquals("{\"op\":\"subscribe\",\"args\":[\"orderbook.1.C0USDT\",\"tickers.C0USDT\",\"orderbook.1.C1USDT\","
                + "\"tickers.C1USDT\",\"orderbook.1.C2USDT\",\"tickers.C2USDT\"]}", specs.get(1).subscribeMessages().get(0));
        assertEquals("{\"op\":\"ping\"}", new BybitProtocol().keepAliveText());
        assertEquals(20_000, new BybitProtocol().keepAliveMillis());
        // 21,000 characters of topics a connection: 1,500 instruments' tickers (28,890) need two.
        List<ConnectionSpec> many = new BybitProtocol().connections(URI.create("wss://h/v5/public"),
                instruments(Venue.BYBIT, 1500, ""), Set.of("tickers"));
        assertEquals(2, many.size());
        for (ConnectionSpec spec : many) {
            int chars = 0;
            for (String message : spec.subscribeMessages()) {
                for (JsonNode arg : TickJson.mapper().readTree(message).get("args")) {
                    chars += arg.asText().length() + 3;
                }
            }
            assertEquals(true, chars <= BybitProtocol.MAX_ARGS_CHARS_PER_CONNECTION, "chars " + chars);
        }
        assertEquals(1500, many.stream().mapToInt(s -> s.instruments().size()).sum());
    }

    @Test
    void okxSubscribesEveryChannelOfEveryInstrumentAndPings() throws IOException {
        List<ConnectionSpec> specs = new OkxProtocol().connections(URI.create("wss://ws.okx.com:8443/ws/v5/public"),
                List.of(Instrument.parse(Venue.OKX, "BTC-USDT"), Instrument.parse(Venue.OKX, "BTC-USDT-PERP")),
                new java.util.TreeSet<>(Set.of("tickers", "bbo-tbt")));
        assertEquals(1, specs.size());
        assertEquals("/ws/v5/public", specs.get(0).requestTarget());
        assertEquals(List.of("{\"op\":\"subscribe\",\"args\":[{\"channel\":\"bbo-tbt\",\"instId\":\"BTC-USDT\"},"
                + "{\"channel\":\"tickers\",\"instId\":\"BTC-USDT\"},{\"channel\":\"bbo-tbt\",\"instId\":\"BTC-USDT-SWAP\"},"
                + "{\"channel\":\"tickers\",\"instId\":\"BTC-USDT-SWAP\"}]}"), specs.get(0).subscribeMessages());
        assertEquals("ping", new OkxProtocol().keepAliveText());
        // 3,000 instruments x 2 channels: connections of at most 1,000 arguments, messages under 64 KB.
        List<ConnectionSpec> many = new OkxProtocol().connections(URI.create("wss://h/ws/v5/public"),
                instruments(Venue.OKX, 3000, ""), Set.of("tickers", "bbo-tbt"));
        assertEquals(6, many.size());
        for (ConnectionSpec spec : many) {
            int args = 0;
            for (String message : spec.subscribeMessages()) {
                assertEquals(true, message.getBytes(StandardCharsets.UTF_8).length <= OkxProtocol.MAX_MESSAGE_BYTES);
                args += TickJson.mapper().readTree(message).get("args").size();
            }
            assertEquals(1000, args);
        }
    }

    @Test
    void coinbaseSendsOneChannelPerMessageAndHeartbeats() {
        List<ConnectionSpec> specs = new CoinbaseProtocol().connections(URI.create("wss://advanced-trade-ws.coinbase.com"),
                List.of(Instrument.parse(Venue.COINBASE, "BTC-USD"), Instrument.parse(Venue.COINBASE, "ETH-USD")),
                Set.of("ticker"));
        assertEquals(1, specs.size());
        assertEquals("/", specs.get(0).requestTarget());
        assertEquals(List.of("{\"type\":\"subscribe\",\"product_ids\":[\"BTC-USD\",\"ETH-USD\"],\"channel\":\"ticker\"}",
                "{\"type\":\"subscribe\",\"channel\":\"heartbeats\"}"), specs.get(0).subscribeMessages());
        assertNull(new CoinbaseProtocol().keepAliveText());
        assertEquals(3, new CoinbaseProtocol().connections(URI.create("wss://h"), instruments(Venue.COINBASE, 250, ""),
                Set.of("ticker")).size());
    }

    @Test
    void htxSubscribesTopicByTopicInflatesGzipAndAnswersPings() throws IOException {
        HtxProtocol htx = new HtxProtocol();
        List<ConnectionSpec> specs = htx.connections(URI.create("wss://api.huobi.pro/ws"),
                List.of(Instrument.parse(Venue.HTX, "BTC-USDT")), new java.util.TreeSet<>(Set.of("bbo", "ticker")));
        assertEquals("/ws", specs.get(0).requestTarget());
        assertEquals(List.of("{\"sub\":\"market.btcusdt.bbo\",\"id\":\"1\"}", "{\"sub\":\"market.btcusdt.ticker\",\"id\":\"2\"}"),
                specs.get(0).subscribeMessages());
        assertEquals(2, htx.connections(URI.create("wss://h/ws"), instruments(Venue.HTX, 60, ""), Set.of("bbo", "ticker")).size());
        assertEquals("{\"ping\":1492420473027}", htx.text(gzip("{\"ping\":1492420473027}")));
        assertEquals("{\"pong\":1492420473027}", htx.reply("{\"ping\":1492420473027}"));
        assertNull(htx.reply("{\"ping\":\"x\"}"));
        assertNull(htx.reply("{\"ch\":\"market.btcusdt.bbo\"}"));
        assertNull(htx.text("not gzip".getBytes(StandardCharsets.UTF_8)));
        // A gzip bomb: 50 MB of zeros in about 50 KB is inflated only to one byte past the frame limit.
        byte[] bomb = gzip("{\"a\":\"" + "0".repeat(50_000_000) + "\"}");
        assertEquals(JsonFrameMapper.MAX_FRAME_CHARS + 1, htx.text(bomb).length());
        JsonNode mapped = TickJson.mapper().valueToTree(htx.mapper(TickJson.newMapper(), specs.get(0), Set.of("bbo"))
                .map(htx.text(bomb), 1L).get(0));
        assertEquals("OVERSIZED_FRAME", mapped.get("reason").asText());
        // Inflated with one reused inflater per thread: a frame cut short, a wrong CRC or length in the trailer, or
        // a broken header is not text; a header with a file name (RFC 1952's FNAME) is read past.
        byte[] ping = gzip("{\"ping\":1492420473027}");
        assertNull(htx.text(java.util.Arrays.copyOf(ping, ping.length - 3)));
        byte[] badCrc = ping.clone();
        badCrc[badCrc.length - 8] ^= 1;
        assertNull(htx.text(badCrc));
        byte[] badLength = ping.clone();
        badLength[badLength.length - 4] ^= 1;
        assertNull(htx.text(badLength));
        byte[] badMethod = ping.clone();
        badMethod[2] = 7;
        assertNull(htx.text(badMethod));
        byte[] named = new byte[ping.length + 4];
        System.arraycopy(ping, 0, named, 0, 10);
        named[3] = 8;
        System.arraycopy("a.j\0".getBytes(StandardCharsets.ISO_8859_1), 0, named, 10, 4);
        System.arraycopy(ping, 10, named, 14, ping.length - 10);
        assertEquals("{\"ping\":1492420473027}", htx.text(named));
        // Frame after frame on one thread, the reused inflater starts afresh each time.
        for (int i = 0; i < 3; i++) {
            assertEquals("{\"ping\":" + i + "}", htx.text(gzip("{\"ping\":" + i + "}")));
            assertNull(htx.text(java.util.Arrays.copyOf(ping, 20)));
        }
    }

    @Test
    void binanceNamesItsStreamsInTheUrlAndSubscribesNothing() {
        dev.marketdata.exchange.binance.BinanceProtocol binance = new dev.marketdata.exchange.binance.BinanceProtocol(2, 7000);
        List<ConnectionSpec> specs = binance.connections(URI.create("wss://stream.binance.com:9443/stream"),
                List.of(Instrument.parse(Venue.BINANCE, "BTCUSDT"), Instrument.parse(Venue.BINANCE, "ETH-USDT"),
                        Instrument.parse(Venue.BINANCE, "SOLUSDT")), Set.of("bookTicker"));
        assertEquals(List.of("/stream?streams=btcusdt@bookTicker/ethusdt@bookTicker", "/stream?streams=solusdt@bookTicker"),
                specs.stream().map(ConnectionSpec::requestTarget).toList());
        assertEquals(List.of(), specs.get(0).subscribeMessages());
        assertEquals(List.of("BTCUSDT", "ETHUSDT"), specs.get(0).instruments().stream().map(Instrument::nativeSymbol).toList());
        assertEquals(true, binance.announcesShutdown("{\"stream\":\"btcusdt@bookTicker\",\"data\":{\"e\":\"serverShutdown\",\"E\":1}}"));
        assertEquals(false, binance.announcesShutdown("{\"stream\":\"btcusdt@bookTicker\",\"data\":{\"s\":\"serverShutdown\"}}"));
        assertNull(binance.keepAliveText());
        // Its mapper is the pipeline's, with the receive time given.
        List<dev.marketdata.model.FrameOutcome> outcomes = binance.mapper(TickJson.newMapper(), specs.get(0), Set.of("bookTicker"))
                .map("{\"stream\":\"btcusdt@bookTicker\",\"data\":{\"u\":7,\"s\":\"BTCUSDT\",\"b\":\"1.0\",\"B\":\"1\","
                        + "\"a\":\"2.0\",\"A\":\"1\"}}", 42L);
        assertEquals(42L, ((dev.marketdata.model.FrameOutcome.Accepted) outcomes.get(0)).tick().receivedAt());
        assertEquals("1.5", ((dev.marketdata.model.FrameOutcome.Accepted) outcomes.get(0)).tick().price().toPlainString());
    }

    @Test
    void anHtxFrameOverTheLimitInBytesIsOversizedEvenAsMultiByteText() {
        HtxProtocol htx = new HtxProtocol();
        String bbo = "{\"ch\":\"market.btcusdt.bbo\",\"ts\":1,\"tick\":{\"seqId\":1,\"ask\":2,\"askSize\":1,\"bid\":1,"
                + "\"bidSize\":1,\"quoteTime\":1,\"symbol\":\"btcusdt\"}}";
        // 200 KB of two-byte characters after a valid frame: as UTF-8 the first 64 KB would be 32,000 characters.
        String text = htx.text(gzip(bbo + " " + "é".repeat(100_000)));
        ConnectionSpec spec = htx.connections(URI.create("wss://h/ws"), List.of(Instrument.parse(Venue.HTX, "BTC-USDT")),
                Set.of("bbo")).get(0);
        assertEquals(List.of(new dev.marketdata.model.FrameOutcome.Rejected("other",
                dev.marketdata.model.RejectReason.OVERSIZED_FRAME, "frame of 65537 characters")),
                htx.mapper(TickJson.newMapper(), spec, Set.of("bbo")).map(text, 1L));
    }

    @Test
    void eachVenueBooksConnectionsUnderItsPublishedLimit() {
        // OKX: 3 connection requests a second; Bybit: 500 per 5 minutes (450 kept); Binance: 300 per 5 minutes (250 kept).
        assertEquals(List.of(3, 1_000L), limit(new OkxProtocol().connectLimiter()));
        assertEquals(List.of(450, 300_000L), limit(new BybitProtocol().connectLimiter()));
        assertEquals(List.of(250, 300_000L), limit(new dev.marketdata.exchange.binance.BinanceProtocol(1024, 7000).connectLimiter()));
        assertEquals(List.of(5, 1_000L), limit(new CoinbaseProtocol().connectLimiter()));
        assertEquals(List.of(5, 1_000L), limit(new HtxProtocol().connectLimiter()));
        dev.marketdata.feed.ConnectLimiter okx = new OkxProtocol().connectLimiter();
        assertEquals(List.of(0L, 0L, 0L), List.of(okx.reserve(), okx.reserve(), okx.reserve()));
        assertTrue(okx.reserve() > 0);
    }

    private static List<Object> limit(dev.marketdata.feed.ConnectLimiter limiter) {
        return List.of(limiter.limit(), limiter.windowMillis());
    }

    private static List<Integer> argCounts(ConnectionSpec spec) throws IOException {
        List<Integer> counts = new java.util.ArrayList<>();
        for (String message : spec.subscribeMessages()) {
            counts.add(TickJson.mapper().readTree(message).get("args").size());
        }
        return counts;
    }

    private static byte[] gzip(String text) {
        try {
            return gzipped(text);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] gzipped(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }
}
