package dev.marketdata;

import static dev.marketdata.support.RunningGateway.await;
import static dev.marketdata.support.WatchedFile.edit;
import static dev.marketdata.support.WatchedFile.workingDirectory;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import javax.management.JMX;
import javax.management.ObjectName;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marketdata.feed.StreamConnection;
import dev.marketdata.feed.VenueFeed;
import dev.marketdata.feed.VenueFeedMXBean;
import dev.marketdata.support.CapturedLog;
import dev.marketdata.support.Frames;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.SubscriptionStandIn;
import dev.marketdata.support.SubscriptionStandIn.Dialect;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * Symbols, streams and thresholds changed while the gateway runs, as an integration engineer changes them: by
 * editing the {@code application.properties} the gateway was started from, or over JMX. A stand-in venue on a
 * real socket records every connection and message and sends frames only for what each connection subscribed.
 */
class LiveReconfigurationIT {

    private static final Duration APPLIED = Duration.ofSeconds(5);

    @BeforeEach
    void cleanRedis() {
        TestRedis.ensureStarted();
        TestRedis.flush();
    }

    private static String metrics(RunningGateway gateway) throws java.io.IOException {
        return gateway.send("/observe/metrics").body();
    }

    @Test
    void binanceSymbolsAddedAndRemovedInTheFileAndOverJmxOnTheOpenConnection() throws Exception {
        try (SubscriptionStandIn binance = new SubscriptionStandIn(Dialect.BINANCE)) {
            String url = binance.url("/stream");
            Path dir = workingDirectory("binance.ws.url = " + url, "binance.symbols = AAAUSDT,BBBUSDT",
                    "binance.max-url-length = 65536");
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of());
                    CapturedLog log = new CapturedLog(LiveConfiguration.class)) {
                await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
                SubscriptionStandIn.Conn first = binance.connections().get(0);
                assertEquals(List.of("aaausdt@bookTicker", "bbbusdt@bookTicker"), first.topics());
                binance.sendRound(t -> true);
                await("both stored", Duration.ofSeconds(10), () -> TestRedis.get("tick:latest:AAAUSDT") != null
                        && TestRedis.get("tick:latest:BBBUSDT") != null);
                assertEquals(404, gateway.status("/api/v1/tickers/CCCUSDT"));

                // Added in the file: SUBSCRIBE on the open connection, no new connection.
                edit(dir, "binance.ws.url = " + url, "binance.symbols = AAAUSDT,BBBUSDT,CCCUSDT", "binance.max-url-length = 65536");
                await("SUBSCRIBE sent", APPLIED, () -> binance.requests(1).size() == 1);
                JsonNode subscribe = new com.fasterxml.jackson.databind.ObjectMapper().readTree(binance.requests(1).get(0).text());
                assertEquals("SUBSCRIBE", subscribe.get("method").asText());
                assertEquals("[\"cccusdt@bookTicker\"]", subscribe.get("params").toString());
                assertEquals(1, binance.connections().size());
                // Mock-flagged until its first tick, then live.
                assertEquals(true, gateway.getJson("/api/v1/tickers/CCCUSDT").get("data").get(0).get("_mock").asBoolean());
                await("acknowledged", APPLIED, () -> gateway.bean(VenueFeed.bean(dev.marketdata.model.Venue.BINANCE),
                        VenueFeed.class).requestCount("acknowledged") == 1);
                binance.sendRound(t -> t.startsWith("ccc"));
                await("CCCUSDT stored", Duration.ofSeconds(10), () -> TestRedis.get("tick:latest:CCCUSDT") != null);
                JsonNode ccc = gateway.getJson("/api/v1/tickers/CCCUSDT").get("data").get(0);
                assertEquals(false, ccc.get("_mock").asBoolean());
                assertEquals(binance.lastSequence(), ccc.get("update_id").asLong());
                // The consolidated best includes it; freshness tracks it.
                assertEquals("[\"binance\"]", gateway.getJson("/api/v1/best/CCCUSDT").get("data").get("venues").toString());
                assertTrue(gateway.bean(dev.marketdata.pipeline.FreshnessTracker.BEAN, dev.marketdata.pipeline.FreshnessTracker.class)
                        .symbols().contains("CCCUSDT"));
                // Its meter existed before its first tick; a scrape shows it now.
                assertTrue(metrics(gateway).contains("marketdata_tick_age_seconds{exchange=\"binance\",symbol=\"CCCUSDT\"}"));

                // Removed in the file: UNSUBSCRIBE, and a 404 from then on.
                edit(dir, "binance.ws.url = " + url, "binance.symbols = AAAUSDT,CCCUSDT", "binance.max-url-length = 65536");
                await("UNSUBSCRIBE sent", APPLIED, () -> binance.requests(1).size() == 2);
                JsonNode unsubscribe = new com.fasterxml.jackson.databind.ObjectMapper().readTree(binance.requests(1).get(1).text());
                assertEquals("UNSUBSCRIBE", unsubscribe.get("method").asText());
                assertEquals("[\"bbbusdt@bookTicker\"]", unsubscribe.get("params").toString());
                assertEquals(404, gateway.status("/api/v1/tickers/BBBUSDT"));
                assertEquals(404, gateway.status("/api/v1/best/BBBUSDT"));
                assertFalse(gateway.bean(dev.marketdata.pipeline.FreshnessTracker.BEAN, dev.marketdata.pipeline.FreshnessTracker.class)
                        .symbols().contains("BBBUSDT"));
                assertEquals(List.of("aaausdt@bookTicker", "cccusdt@bookTicker"), first.topics());
                assertFalse(metrics(gateway).contains("symbol=\"BBBUSDT\""));
                assertEquals(2, log.linesAt("INFO").stream().filter(l -> l.startsWith("INFO Configuration generation")).count(),
                        log.lines().toString());
                JsonNode config = gateway.getJson("/api/v1/health").get("data").get("config");
                assertEquals(3, config.get("generation").asInt());
                assertEquals("file", config.get("source").asText());
                assertEquals(true, config.get("file_matches_running").asBoolean());

                // The same over JMX, on the feed's MBean.
                VenueFeedMXBean mbean = JMX.newMXBeanProxy(ManagementFactory.getPlatformMBeanServer(),
                        new ObjectName("org.apache.camel:context=market-data,type=feed,name=binance"), VenueFeedMXBean.class);
                String added = mbean.addSymbols("DDDUSDT");
                assertTrue(added.contains("added [DDDUSDT]"), added);
                await("JMX SUBSCRIBE sent", APPLIED, () -> binance.requests(1).size() == 3);
                assertTrue(binance.requests(1).get(2).text().contains("\"dddusdt@bookTicker\""));
                mbean.removeSymbols("AAAUSDT");
                await("JMX UNSUBSCRIBE sent", APPLIED, () -> binance.requests(1).size() == 4);
                assertTrue(binance.requests(1).get(3).text().startsWith("{\"method\":\"UNSUBSCRIBE\",\"params\":[\"aaausdt@bookTicker\"]"));
                assertEquals(List.of("CCCUSDT", "DDDUSDT"), mbean.getSymbols());
                assertEquals(Map.of("binance", List.of("cccusdt@bookTicker", "dddusdt@bookTicker")), mbean.getSubscriptions());
                assertEquals(404, gateway.status("/api/v1/tickers/AAAUSDT"));
                // A bad list changes nothing and says why.
                IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> mbean.addSymbols("BAD!"));
                assertTrue(bad.getMessage().startsWith("Invalid binance.symbols 'BAD!'"), bad.getMessage());
                assertEquals(List.of("CCCUSDT", "DDDUSDT"), mbean.getSymbols());
                config = gateway.getJson("/api/v1/health").get("data").get("config");
                assertEquals(5, config.get("generation").asInt());
                assertEquals("jmx", config.get("source").asText());
                assertEquals(false, config.get("file_matches_running").asBoolean());
                assertEquals("[\"binance.symbols\"]", config.get("changed_at_run_time").toString());

                // Many at once: paced, at least 300 ms apart on the connection (Binance allows 5 messages a second).
                List<String> many = Frames.symbols(400);
                mbean.addSymbols(String.join(",", many));
                await("the 400 subscribed", Duration.ofSeconds(10), () -> first.topics().size() == 402);
                List<SubscriptionStandIn.Message> sent = binance.requests(1);
                List<SubscriptionStandIn.Message> burst = sent.subList(4, sent.size());
                assertEquals(3, burst.size(), "400 streams in messages under 4 KB");
                for (int i = 1; i < burst.size(); i++) {
                    long gap = burst.get(i).at() - burst.get(i - 1).at();
                    assertTrue(gap >= 250, "requests " + gap + " ms apart");
                }
                assertEquals(1, binance.connections().size());
                assertFalse(first.closed());
                double applied = gateway.bean(LiveConfiguration.BEAN, LiveConfiguration.class).changeCount("file", "applied");
                assertEquals(2.0, applied);
                assertTrue(metrics(gateway).contains(
                        "marketdata_config_changes_total{result=\"applied\",source=\"jmx\"} 3.0"));

                // An edit of something else in the file leaves the JMX change; an edit of the file's own symbols wins.
                edit(dir, "binance.ws.url = " + url, "binance.symbols = AAAUSDT,CCCUSDT", "binance.max-url-length = 65536",
                        "quality.stale.seconds = 9");
                await("the threshold applied", APPLIED, () -> gateway.bean(LiveConfiguration.BEAN, LiveConfiguration.class)
                        .changeCount("file", "applied") == 3);
                assertEquals(402, mbean.getSymbols().size());
                assertEquals("[\"binance.symbols\"]", gateway.getJson("/api/v1/health").get("data").get("config")
                        .get("changed_at_run_time").toString());
                edit(dir, "binance.ws.url = " + url, "binance.symbols = AAAUSDT", "binance.max-url-length = 65536",
                        "quality.stale.seconds = 9");
                await("the file's symbols applied", APPLIED, () -> gateway.bean(LiveConfiguration.BEAN, LiveConfiguration.class)
                        .changeCount("file", "applied") == 4);
                assertEquals(List.of("AAAUSDT"), mbean.getSymbols());
                config = gateway.getJson("/api/v1/health").get("data").get("config");
                assertEquals("[]", config.get("changed_at_run_time").toString());
                assertEquals(true, config.get("file_matches_running").asBoolean());
                await("one topic left", APPLIED, () -> first.topics().equals(List.of("aaausdt@bookTicker")));
                // Its 402 topics replaced by one: the same connection carries it, none closed or opened.
                assertFalse(first.closed());
                assertEquals(1, binance.connections().size());
            }
        }
    }

    @Test
    void aBadEditChangesNothingUntilFixedAndARestartOnlyPropertyIsNotApplied() throws Exception {
        try (SubscriptionStandIn binance = new SubscriptionStandIn(Dialect.BINANCE)) {
            String url = binance.url("/stream");
            Path dir = workingDirectory("binance.ws.url = " + url, "binance.symbols = AAAUSDT", "redis.timeout-ms = 1000");
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of());
                    CapturedLog log = new CapturedLog(LiveConfiguration.class)) {
                await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
                LiveConfiguration live = gateway.bean(LiveConfiguration.BEAN, LiveConfiguration.class);

                // A symbol that does not parse, beside a good one: rejected whole.
                edit(dir, "binance.ws.url = " + url, "binance.symbols = AAAUSDT,BBBUSDT,B!D", "redis.timeout-ms = 1000");
                await("rejected", APPLIED, () -> live.changeCount("file", "rejected") == 1);
                assertEquals(List.of("WARN Configuration change in " + dir.resolve("application.properties")
                        + " rejected, nothing applied: Invalid binance.symbols 'AAAUSDT,BBBUSDT,B!D': 'B!D' is not BASE-QUOTE or "
                        + "BASE-QUOTE-PERP (letters and digits, for example BTC-USDT) or BTCUSDT; generation 1 keeps running"),
                        log.lines());
                JsonNode config = gateway.getJson("/api/v1/health").get("data").get("config");
                assertEquals(false, config.get("file_matches_running").asBoolean());
                assertTrue(config.get("problem").asText().startsWith("Invalid binance.symbols"), config.toString());
                assertEquals(1, config.get("generation").asInt());
                assertEquals(404, gateway.status("/api/v1/tickers/BBBUSDT"));
                // An unknown stream kind, and more streams than allowed: the same.
                edit(dir, "binance.ws.url = " + url, "binance.symbols = AAAUSDT", "binance.streams = bookTicker,depth5",
                        "redis.timeout-ms = 1000");
                await("rejected twice", APPLIED, () -> live.changeCount("file", "rejected") == 2);
                edit(dir, "binance.ws.url = " + url, "binance.symbols = " + String.join(",", Frames.symbols(30)),
                        "binance.max-streams = 20", "redis.timeout-ms = 1000");
                await("rejected three times", APPLIED, () -> live.changeCount("file", "rejected") == 3);
                assertTrue(log.lines().get(2).contains("30 symbols x 1 streams = 30 streams, more than the 20 allowed"),
                        log.lines().get(2));
                assertEquals(List.of(), binance.requests(1));

                // Fixed: applied.
                edit(dir, "binance.ws.url = " + url, "binance.symbols = AAAUSDT,BBBUSDT", "redis.timeout-ms = 1000");
                await("applied", APPLIED, () -> live.changeCount("file", "applied") == 1);
                await("SUBSCRIBE sent", APPLIED, () -> binance.requests(1).size() == 1);
                config = gateway.getJson("/api/v1/health").get("data").get("config");
                assertEquals(true, config.get("file_matches_running").asBoolean());
                assertEquals("null", config.get("problem").toString());
                assertEquals(2, config.get("generation").asInt());

                // A property only a restart applies: one WARN, nothing applied, health says a restart is due.
                log.clear();
                edit(dir, "binance.ws.url = " + url, "binance.symbols = AAAUSDT,BBBUSDT", "redis.timeout-ms = 2000");
                await("restart required", APPLIED, () -> live.changeCount("file", "restart_required") == 1);
                assertEquals(List.of("WARN redis.timeout-ms changed in " + dir.resolve("application.properties")
                        + ": it only takes effect after a restart; not applied"), log.lines());
                config = gateway.getJson("/api/v1/health").get("data").get("config");
                assertEquals(2, config.get("generation").asInt());
                assertEquals("[\"redis.timeout-ms\"]", config.get("restart_required").toString());
                assertEquals(false, config.get("file_matches_running").asBoolean());
                assertEquals(1000, gateway.bean("gatewaySettings", GatewaySettings.class).redis().timeoutMs());

                // Live thresholds in the same file: applied; the restart-only one still waits.
                edit(dir, "binance.ws.url = " + url, "binance.symbols = AAAUSDT,BBBUSDT", "redis.timeout-ms = 2000",
                        "quality.stale.seconds = 7", "tick.ttl.seconds = 90");
                await("thresholds applied", APPLIED, () -> live.changeCount("file", "applied") == 2);
                assertEquals(7, gateway.getJson("/api/v1/health").get("data").get("freshness").get("stale_after_s").asInt());
                binance.sendRound(t -> true);
                await("stored", Duration.ofSeconds(10), () -> TestRedis.get("tick:latest:BBBUSDT") != null);
                try (Jedis redis = TestRedis.client()) {
                    long ttl = redis.ttl("tick:latest:BBBUSDT");
                    assertTrue(ttl > 60 && ttl <= 90, "TTL " + ttl);
                }
                assertTrue(log.linesAt("INFO").get(0).contains("quality.stale.seconds 30 -> 7"), log.lines().toString());

                // Log levels: applied live; a level that is not one is refused like any bad value.
                String[] kept = { "binance.ws.url = " + url, "binance.symbols = AAAUSDT,BBBUSDT", "redis.timeout-ms = 2000",
                        "quality.stale.seconds = 7", "tick.ttl.seconds = 90" };
                assertFalse(org.apache.logging.log4j.LogManager.getLogger("dev.marketdata.feed.StreamConnection").isDebugEnabled());
                edit(dir, kept[0], kept[1], kept[2], kept[3], kept[4], "logging.level.dev.marketdata.feed = debug");
                await("log level applied", APPLIED, () -> live.changeCount("file", "applied") == 3);
                assertTrue(org.apache.logging.log4j.LogManager.getLogger("dev.marketdata.feed.StreamConnection").isDebugEnabled());
                edit(dir, kept[0], kept[1], kept[2], kept[3], kept[4], "logging.level.dev.marketdata.feed = LOUD");
                await("bad level rejected", APPLIED, () -> live.changeCount("file", "rejected") == 4);
                assertTrue(log.linesAt("WARN").get(log.linesAt("WARN").size() - 1).contains(
                        "Invalid logging.level.dev.marketdata.feed 'LOUD': must be one of OFF, ERROR, WARN, INFO, DEBUG, TRACE"),
                        log.lines().toString());
                edit(dir, kept[0], kept[1], kept[2], kept[3], kept[4]);
                await("level back to the default", APPLIED, () -> live.changeCount("file", "applied") == 4);
                assertFalse(org.apache.logging.log4j.LogManager.getLogger("dev.marketdata.feed.StreamConnection").isDebugEnabled());
            }
        }
    }

    @Test
    void fifteenHundredSymbolsAddedToAConnectionHoldingAThousandFillItAndOverflowToNewConnections() throws Exception {
        List<String> all = Frames.symbols(2_500);
        try (SubscriptionStandIn binance = new SubscriptionStandIn(Dialect.BINANCE)) {
            String url = binance.url("/stream");
            String[] base = { "binance.ws.url = " + url, "binance.max-url-length = 65536" };
            Path dir = workingDirectory(base[0], base[1], "binance.symbols = " + String.join(",", all.subList(0, 1_000)));
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of())) {
                await("connected", Duration.ofSeconds(20), () -> binance.connections().size() == 1);
                SubscriptionStandIn.Conn first = binance.connections().get(0);
                assertEquals(1_000, first.topics().size());
                // Frames keep flowing on the first connection throughout the change.
                java.util.concurrent.atomic.AtomicBoolean flowing = new java.util.concurrent.atomic.AtomicBoolean(true);
                List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
                Thread sender = new Thread(() -> {
                    while (flowing.get()) {
                        try {
                            binance.sendRound(t -> t.equals("s0000usdt@bookTicker"));
                            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L);
                        } catch (Exception e) {
                            failures.add(e);
                            return;
                        }
                    }
                });
                sender.start();
                try {
                    edit(dir, base[0], base[1], "binance.symbols = " + String.join(",", all));
                    // 24 more fill the first connection to Binance's 1,024; the other 1,476 need two new ones.
                    await("the overflow connections", Duration.ofSeconds(10), () -> binance.connections().size() == 3
                            && first.topics().size() == 1_024);
                    List<String> overflow = new ArrayList<>(binance.connections().get(1).topics());
                    assertEquals(1_024, overflow.size());
                    assertEquals(452, binance.connections().get(2).topics().size());
                    overflow.addAll(binance.connections().get(2).topics());
                    assertEquals(all.subList(1_024, 2_500).stream().map(s -> s.toLowerCase(java.util.Locale.ROOT) + "@bookTicker")
                            .toList(), overflow);
                } finally {
                    flowing.set(false);
                    sender.join();
                }
                assertEquals(List.of(), failures);
                // Under 5 messages a second on the first connection, in any second; none on the second (its URL).
                List<Long> times = binance.requests(1).stream().map(SubscriptionStandIn.Message::at).toList();
                for (int i = 0; i < times.size(); i++) {
                    int from = i;
                    assertTrue(times.stream().filter(t -> t >= times.get(from) && t < times.get(from) + 1_000).count() < 5);
                }
                assertEquals(List.of(), binance.requests(2));
                assertEquals(List.of(), binance.requests(3));
                assertFalse(first.closed(), "the first connection stayed open");
                VenueFeed feed = gateway.bean(VenueFeed.bean(dev.marketdata.model.Venue.BINANCE), VenueFeed.class);
                assertEquals(0, feed.getDisconnects());
                // Nothing interrupted: the last frame sent on the first connection is the stored one.
                long last = binance.lastSequence();
                await("the newest S0000USDT stored", Duration.ofSeconds(10), () -> {
                    String json = TestRedis.get("tick:latest:S0000USDT");
                    return json != null && json.contains("\"update_id\":" + last + ",");
                });
                // And the overflow connection delivers.
                binance.sendRound(t -> t.equals("s2499usdt@bookTicker"));
                await("S2499USDT stored", Duration.ofSeconds(10), () -> TestRedis.get("tick:latest:S2499USDT") != null);
                assertEquals(Map.of("binance", 1_024, "binance#2", 1_024, "binance#3", 452), feed.getSubscriptions().entrySet().stream()
                        .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().size())));
            }
        }
    }

    @Test
    void okxSymbolsAddedAndRemovedWithItsOwnProtocolAndARefusalReported() throws Exception {
        try (SubscriptionStandIn okx = new SubscriptionStandIn(Dialect.OKX).refuse(t -> t.endsWith("BAD-USDT"))) {
            String url = okx.url("/ws/v5/public");
            String[] base = { "exchanges = okx", "okx.ws.url = " + url };
            Path dir = workingDirectory(base[0], base[1], "okx.symbols = BTC-USDT,ETH-USDT");
            try (RunningGateway gateway = RunningGateway.start(dir, Map.of());
                    CapturedLog connectionLog = new CapturedLog(StreamConnection.class)) {
                await("connected and subscribed", Duration.ofSeconds(20), () -> okx.connections().size() == 1
                        && okx.connections().get(0).topics().size() == 2);
                edit(dir, base[0], base[1], "okx.symbols = BTC-USDT,ETH-USDT,SOL-USDT");
                await("subscribe sent", APPLIED, () -> okx.requests(1).size() == 2);
                assertEquals("{\"op\":\"subscribe\",\"args\":[{\"channel\":\"bbo-tbt\",\"instId\":\"SOL-USDT\"}]}",
                        okx.requests(1).get(1).text());
                okx.sendRound(t -> t.endsWith("SOL-USDT"));
                await("SOL-USDT stored", Duration.ofSeconds(10), () -> TestRedis.get("tick:latest:okx:SOL-USDT") != null);
                JsonNode sol = gateway.getJson("/api/v1/tickers/SOL-USDT?exchange=okx").get("data").get(0);
                assertEquals(false, sol.get("_mock").asBoolean());
                assertEquals("10.01", sol.get("price").asText());

                edit(dir, base[0], base[1], "okx.symbols = BTC-USDT,SOL-USDT");
                await("unsubscribe sent", APPLIED, () -> okx.requests(1).size() == 3);
                assertEquals("{\"op\":\"unsubscribe\",\"args\":[{\"channel\":\"bbo-tbt\",\"instId\":\"ETH-USDT\"}]}",
                        okx.requests(1).get(2).text());
                assertEquals(404, gateway.status("/api/v1/tickers/ETH-USDT"));
                assertEquals(List.of("bbo-tbt:BTC-USDT", "bbo-tbt:SOL-USDT"), okx.connections().get(0).topics());

                // A subscription the venue refuses is reported, not assumed.
                edit(dir, base[0], base[1], "okx.symbols = BTC-USDT,SOL-USDT,BAD-USDT");
                VenueFeed feed = gateway.bean(VenueFeed.bean(dev.marketdata.model.Venue.OKX), VenueFeed.class);
                await("refused", APPLIED, () -> feed.requestCount("refused") == 1);
                assertEquals(List.of("subscribe [BAD-USDT@bbo-tbt]: error 60018: Wrong URL or channel:bbo-tbt,instId:BAD-USDT "
                        + "doesn't exist."), feed.getRefusedSubscriptions());
                assertTrue(connectionLog.linesAt("WARN").get(0).startsWith("WARN okx: the venue refused the subscription of "
                        + "{\"channel\":\"bbo-tbt\",\"instId\":\"BAD-USDT\"}"), connectionLog.lines().toString());
                assertEquals(1, okx.connections().size());
                List<String> said = new ArrayList<>(feed.getSubscriptions().get("okx"));
                assertEquals(2, said.size(), said.toString());
            }
        }
    }
}
