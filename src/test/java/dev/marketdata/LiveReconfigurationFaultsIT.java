package dev.marketdata;

import static dev.marketdata.support.RunningGateway.await;
import static dev.marketdata.support.WatchedFile.edit;
import static dev.marketdata.support.WatchedFile.workingDirectory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

import javax.management.JMX;
import javax.management.ObjectName;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marketdata.feed.VenueFeed;
import dev.marketdata.feed.VenueFeedMXBean;
import dev.marketdata.model.FrameBatch;
import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.RejectReason;
import dev.marketdata.model.Venue;
import dev.marketdata.pipeline.IngestMetrics;
import dev.marketdata.pipeline.LatestTickStore;
import dev.marketdata.support.CapturedLog;
import dev.marketdata.support.Frames;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.SubscriptionStandIn;
import dev.marketdata.support.SubscriptionStandIn.Dialect;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Live changes under the faults a hostile review found: files caught half-written, in Latin-1, with Camel's
 * {@code env:} placeholders, gone, or naming a secrets file that is gone; venues refusing part of a request, or
 * refusing on a connection a change opened; bursts of changes; ticks, requests and pending writes of a symbol
 * in the moment it is removed; a symbol removed and added again. Each test failed before its fix.
 */
class LiveReconfigurationFaultsIT {

    private static final Duration APPLIED = Duration.ofSeconds(5);

    @BeforeEach
    void cleanRedis() {
        TestRedis.ensureStarted();
        TestRedis.flush();
    }

    private static VenueFeedMXBean mbean(String venue) throws Exception {
        return JMX.newMXBeanProxy(ManagementFactory.getPlatformMBeanServer(),
                new ObjectName("org.apache.camel:context=market-data,type=feed,name=" + venue), VenueFeedMXBean.class);
    }

    private static LiveConfiguration live(RunningGateway gateway) {
        return gateway.bean(LiveConfiguration.BEAN, LiveConfiguration.class);
    }

    private static JsonNode config(RunningGateway gateway) {
        try {
            return gateway.getJson("/api/v1/health").get("data").get("config");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A writer that truncates and writes in place, pausing mid-file: only the content it settles on is applied. */
    @Test
    void aFileCaughtHalfWrittenIsNotApplied() throws Exception {
        try (SubscriptionStandIn binance = new SubscriptionStandIn(Dialect.BINANCE)) {
            String url = binance.url("/stream");
            String head = "config.reload.interval = 100ms\nbinance.ws.url = " + url + "\n";
            Path dir = workingDirectory(head + "binance.symbols = AAAUSDT,BBBUSDT");
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of())) {
                await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
                Path file = dir.resolve("application.properties");
                // Half of it for 300 ms (three looks at 100 ms; less than the 500 ms a content must stay), then the rest.
                Files.writeString(file, head);
                LockSupport.parkNanos(Duration.ofMillis(300).toNanos());
                Files.writeString(file, head + "binance.symbols = AAAUSDT,BBBUSDT,CCCUSDT\n");
                await("CCCUSDT subscribed", APPLIED, () -> binance.requests(1).size() == 1);
                // The half-written file (no symbols: the packaged defaults) was never followed.
                assertEquals(1, binance.requests(1).size(), binance.requests(1).toString());
                assertTrue(binance.requests(1).get(0).text().contains("\"params\":[\"cccusdt@bookTicker\"]"));
                assertEquals(List.of("aaausdt@bookTicker", "bbbusdt@bookTicker", "cccusdt@bookTicker"),
                        binance.connections().get(0).topics());
            }
        }
    }

    /** Camel reads the file as ISO-8859-1 (java.util.Properties): so does the live check, comments and all. */
    @Test
    void aLatin1FileAndCamelsEnvPlaceholdersAreReadAsAtStartUp() throws Exception {
        try (SubscriptionStandIn binance = new SubscriptionStandIn(Dialect.BINANCE)) {
            String url = binance.url("/stream");
            String fixed = "# Caf\u00e9 desk\nbinance.ws.url = " + url + "\nredis.timeout-ms = {{env:MD_SURELY_UNSET_VARIABLE:1500}}\n";
            Path dir = Files.createTempDirectory("market-data-faults");
            Path file = dir.resolve("application.properties");
            Files.writeString(file, fixed + "binance.symbols = AAAUSDT\n", StandardCharsets.ISO_8859_1);
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of())) {
                await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
                assertEquals(1500, gateway.bean("gatewaySettings", GatewaySettings.class).redis().timeoutMs());
                Path next = dir.resolve("next");
                Files.writeString(next, fixed + "binance.symbols = AAAUSDT,BBBUSDT\n", StandardCharsets.ISO_8859_1);
                Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                await("applied", APPLIED, () -> live(gateway).changeCount("file", "applied") == 1);
                await("BBBUSDT subscribed", APPLIED, () -> binance.requests(1).size() == 1);
                assertEquals(0.0, live(gateway).changeCount("file", "restart_required"));
                assertEquals(true, config(gateway).get("file_matches_running").asBoolean());
            }
        }
    }

    /** A secrets file read at start-up and gone since (read once, then removed) does not block live changes. */
    @Test
    void aSecretsFileGoneSinceStartUpDoesNotBlockLiveChanges() throws Exception {
        try (SubscriptionStandIn binance = new SubscriptionStandIn(Dialect.BINANCE)) {
            String url = binance.url("/stream");
            Path secrets = Files.createTempDirectory("market-data-secrets").resolve("proxies");
            Files.writeString(secrets, "direct\n");
            String[] base = { "binance.ws.url = " + url, "binance.proxies-file = " + secrets };
            Path dir = workingDirectory(base[0], base[1], "binance.symbols = AAAUSDT");
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of())) {
                await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
                Files.delete(secrets);
                edit(dir, base[0], base[1], "binance.symbols = AAAUSDT,BBBUSDT");
                await("applied", APPLIED, () -> live(gateway).changeCount("file", "applied") == 1);
                assertEquals(0.0, live(gateway).changeCount("file", "rejected"));
                await("BBBUSDT subscribed", APPLIED, () -> binance.requests(1).size() == 1);
            }
        }
    }

    /** A property an override sets (-D, the environment, a test's override) edited in the file: one WARN, no effect. */
    @Test
    void anEditOfAnOverriddenPropertySaysItHasNoEffect() throws Exception {
        try (SubscriptionStandIn binance = new SubscriptionStandIn(Dialect.BINANCE)) {
            String url = binance.url("/stream");
            Path dir = workingDirectory("binance.ws.url = " + url, "binance.symbols = AAAUSDT", "quality.stale.seconds = 30");
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of("quality.stale.seconds", "10"));
                    CapturedLog log = new CapturedLog(LiveConfiguration.class)) {
                await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
                edit(dir, "binance.ws.url = " + url, "binance.symbols = AAAUSDT", "quality.stale.seconds = 20");
                await("said", APPLIED, () -> !log.lines().isEmpty());
                assertEquals(List.of("WARN quality.stale.seconds changed in " + dir.resolve("application.properties")
                        + ", but a system property, an environment variable or an override sets it: the file's value has no effect"),
                        log.lines());
                assertEquals(10, gateway.getJson("/api/v1/health").get("data").get("freshness").get("stale_after_s").asInt());
                assertEquals(0.0, live(gateway).changeCount("file", "applied"));
            }
        }
    }

    /** The file deleted: one line, health says so, nothing changes; a refused value of a restart-only property is named only. */
    @Test
    void aDeletedFileIsReportedAndPublicHealthNamesOnlyTheProperty() throws Exception {
        try (SubscriptionStandIn binance = new SubscriptionStandIn(Dialect.BINANCE)) {
            String url = binance.url("/stream");
            Path dir = workingDirectory("binance.ws.url = " + url, "binance.symbols = AAAUSDT");
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of());
                    CapturedLog log = new CapturedLog(LiveConfiguration.class)) {
                await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
                edit(dir, "binance.ws.url = " + url, "binance.symbols = AAAUSDT", "proxies = http://alice:pw@10.1.2.3");
                await("rejected", APPLIED, () -> live(gateway).changeCount("file", "rejected") == 1);
                assertEquals("Invalid proxies (the gateway's log says why)", config(gateway).get("problem").asText());
                assertTrue(log.lines().get(0).contains("Invalid proxies: 'http://alice:***@10.1.2.3'"), log.lines().toString());

                Files.delete(dir.resolve("application.properties"));
                await("reported", APPLIED, () -> live(gateway).changeCount("file", "rejected") == 2);
                assertEquals("the file cannot be read (deleted, or no permission)", config(gateway).get("problem").asText());
                assertEquals(false, config(gateway).get("file_matches_running").asBoolean());
                assertEquals("WARN Configuration file " + dir.resolve("application.properties")
                        + " cannot be read; the running configuration stays", log.lines().get(1));
                assertEquals(List.of("AAAUSDT"), mbean("binance").getSymbols());

                // Put back as it was (a deploy tool removing and writing it again): the problem is gone.
                edit(dir, "binance.ws.url = " + url, "binance.symbols = AAAUSDT", "proxies = http://alice:pw@10.1.2.3");
                await("the problem cleared", APPLIED, () -> config(gateway).get("problem").isNull()
                        && config(gateway).get("file_matches_running").asBoolean());
            }
        }
    }

    /**
     * Placeholders as Camel resolves them at start-up: built from another ({@code {{env:UNSET:{{name}}}}}), or not
     * resolvable (then the property is unset and its default runs), or referring to itself, which costs nothing
     * and blocks nothing.
     */
    @Test
    void nestedUnresolvableAndCircularPlaceholdersDoNotBlockLiveChanges() throws Exception {
        try (SubscriptionStandIn binance = new SubscriptionStandIn(Dialect.BINANCE)) {
            String url = binance.url("/stream");
            String[] base = { "binance.ws.url = " + url, "md.timeout = 1500",
                    "redis.timeout-ms = {{env:MD_SURELY_UNSET_VARIABLE:{{md.timeout}}}}",
                    "redis.shutdown-flush-timeout = {{env:MD_SURELY_UNSET_VARIABLE}}" };
            Path dir = workingDirectory(base[0], base[1], base[2], base[3], "binance.symbols = AAAUSDT");
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of())) {
                await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
                assertEquals(1500, gateway.bean("gatewaySettings", GatewaySettings.class).redis().timeoutMs());
                assertEquals(5000, gateway.bean("gatewaySettings", GatewaySettings.class).redis().shutdownFlushMillis());
                long edited = System.nanoTime();
                edit(dir, base[0], base[1], base[2], base[3], "binance.symbols = AAAUSDT,BBBUSDT",
                        "md.loop = {{md.loop}}{{md.loop}}{{md.loop}}{{md.loop}}");
                await("applied", APPLIED, () -> live(gateway).changeCount("file", "applied") == 1);
                assertTrue(System.nanoTime() - edited < APPLIED.toNanos());
                long before = System.nanoTime();
                mbean("binance").addSymbols("CCCUSDT");
                assertTrue(System.nanoTime() - before < Duration.ofSeconds(1).toNanos(), "JMX waited for the watcher");
                assertEquals(0.0, live(gateway).changeCount("file", "rejected"));
            }
        }
    }

    /**
     * binance.max-streams is restart-only: edited in the file, it does not become the bound of live changes; and
     * put back to what runs, it needs no restart (no second WARN).
     */
    @Test
    void aRestartOnlyBoundIsNotAppliedByTheBackDoor() throws Exception {
        try (SubscriptionStandIn binance = new SubscriptionStandIn(Dialect.BINANCE)) {
            String url = binance.url("/stream");
            String ten = String.join(",", Frames.symbols(10));
            Path dir = workingDirectory("binance.ws.url = " + url, "binance.symbols = " + ten, "binance.max-streams = 20");
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of())) {
                await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
                edit(dir, "binance.ws.url = " + url, "binance.symbols = " + ten, "binance.max-streams = 100");
                await("restart required", APPLIED, () -> live(gateway).changeCount("file", "restart_required") == 1);
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> mbean("binance").addSymbols(String.join(",", Frames.symbols(30).subList(10, 30))));
                assertTrue(e.getMessage().contains("30 symbols x 1 streams = 30 streams, more than the 20 allowed"), e.getMessage());
                edit(dir, "binance.ws.url = " + url, "binance.symbols = " + String.join(",", Frames.symbols(30)),
                        "binance.max-streams = 100");
                await("rejected", APPLIED, () -> live(gateway).changeCount("file", "rejected") == 1);
                assertEquals(10, mbean("binance").getSymbols().size());
                edit(dir, "binance.ws.url = " + url, "binance.symbols = " + ten, "binance.max-streams = 20");
                await("back to what runs", APPLIED, () -> config(gateway).get("restart_required").isEmpty()
                        && config(gateway).get("problem").isNull());
                assertEquals(1.0, live(gateway).changeCount("file", "restart_required"));
            }
        }
    }

    /** OKX refuses one argument of a request and acknowledges the others: the good ones stay subscribed, also after a reconnect. */
    @Test
    void aRefusalOfOneArgumentKeepsTheOthersAndARefusalOnANewConnectionIsReported() throws Exception {
        try (SubscriptionStandIn okx = new SubscriptionStandIn(Dialect.OKX).refuse(t -> t.contains("BAD"))) {
            String url = okx.url("/ws/v5/public");
            String[] base = { "exchanges = okx", "okx.ws.url = " + url };
            Path dir = workingDirectory(base[0], base[1], "okx.symbols = BTC-USDT");
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of())) {
                await("connected", Duration.ofSeconds(20), () -> okx.connections().size() == 1
                        && okx.connections().get(0).topics().size() == 1);
                VenueFeed feed = gateway.bean(VenueFeed.bean(Venue.OKX), VenueFeed.class);
                edit(dir, base[0], base[1], "okx.symbols = BTC-USDT,GOOD-USDT,BAD-USDT");
                await("refused", APPLIED, () -> feed.requestCount("refused") == 1);
                assertEquals(List.of("subscribe [BAD-USDT@bbo-tbt]: error 60018: Wrong URL or channel:bbo-tbt,instId:BAD-USDT "
                        + "doesn't exist."), feed.getRefusedSubscriptions());
                assertEquals(List.of("{\"channel\":\"bbo-tbt\",\"instId\":\"BTC-USDT\"}", "{\"channel\":\"bbo-tbt\",\"instId\":\"GOOD-USDT\"}"),
                        feed.getSubscriptions().get("okx"));
                mbean("okx").reconnect();
                await("reconnected with GOOD-USDT", Duration.ofSeconds(10), () -> okx.connections().size() == 2
                        && okx.connections().get(1).topics().equals(List.of("bbo-tbt:BTC-USDT", "bbo-tbt:GOOD-USDT")));

                // 1,000 arguments fill a connection; one more opens a second, whose opening subscription is refused.
                List<String> many = new ArrayList<>();
                for (int i = 0; i < 998; i++) {
                    many.add(String.format("S%04d-USDT", i));
                }
                edit(dir, base[0], base[1], "okx.symbols = BTC-USDT,GOOD-USDT," + String.join(",", many) + ",BAD2-USDT");
                await("a second connection", Duration.ofSeconds(10), () -> okx.connections().size() == 3);
                await("its refusal reported", Duration.ofSeconds(10), () -> feed.requestCount("refused") == 2);
                assertTrue(feed.getRefusedSubscriptions().get(1).startsWith("subscribe [BAD2-USDT@bbo-tbt]: error 60018"),
                        feed.getRefusedSubscriptions().toString());
            }
        }
    }

    /** Thirty additions in a burst: the requests carry the net change, and the venue has it all within 5 s. */
    @Test
    void aBurstOfChangesIsSentAsItsNetDifference() throws Exception {
        try (SubscriptionStandIn binance = new SubscriptionStandIn(Dialect.BINANCE)) {
            String url = binance.url("/stream");
            Path dir = workingDirectory("binance.ws.url = " + url, "binance.symbols = AAAUSDT");
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of())) {
                await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
                VenueFeedMXBean mbean = mbean("binance");
                List<String> symbols = Frames.symbols(30);
                long start = System.nanoTime();
                for (String symbol : symbols) {
                    mbean.addSymbols(symbol);
                }
                // Half of them removed again before their requests could all go out.
                for (String symbol : symbols.subList(15, 30)) {
                    mbean.removeSymbols(symbol);
                }
                await("the venue has the net set", APPLIED, () -> binance.connections().get(0).topics().size() == 16);
                assertTrue(System.nanoTime() - start < APPLIED.toNanos());
                assertTrue(binance.requests(1).size() <= 6, binance.requests(1).size() + " requests: " + binance.requests(1));
            }
        }
    }

    /**
     * In the moment a symbol is removed: a tick validated before still reaching the store, a read for it still on
     * its way, and a tick of it still pending while Redis is down are each refused or dropped, never an error, a
     * Redis failure or a write.
     */
    @Test
    void whatIsInFlightForARemovedSymbolIsDroppedQuietly() throws Exception {
        try (SubscriptionStandIn binance = new SubscriptionStandIn(Dialect.BINANCE)) {
            String url = binance.url("/stream");
            Path dir = workingDirectory("binance.ws.url = " + url, "binance.symbols = AAAUSDT,BBBUSDT");
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of("redis.reconcile-interval", "200"))) {
                await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
                LatestTickStore store = gateway.bean(LatestTickStore.BEAN, LatestTickStore.class);
                IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
                FrameOutcome tick = dev.marketdata.Exchanges.protocol(Venue.BINANCE)
                        .mapper(com.fasterxml.jackson.databind.json.JsonMapper.builder().build(),
                                new dev.marketdata.feed.ConnectionSpec("/", List.of(), List.of()), java.util.Set.of("bookTicker"))
                        .map(Frames.bookTicker("BBBUSDT", 5), System.currentTimeMillis()).get(0);
                try {
                    TestRedis.stop();
                    binance.sendRound(t -> true);
                    await("the writer finds Redis down", Duration.ofSeconds(10), () -> !store.redisUp());
                    mbean("binance").removeSymbols("BBBUSDT");
                } finally {
                    TestRedis.restart();
                }
                await("AAAUSDT written again", Duration.ofSeconds(20), () -> TestRedis.get("tick:latest:AAAUSDT") != null);
                assertNull(TestRedis.get("tick:latest:BBBUSDT"), "written after its removal");

                double unknown = metrics.rejectedCount(RejectReason.UNKNOWN_SYMBOL);
                store.ingestAll(FrameBatch.of(List.of(tick), 0));
                assertEquals(unknown + 1, metrics.rejectedCount(RejectReason.UNKNOWN_SYMBOL));
                assertEquals(java.util.Arrays.asList(TestRedis.get("tick:latest:AAAUSDT"), null), store.readAll(List.of("AAAUSDT", "BBBUSDT")));
            }
        }
    }

    /** A symbol removed and added again is a mock entry until its first tick since, not its value from before. */
    @Test
    void aSymbolAddedAgainIsMockUntilItsFirstTickSince() throws Exception {
        try (SubscriptionStandIn binance = new SubscriptionStandIn(Dialect.BINANCE)) {
            String url = binance.url("/stream");
            Path dir = workingDirectory("binance.ws.url = " + url, "binance.symbols = AAAUSDT,BBBUSDT");
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of())) {
                await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
                binance.sendRound(t -> t.startsWith("bbb"));
                await("BBBUSDT stored", Duration.ofSeconds(10), () -> TestRedis.get("tick:latest:BBBUSDT") != null);
                long storedAt = System.currentTimeMillis();
                mbean("binance").removeSymbols("BBBUSDT");
                assertEquals(404, gateway.status("/api/v1/tickers/BBBUSDT"));
                await("a millisecond later", Duration.ofSeconds(1), () -> System.currentTimeMillis() > storedAt);
                mbean("binance").addSymbols("BBBUSDT");
                JsonNode entry = gateway.getJson("/api/v1/tickers/BBBUSDT").get("data").get(0);
                assertEquals(true, entry.get("_mock").asBoolean(), entry.toString());
                assertEquals("cache_miss", entry.get("mock_reason").asText());
                await("subscribed again", APPLIED, () -> binance.connections().get(0).topics().contains("bbbusdt@bookTicker"));
                binance.sendRound(t -> t.startsWith("bbb"));
                await("live again", Duration.ofSeconds(10), () -> {
                    try {
                        return !gateway.getJson("/api/v1/tickers/BBBUSDT").get("data").get(0).get("_mock").asBoolean();
                    } catch (java.io.IOException e) {
                        return false;
                    }
                });
            }
        }
    }

    /** A logging.level line removed: the logger goes back to its level from log4j2.xml, not to INFO. */
    @Test
    void aLogLevelLineRemovedRestoresTheLevelBefore() throws Exception {
        try (SubscriptionStandIn binance = new SubscriptionStandIn(Dialect.BINANCE)) {
            String url = binance.url("/stream");
            String[] base = { "binance.ws.url = " + url, "binance.symbols = AAAUSDT" };
            Path dir = workingDirectory(base);
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of())) {
                org.apache.logging.log4j.Logger jedis = org.apache.logging.log4j.LogManager.getLogger("redis.clients.jedis.JedisFactory");
                assertEquals(org.apache.logging.log4j.Level.ERROR, jedis.getLevel());
                edit(dir, base[0], base[1], "logging.level.redis.clients.jedis.JedisFactory = DEBUG");
                await("applied", APPLIED, () -> live(gateway).changeCount("file", "applied") == 1);
                assertEquals(org.apache.logging.log4j.Level.DEBUG, jedis.getLevel());
                edit(dir, base);
                await("applied again", APPLIED, () -> live(gateway).changeCount("file", "applied") == 2);
                assertEquals(org.apache.logging.log4j.Level.ERROR, jedis.getLevel());
            }
        }
    }

    /** 10,000 symbols replaced by 10,000 others: applied (and so followed) within 5 s of the edit. */
    @Test
    void tenThousandSymbolsReplacedAreAppliedWithinFiveSeconds() throws Exception {
        List<String> all = Frames.symbols(10_000);
        List<String> others = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            others.add(String.format("T%04dUSDT", i));
        }
        try (SubscriptionStandIn binance = new SubscriptionStandIn(Dialect.BINANCE)) {
            String url = binance.url("/stream");
            String[] base = { "binance.ws.url = " + url, "binance.max-url-length = 65536" };
            Path dir = workingDirectory(base[0], base[1], "binance.symbols = " + String.join(",", all));
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of())) {
                await("connected", Duration.ofSeconds(30), () -> binance.connections().size() == 10);
                long edited = System.nanoTime();
                edit(dir, base[0], base[1], "binance.symbols = " + String.join(",", others));
                await("applied", APPLIED, () -> live(gateway).changeCount("file", "applied") == 1);
                assertTrue(System.nanoTime() - edited < APPLIED.toNanos());
                assertEquals(404, gateway.status("/api/v1/tickers/S0000USDT"));
                assertEquals(200, gateway.status("/api/v1/tickers/T9999USDT"));
            }
        }
    }
}
