package dev.marketdata.support;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The five venues on loopback, for trying the gateway by hand with every venue enabled (README, "Try it: all five
 * venues"): the same stand-ins the integration tests use, each checking its venue's subscribe rules and replaying
 * recorded frames of {@code ../shared/fixtures} when subscribed (OKX tickers, Bybit spot, Coinbase ticker), or
 * frames written in the venue's documented form, with prices near OKX's recorded BTC-USDT, where the recordings
 * lack the stream (Bybit orderbook.1, HTX bbo, Binance bookTicker), plus a SOCKS5 proxy every venue can be reached through.
 *
 * <pre>java -cp target/market-data.jar:target/test-classes dev.marketdata.support.VenueStandIns [fixtures-dir]</pre>
 */
public final class VenueStandIns {

    private VenueStandIns() {
    }

    public static void main(String[] args) throws Exception {
        Path fixtures = Path.of(args.length > 0 ? args[0] : "../shared/fixtures");
        if (!Files.isDirectory(fixtures)) {
            System.err.println("No recordings at " + fixtures.toAbsolutePath() + ": give the fixtures directory as the argument");
            System.exit(2);
        }
        List<String> binance = List.of(
                "{\"stream\":\"btcusdt@bookTicker\",\"data\":{\"u\":400900217,\"s\":\"BTCUSDT\",\"b\":\"30229.90\",\"B\":\"1.25\","
                        + "\"a\":\"30230.35\",\"A\":\"0.5\"}}",
                "{\"stream\":\"ethusdt@bookTicker\",\"data\":{\"u\":400900218,\"s\":\"ETHUSDT\",\"b\":\"2000.01\",\"B\":\"3\","
                        + "\"a\":\"2000.02\",\"A\":\"4\"}}");
        List<VenueStandIn.Frame> okx = frames(fixtures.resolve("okx/okx-2022-05-v5-public.jsonl"), "");
        List<VenueStandIn.Frame> bybit = new ArrayList<>(frames(fixtures.resolve("bybit/bybit-2026-08-v5-spot-linear.jsonl"), "/spot"));
        bybit.add(new VenueStandIn.Frame("{\"topic\":\"orderbook.1.BTCUSDT\",\"type\":\"snapshot\",\"ts\":1672304484978,"
                + "\"data\":{\"s\":\"BTCUSDT\",\"b\":[[\"30230.00\",\"0.006\"]],\"a\":[[\"30230.50\",\"0.029\"]],\"u\":18521288,"
                + "\"seq\":7961638724},\"cts\":1672304484976}", false));
        List<VenueStandIn.Frame> coinbase = frames(fixtures.resolve("coinbase/coinbase-2026-08-advanced-trade.jsonl"), "");
        List<VenueStandIn.Frame> htx = List.of(new VenueStandIn.Frame("{\"ch\":\"market.btcusdt.bbo\",\"ts\":1618678069870,"
                + "\"tick\":{\"seqId\":103273695595,\"ask\":30230.25,\"askSize\":0.75,\"bid\":30229.8,\"bidSize\":1.25,"
                + "\"quoteTime\":1618678069860,\"symbol\":\"btcusdt\"}}", true));

        LoopbackProxy socks = new LoopbackProxy(LoopbackProxy.Kind.SOCKS5, null, null);
        BinanceStandIn binanceServer = new BinanceStandIn(binance);
        VenueStandIn okxServer = new VenueStandIn().replayOnSubscribe(uri -> okx);
        VenueStandIn bybitServer = new VenueStandIn().replayOnSubscribe(uri -> uri.endsWith("/spot") ? bybit : List.of());
        VenueStandIn coinbaseServer = new VenueStandIn().replayOnSubscribe(uri -> coinbase);
        VenueStandIn htxServer = new VenueStandIn().htxPings(5_000, 10_000).replayOnSubscribe(uri -> htx);
        System.out.println("Stand-ins up. Run the gateway with:");
        System.out.println("  java -Dexchanges=binance,okx,bybit,coinbase,htx -Dproxies=" + socks.url(null, null)
                + " -Dbinance.ws.url=" + binanceServer.url() + " -Dbinance.symbols=BTC-USDT,ETH-USDT"
                + " -Dokx.ws.url=" + okxServer.url("/ws/v5/public") + " -Dokx.symbols=BTC-USDT -Dokx.streams=tickers"
                + " -Dbybit.ws.url=" + bybitServer.url("/v5/public") + " -Dbybit.symbols=BTC-USDT"
                + " -Dcoinbase.ws.url=" + coinbaseServer.url("") + " -Dhtx.ws.url=" + htxServer.url("/ws")
                + " -Dhtx.symbols=BTC-USDT -Dtick.ttl.seconds=600 -Dquality.stale.seconds=600 -Dfeed.idle-timeout=10m"
                + " -jar target/market-data.jar");
        System.out.println("Each venue sends its frames once, when a connection subscribes, and then only answers"
                + " keep-alives (hence the long idle timeout). Ctrl-C stops the stand-ins.");
        CountDownLatch stop = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                RunningGateway.closeAll(htxServer, coinbaseServer, bybitServer, okxServer, binanceServer, socks);
            } catch (Exception e) {
                System.err.println("Closing the stand-ins: " + e);
            }
            stop.countDown();
        }));
        stop.await();
    }

    private static List<VenueStandIn.Frame> frames(Path file, String endpointSuffix) throws Exception {
        return VenueRecordings.frames(file, r -> r.connection().endsWith(endpointSuffix));
    }
}
