package dev.marketdata;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import dev.marketdata.support.HeadlessChromium;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The live page at {@code /} in headless Chromium (Debian's {@code chromium}; skipped, with the reason, where it is
 * not installed), against the gateway replaying the project's demo recording in real time: with nothing typed it
 * follows every symbol the gateway does, and within seconds shows live prices pushed after it subscribed, the mock
 * badge of a symbol the recording lacks, and the consolidated best line.
 */
class LivePageIT {

    private static final Path DEMO = Path.of("demo", "binance-demo.ndjson");

    @BeforeEach
    void cleanRedis() {
        TestRedis.ensureStarted();
        TestRedis.flush();
    }

    @Test
    void thePageShowsLivePricesFromAReplay() throws Exception {
        String chromium = HeadlessChromium.installed();
        Assumptions.assumeTrue(chromium != null, "no chromium on this machine (apt-get install chromium)");
        java.util.Set<String> recordedBids = new java.util.HashSet<>();
        for (String line : Files.readAllLines(DEMO)) {
            com.fasterxml.jackson.databind.JsonNode frame = new com.fasterxml.jackson.databind.ObjectMapper()
                    .readTree(new com.fasterxml.jackson.databind.ObjectMapper().readTree(line).get("frame").asText());
            if (frame.get("stream").asText().equals("btcusdt@bookTicker")) {
                recordedBids.add(frame.get("data").get("b").asText());
            }
        }
        String dom;
        try (RunningGateway gateway = RunningGateway.start(Map.of("replay.file", DEMO.toAbsolutePath().toString(),
                "replay.speed", "1", "replay.loop", "true", "binance.symbols", "BTCUSDT,ETHUSDT,SOLUSDT,XRPUSDT"))) {
            await("replaying", Duration.ofSeconds(20), () -> TestRedis.get("tick:latest:BTCUSDT") != null);
            try (HeadlessChromium page = new HeadlessChromium(chromium, "http://127.0.0.1:" + gateway.port() + "/")) {
                long opened = System.nanoTime();
                String[] status = new String[1];
                await("a tick pushed to the page", Duration.ofSeconds(15), () -> {
                    try {
                        status[0] = page.evaluate("document.getElementById('status').textContent");
                        return status[0].startsWith("live: ");
                    } catch (Exception e) {
                        return false;
                    }
                });
                System.out.printf("live page: '%s' %d ms after it opened%n", status[0], (System.nanoTime() - opened) / 1_000_000);
                // A moment for the best line, worked out every 100 ms; read then, once.
                await("the best line", Duration.ofSeconds(5), () -> {
                    try {
                        return page.evaluate("document.querySelector('tr.best') ? 'y' : ''").equals("y");
                    } catch (Exception e) {
                        return false;
                    }
                });
                dom = page.evaluate("document.getElementById('rows').innerHTML");
            }
            java.util.regex.Matcher btc = java.util.regex.Pattern.compile(
                    "<td>binance</td><td>BTCUSDT</td><td class=\"bid\">([0-9.]+)</td><td class=\"ask\">([0-9.]+)</td><td class=\"(\\w+)\">").matcher(dom);
            assertTrue(btc.find(), dom);
            assertTrue(recordedBids.contains(btc.group(1)), "bid " + btc.group(1) + " is not a recorded one");
            assertEquals("fresh", btc.group(3));
            // XRPUSDT is not in the recording: a mock entry, badged.
            assertTrue(dom.contains("<td>XRPUSDT<span class=\"badge mock\">mock</span></td>"), dom);
            assertFalse(dom.contains("<td>BTCUSDT<span class=\"badge mock\">"), dom);
            assertTrue(java.util.regex.Pattern.compile("<td>best</td><td>BTC-USDT</td><td>[0-9.]+ \\(binance\\)</td>").matcher(dom).find(), dom);
        }
    }

    /** A gateway following 250 symbols: the page subscribes to all of them within the stream's message limits. */
    @Test
    void thePageFollowsAGatewayOfManySymbols() throws Exception {
        String chromium = HeadlessChromium.installed();
        Assumptions.assumeTrue(chromium != null, "no chromium on this machine (apt-get install chromium)");
        java.util.List<String> symbols = dev.marketdata.support.Frames.symbols(250);
        try (RunningGateway gateway = RunningGateway.start(Map.of("binance.ws.url", "ws://127.0.0.1:1/stream",
                "binance.max-url-length", "65536", "binance.symbols", String.join(",", symbols)));
                HeadlessChromium page = new HeadlessChromium(chromium, "http://127.0.0.1:" + gateway.port() + "/")) {
            await("250 rows and 250 best lines", Duration.ofSeconds(20), () -> {
                try {
                    return page.evaluate("document.querySelectorAll('tr.tick').length + '/' + document.querySelectorAll('tr.best').length")
                            .equals("250/250");
                } catch (Exception e) {
                    return false;
                }
            });
            assertEquals("connected", page.evaluate("document.getElementById('status').textContent"));
        }
    }
}
