package dev.marketdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/** The packaged jar, started as an operator would with a bad setting: one line, exit code 2, no secret. */
class ConfigurationErrorIT {

    @Test
    void aBadSettingStopsStartUpWithOneClearLine() throws Exception {
        assertStopsWith("-Dbinance.streams=bookTicker,depth",
                "market-data: not started: Invalid binance.streams 'bookTicker,depth': 'depth' is not one of bookTicker, ticker, miniTicker");
        assertStopsWith("-Dbinance.proxies=ftp://ops:hunter2@proxy:21",
                "market-data: not started: Invalid binance.proxies: 'ftp://ops:***@proxy:21' has scheme 'ftp'; use socks5://, socks4://, http:// or direct");
        assertStopsWith("-Dcamel.server.port=70000",
                "market-data: not started: Invalid camel.server.port '70000': must be between 0 and 65535");
        assertStopsWith("-Dtick.ttl.seconds=-1",
                "market-data: not started: Invalid tick.ttl.seconds '-1': must be between 1 and 2592000");
    }

    private static void assertStopsWith(String property, String expectedLine) throws Exception {
        File out = Files.createTempFile("market-data", ".log").toFile();
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                property, "-Dredis.embedded=false", "-jar", "target/market-data.jar")
                .redirectErrorStream(true).redirectOutput(out).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the gateway did not stop");
        assertEquals(2, p.exitValue());
        List<String> lines = Files.readAllLines(out.toPath());
        assertEquals(List.of(expectedLine), lines.stream().filter(l -> l.contains("not started")).toList());
        String all = String.join("\n", lines);
        assertFalse(all.contains("Exception"), all);
        assertFalse(all.contains("hunter2"), all);
    }
}
