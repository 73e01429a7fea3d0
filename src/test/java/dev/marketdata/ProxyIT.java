package dev.marketdata;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marketdata.feed.VenueFeed;
import dev.marketdata.pipeline.IngestMetrics;
import dev.marketdata.support.BinanceStandIn;
import dev.marketdata.support.CapturedLog;
import dev.marketdata.support.LoopbackProxy;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/** The proxies of binance.proxies, for real, on loopback: HTTP CONNECT, bad SOCKS5 credentials, failover. */
class ProxyIT {

    private static final String FRAME = "{\"stream\":\"ethusdt@bookTicker\",\"data\":{\"u\":400900217,"
            + "\"s\":\"ETHUSDT\",\"b\":\"3012.55000000\",\"B\":\"31.21000000\",\"a\":\"3012.56000000\",\"A\":\"40.66000000\"}}";

    private static BinanceStandIn standIn;

    @BeforeAll
    static void start() throws Exception {
        standIn = new BinanceStandIn(List.of(FRAME));
    }

    @AfterAll
    static void stop() throws Exception {
        standIn.close();
    }

    @Test
    void httpConnectProxyCarriesTheFeed() throws Exception {
        TestRedis.flush();
        try (LoopbackProxy http = new LoopbackProxy(LoopbackProxy.Kind.HTTP_CONNECT, "ops", "http-pw");
                RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", standIn.url(),
                        "binance.symbols", "ETHUSDT", "binance.proxies", http.url("ops", "http-pw")))) {
            IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
            await("the tick was stored", Duration.ofSeconds(20), () -> metrics.storedCount("ETHUSDT") == 1);
            assertEquals(List.of("127.0.0.1:" + standIn.port()), http.tunnels());
            assertEquals(0, http.authFailures());
            try (Jedis redis = TestRedis.client()) {
                assertTrue(redis.get("tick:latest:ETHUSDT").contains("\"update_id\":400900217"));
                // A symbol configured in Binance's form is written to its venue key too.
                assertEquals(redis.get("tick:latest:ETHUSDT").replace("{\"symbol\":\"ETHUSDT\"", "{\"symbol\":\"ETH-USDT\""),
                        redis.get("tick:latest:binance:ETH-USDT"));
            }
        }
    }

    @Test
    void wrongSocksCredentialsGiveAClearErrorWithoutThePassword() throws Exception {
        try (LoopbackProxy socks = new LoopbackProxy(LoopbackProxy.Kind.SOCKS5, "dev", "right-pw");
                RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", standIn.url(),
                        "binance.symbols", "ETHUSDT", "binance.proxies", socks.url("dev", "wrong-pw")))) {
            await("the proxy refused the credentials", Duration.ofSeconds(20), () -> socks.authFailures() >= 1);
            await("the feed reports the failure", Duration.ofSeconds(20),
                    () -> feed(gateway).has("last_error"));
            JsonNode feed = feed(gateway);
            String error = feed.get("last_error").asText();
            assertTrue(error.startsWith("connect via socks5://dev:***@127.0.0.1:" + socks.port() + " failed: "), error);
            assertTrue(error.contains("the proxy rejected the credentials"), error);
            assertFalse(error.contains("wrong-pw"));
            assertEquals("down", feed.get("status").asText());
            assertEquals(List.of(), socks.tunnels());
        }
    }

    @Test
    void aDeadFirstProxyFailsOverToTheSecond() throws Exception {
        TestRedis.flush();
        int deadPort = TestRedis.freePort();
        try (LoopbackProxy socks = new LoopbackProxy(LoopbackProxy.Kind.SOCKS5, null, null);
                RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", standIn.url(),
                        "binance.symbols", "ETHUSDT",
                        "binance.proxies", "socks5://127.0.0.1:" + deadPort + "," + socks.url(null, null)))) {
            IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
            await("the tick was stored via the second proxy", Duration.ofSeconds(20),
                    () -> metrics.storedCount("ETHUSDT") == 1);
            assertEquals(List.of("127.0.0.1:" + standIn.port()), socks.tunnels());
            JsonNode feed = feed(gateway);
            assertEquals("socks5://127.0.0.1:" + socks.port(), feed.get("proxy").asText());
            assertEquals(1, feed.get("failed_connects").asInt());
            assertTrue(feed.get("last_error").asText().startsWith("connect via socks5://127.0.0.1:" + deadPort));
        }
    }

    /** Two dead proxies, retried round after round: one line for each proxy's failure, not one per attempt. */
    @Test
    void aListOfDeadProxiesIsLoggedOncePerProxyNotOncePerAttempt() throws Exception {
        int deadA = TestRedis.freePort();
        int deadB = TestRedis.freePort();
        try (CapturedLog log = new CapturedLog(VenueFeed.class);
                RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", standIn.url(),
                        "binance.symbols", "ETHUSDT", "binance.reconnect.max-delay", "200ms",
                        "binance.proxies", "socks5://127.0.0.1:" + deadA + ",socks5://127.0.0.1:" + deadB))) {
            VenueFeed feed = gateway.bean(VenueFeed.BINANCE_BEAN, VenueFeed.class);
            await("twenty failed attempts", Duration.ofSeconds(30), () -> feed.getFailedConnects() >= 20);
            List<String> warnings = log.linesAt("WARN");
            assertEquals(2, warnings.size(), String.join("\n", warnings));
            assertTrue(warnings.get(0).contains("via socks5://127.0.0.1:" + deadA + " failed"), warnings.get(0));
            assertTrue(warnings.get(1).contains("via socks5://127.0.0.1:" + deadB + " failed"), warnings.get(1));
        }
    }

    private static JsonNode feed(RunningGateway gateway) {
        try {
            return gateway.getJson("/api/v1/health").get("data").get("feed");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
