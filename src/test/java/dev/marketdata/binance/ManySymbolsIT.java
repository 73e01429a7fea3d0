package dev.marketdata.binance;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import dev.marketdata.feed.VenueFeed;
import dev.marketdata.pipeline.IngestMetrics;
import dev.marketdata.support.Frames;
import dev.marketdata.support.RawBinanceServer;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.Test;

/**
 * Any number of symbols: 2,000 symbols start and deliver against a stand-in that refuses request lines
 * longer than 8 KB, as servers and proxies commonly do; and a server with a tighter limit gets a log line
 * and health error that say which property to lower.
 */
class ManySymbolsIT {

    @Test
    void twoThousandSymbolsAreSplitOverConnectionsWithShortUrlsAndAllDeliver() throws Exception {
        TestRedis.flush();
        List<String> symbols = Frames.symbols(2_000);
        try (RawBinanceServer binance = new RawBinanceServer()) {
            binance.refuseRequestTargetsLongerThan(8_192);
            try (RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", binance.url(),
                    "binance.symbols", String.join(",", symbols)))) {
                IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
                VenueFeed feed = gateway.bean(VenueFeed.BINANCE_BEAN, VenueFeed.class);
                // 20-character stream names plus '/', at most 7,000 characters of path and query: 332 a connection.
                await("7 connections", Duration.ofSeconds(30), () -> binance.open().size() == 7 && feed.isConnected());
                assertEquals(0, binance.refusedTooLong());
                Set<String> subscribed = new HashSet<>();
                for (RawBinanceServer.Conn conn : binance.open()) {
                    assertTrue(conn.uri.length() <= 7_000, "request target of " + conn.uri.length() + " characters");
                    assertTrue(conn.streams().size() <= 1024);
                    int before = subscribed.size();
                    subscribed.addAll(conn.streams());
                    assertEquals(before + conn.streams().size(), subscribed.size(), "a stream on two connections");
                }
                Set<String> expected = new HashSet<>();
                symbols.forEach(s -> expected.add(s.toLowerCase() + "@bookTicker"));
                assertEquals(expected, subscribed);

                for (int i = 0; i < symbols.size(); i++) {
                    binance.publish(Frames.bookTicker(symbols.get(i), 1_000 + i));
                }
                await("every symbol stored once", Duration.ofSeconds(60),
                        () -> metrics.settledCount(symbols) == symbols.size());
                for (String symbol : symbols) {
                    assertEquals(1.0, metrics.storedCount(symbol), symbol);
                }
                assertEquals(0.0, metrics.droppedStaleCount());
                JsonNode list = gateway.getJson("/api/v1/tickers").get("data");
                assertEquals(2_000, list.size());
                for (int i = 0; i < symbols.size(); i++) {
                    assertEquals(symbols.get(i), list.get(i).get("symbol").asText());
                    assertEquals(1_000 + i, list.get(i).get("update_id").asLong());
                    assertFalse(list.get(i).get("_mock").asBoolean());
                }
            }
        }
    }

    @Test
    void aServerThatRefusesTheUrlAsTooLongNamesThePropertyToLower() throws Exception {
        TestRedis.flush();
        List<String> symbols = Frames.symbols(200);
        try (RawBinanceServer binance = new RawBinanceServer()) {
            binance.refuseRequestTargetsLongerThan(1_000);
            try (RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", binance.url(),
                    "binance.symbols", String.join(",", symbols)))) {
                VenueFeed feed = gateway.bean(VenueFeed.BINANCE_BEAN, VenueFeed.class);
                await("refused", Duration.ofSeconds(20), () -> binance.refusedTooLong() >= 1 && !feed.getLastError().isEmpty());
                assertEquals("connect via direct failed: the server refused the connection URL as too long (HTTP 414): "
                        + "lower binance.max-url-length", feed.getLastError());
                assertTrue(gateway.getJson("/api/v1/health").get("data").get("feed").get("last_error").asText()
                        .contains("binance.max-url-length"));
            }
            try (RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", binance.url(),
                    "binance.symbols", String.join(",", symbols), "binance.max-url-length", "1000"))) {
                VenueFeed feed = gateway.bean(VenueFeed.BINANCE_BEAN, VenueFeed.class);
                // (1000 - 16 + 1) / 21 = 46 streams a connection: 5 connections for 200.
                await("connected in 5 connections", Duration.ofSeconds(30),
                        () -> feed.isConnected() && binance.open().size() == 5);
            }
        }
    }
}
