package dev.marketdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import dev.marketdata.model.ProxySpec;
import dev.marketdata.model.StreamKind;
import org.junit.jupiter.api.Test;

class GatewaySettingsTest {

    private static GatewaySettings settings(Map<String, String> props, Map<String, String> env) {
        return GatewaySettings.from(props::get, env);
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        GatewaySettings s = settings(Map.of(), Map.of());
        assertEquals("wss://stream.binance.com:9443/stream", s.binance().url());
        assertEquals(List.of("BTCUSDT", "ETHUSDT", "SOLUSDT"), s.symbols());
        assertEquals(List.of(StreamKind.BOOK_TICKER), s.streams());
        assertEquals(List.of(ProxySpec.DIRECT), s.binance().proxies());
        assertEquals("localhost", s.redis().host());
        assertEquals(6379, s.redis().port());
        assertEquals(60, s.redis().tickTtlSeconds());
        assertEquals("btcusdt@bookTicker/ethusdt@bookTicker/solusdt@bookTicker", s.streamNames());
    }

    @Test
    void symbolsAreUpperCasedAndStreamsCombined() {
        GatewaySettings s = settings(Map.of("binance.symbols", " btcusdt, EthBtc ", "binance.streams", "bookTicker,miniTicker",
                "mock.price.ETHBTC", "0.05"), Map.of());
        assertEquals(List.of("BTCUSDT", "ETHBTC"), s.symbols());
        assertEquals("btcusdt@bookTicker/btcusdt@miniTicker/ethbtc@bookTicker/ethbtc@miniTicker", s.streamNames());
        assertEquals(Map.of("ETHBTC", new BigDecimal("0.05")), s.api().mockPrices());
    }

    @Test
    void proxiesAreParsedInOrderAndNeverShowTheirPassword() {
        GatewaySettings s = settings(Map.of("binance.proxies",
                "socks5://dev:p%40ss@10.0.0.1:1080, http://proxy.local:3128, socks4://10.0.0.2:1081, direct"), Map.of());
        assertEquals(4, s.binance().proxies().size());
        ProxySpec first = s.binance().proxies().get(0);
        assertEquals(ProxySpec.Type.SOCKS5, first.type());
        assertEquals("dev", first.username());
        assertEquals("p@ss", first.password());
        assertEquals("socks5://dev:***@10.0.0.1:1080", first.toString());
        assertEquals("http://proxy.local:3128", s.binance().proxies().get(1).toString());
        assertEquals(ProxySpec.Type.SOCKS4, s.binance().proxies().get(2).type());
        assertEquals(ProxySpec.DIRECT, s.binance().proxies().get(3));
    }

    /** The global proxies serve every venue; binance.proxies, when set, is Binance's own and wins for it. */
    @Test
    void theGlobalProxiesServeBinanceUnlessItHasItsOwn() {
        assertEquals("socks5://gw:1080", settings(Map.of("proxies", "socks5://gw:1080"), Map.of()).binance().proxies().get(0).toString());
        assertEquals("http://own:3128", settings(Map.of("proxies", "socks5://gw:1080", "binance.proxies", "http://own:3128"),
                Map.of()).binance().proxies().get(0).toString());
        // Over the environment's ALL_PROXY too.
        assertEquals("socks5://gw:1080", settings(Map.of("proxies", "socks5://gw:1080"), Map.of("ALL_PROXY", "socks5://env:1"))
                .binance().proxies().get(0).toString());
        // Its errors name it, and hide its passwords.
        assertEquals("Invalid proxies: 'ftp://u:***@h:1' has scheme 'ftp'; use socks5://, socks4://, http:// or direct",
                message(Map.of("proxies", "ftp://u:topsecret@h:1")));
        assertEquals("Invalid proxies-file '/no/such/file': cannot be read (NoSuchFileException)",
                message(Map.of("proxies-file", "/no/such/file")));
    }

    @Test
    void theEnvironmentProxyIsUsedWhenNoneIsConfigured() {
        Map<String, String> env = new HashMap<>();
        env.put("HTTPS_PROXY", "http://corp:3128");
        assertEquals("http://corp:3128", settings(Map.of(), env).binance().proxies().get(0).toString());
        env.put("ALL_PROXY", "socks5://gw:1080");
        assertEquals("socks5://gw:1080", settings(Map.of(), env).binance().proxies().get(0).toString());
        assertEquals("direct", settings(Map.of("binance.proxies", "direct"), env).binance().proxies().get(0).toString());
    }

    @Test
    void badValuesStopStartUpNamingThePropertyAndHidingSecrets() {
        assertEquals("Invalid binance.proxies: 'ftp://u:***@h:1' has scheme 'ftp'; use socks5://, socks4://, http:// or direct",
                message(Map.of("binance.proxies", "ftp://u:topsecret@h:1")));
        assertFalse(message(Map.of("binance.proxies", "socks5://u:topsecret@h")).contains("topsecret"));
        // Typos that are not URLs at all still hide the password.
        assertEquals("Invalid binance.proxies: '***@127.0.0.1:1080' has scheme 'user'; use socks5://, socks4://, http:// or direct",
                message(Map.of("binance.proxies", "user:topsecret@127.0.0.1:1080")));
        for (String typo : List.of("socks5:/u:topsecret@h:1", "socks5:u:topsecret@h:1", "socks5//u:topsecret@h:1",
                "socks5://u:top@secret@h:1")) {
            assertFalse(message(Map.of("binance.proxies", typo)).contains("secret"), typo);
        }
        assertEquals("Invalid binance.streams 'bookTicker,depth': 'depth' is not one of bookTicker, ticker, miniTicker",
                message(Map.of("binance.streams", "bookTicker,depth")));
        assertEquals("Invalid binance.symbols ',': lists no symbol", message(Map.of("binance.symbols", " , ")));
        assertEquals("Invalid binance.symbols 'BTC_USDT': 'BTC_USDT' is not BASE-QUOTE or BASE-QUOTE-PERP (letters and"
                + " digits, for example BTC-USDT) or BTCUSDT", message(Map.of("binance.symbols", "BTC_USDT")));
        assertEquals("Invalid redis.port '70000': must be between 1 and 65535", message(Map.of("redis.port", "70000")));
        assertEquals("Invalid tick.ttl.seconds '-5': must be between 1 and 2592000", message(Map.of("tick.ttl.seconds", "-5")));
        assertEquals("Invalid binance.ws.url 'http://x': must be a ws:// or wss:// URL without a query",
                message(Map.of("binance.ws.url", "http://x")));
        assertEquals("Invalid mock.price.BTCUSDT 'abc': must be a positive decimal",
                message(Map.of("mock.price.BTCUSDT", "abc")));
    }

    @Test
    void secretsComeFromFilesAsWell() throws Exception {
        Path dir = Files.createTempDirectory("secrets");
        Path password = Files.writeString(dir.resolve("redis-password"), "s3 cret\r\n");
        Path proxies = Files.writeString(dir.resolve("proxies"), "# primary\nsocks5://dev:p4ss@10.0.0.1:1080\n\n  direct  \n");
        GatewaySettings s = settings(Map.of("redis.password-file", password.toString(),
                "binance.proxies-file", proxies.toString()), Map.of());
        assertEquals("s3 cret", s.redis().password());
        assertEquals("[socks5://dev:***@10.0.0.1:1080, direct]", s.binance().proxies().toString());
        assertEquals("p4ss", s.binance().proxies().get(0).password());
        assertEquals("Invalid redis.password-file '" + password + "': is set as well as redis.password; set one of them",
                message(Map.of("redis.password-file", password.toString(), "redis.password", "x")));
        assertEquals("Invalid binance.proxies-file '" + dir.resolve("missing") + "': cannot be read (NoSuchFileException)",
                message(Map.of("binance.proxies-file", dir.resolve("missing").toString())));
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        assertEquals("Invalid redis.password-file '" + empty + "': is empty", message(Map.of("redis.password-file", empty.toString())));
    }

    @Test
    void sentinelSettingsAreReadAndTheirPasswordNeverShown() throws Exception {
        assertFalse(settings(Map.of(), Map.of()).redis().sentinel().on(), "off by default");
        Path password = Files.writeString(Files.createTempDirectory("secrets").resolve("sentinel-password"), "s3ntinel pw\n");
        RedisSettings r = settings(Map.of("redis.sentinel.master", " mymaster ",
                "redis.sentinel.nodes", " 10.0.0.5:26379, sentinel-2.local:26380 ,,[::1]:26381 ",
                "redis.sentinel.password-file", password.toString(), "redis.password", "m4ster pw"), Map.of()).redis();
        assertEquals("mymaster", r.sentinel().master());
        assertEquals(List.of(new RedisSettings.Node("10.0.0.5", 26379), new RedisSettings.Node("sentinel-2.local", 26380),
                new RedisSettings.Node("::1", 26381)), r.sentinel().nodes());
        assertEquals("s3ntinel pw", r.sentinel().password());
        assertEquals("m4ster pw", r.password());
        assertEquals("sentinel master 'mymaster' via [10.0.0.5:26379, sentinel-2.local:26380, [::1]:26381] (sentinel password ***)"
                + " db 0 user= password=*** ttl=60s", r.toString());
        assertEquals("Invalid redis.sentinel.password-file '" + password + "': is set as well as redis.sentinel.password; "
                + "set one of them", message(Map.of("redis.sentinel.master", "m", "redis.sentinel.nodes", "h:1",
                "redis.sentinel.password-file", password.toString(), "redis.sentinel.password", "x")));
    }

    @Test
    void badSentinelSettingsAreNamed() {
        assertEquals("Invalid redis.sentinel.nodes '': lists no sentinel; redis.sentinel.master is set, so list its sentinels "
                + "as host:port,host:port", message(Map.of("redis.sentinel.master", "mymaster")));
        assertEquals("Invalid redis.sentinel.nodes ',': lists no sentinel; redis.sentinel.master is set, so list its "
                + "sentinels as host:port,host:port", message(Map.of("redis.sentinel.master", "mymaster", "redis.sentinel.nodes", " , ")));
        assertEquals("Invalid redis.sentinel.master '': redis.sentinel.nodes is set; name the master the sentinels watch, or "
                + "empty redis.sentinel.nodes to use redis.host", message(Map.of("redis.sentinel.nodes", "10.0.0.5:26379")));
        assertEquals("Invalid redis.sentinel.master 'my master': must be the master's name as the sentinels know it (up to "
                + "128 printable characters, no spaces)", message(Map.of("redis.sentinel.master", "my master",
                "redis.sentinel.nodes", "10.0.0.5:26379")));
        assertEquals("Invalid redis.sentinel.nodes '10.0.0.5:26379,10.0.0.6': '10.0.0.6' is not host:port (a sentinel's "
                + "address, for example 10.0.0.5:26379 or [::1]:26379)", message(Map.of("redis.sentinel.master", "mymaster",
                "redis.sentinel.nodes", "10.0.0.5:26379,10.0.0.6")));
        assertEquals("Invalid redis.sentinel.nodes '::1:26379': '::1:26379' is not host:port (a sentinel's address, for "
                + "example 10.0.0.5:26379 or [::1]:26379)", message(Map.of("redis.sentinel.master", "mymaster",
                "redis.sentinel.nodes", "::1:26379")));
        assertEquals("Invalid redis.sentinel.nodes '10.0.0.5:70000': '10.0.0.5:70000' has port 70000; a port is 1-65535",
                message(Map.of("redis.sentinel.master", "mymaster", "redis.sentinel.nodes", "10.0.0.5:70000")));
        assertEquals("Invalid redis.sentinel.nodes 'h:0': 'h:0' has port 0; a port is 1-65535",
                message(Map.of("redis.sentinel.master", "mymaster", "redis.sentinel.nodes", "h:0")));
        assertEquals("Invalid redis.sentinel.nodes 'h:26379, h:26379': names h:26379 twice",
                message(Map.of("redis.sentinel.master", "mymaster", "redis.sentinel.nodes", "h:26379, h:26379")));
    }

    @Test
    void newBoundsAreChecked() {
        GatewaySettings s = settings(Map.of(), Map.of());
        assertEquals(5_000, s.redis().sequenceResetAfterMillis());
        assertEquals(5_000, s.redis().shutdownFlushMillis());
        assertEquals(60_000, s.quality().alertClearAfterMillis());
        // Any number of symbols: 3,000 symbols times 3 kinds are fine; the consumer splits them.
        StringBuilder many = new StringBuilder();
        for (int i = 0; i < 3_000; i++) {
            many.append(String.format("S%04dUSDT,", i));
        }
        assertEquals(3_000, settings(Map.of("binance.symbols", many.toString(), "binance.streams",
                "bookTicker,ticker,miniTicker"), Map.of()).symbols().size());
        assertEquals("Invalid binance.max-streams-per-connection 'abc': is not a whole number",
                message(Map.of("binance.max-streams-per-connection", "abc")));
        assertEquals("Invalid binance.max-streams-per-connection '5000': must be between 1 and 1024",
                message(Map.of("binance.max-streams-per-connection", "5000")));
        assertEquals("Invalid binance.max-url-length '100': must be between 256 and 65536",
                message(Map.of("binance.max-url-length", "100")));
        assertEquals("Invalid tick.sequence-reset-after 'soon': is not a duration such as 500ms, 30s or 23h30m",
                message(Map.of("tick.sequence-reset-after", "soon")));
        assertEquals("Invalid binance.idle-timeout '30': must be between 100ms and 1h (a number alone means milliseconds: "
                + "write 30s for 30 seconds)", message(Map.of("binance.idle-timeout", "30")));
        assertEquals("Invalid binance.max-connection-age '25h': must be between 1s and 23h59m",
                message(Map.of("binance.max-connection-age", "25h")));
        assertEquals("Invalid redis.reconcile-interval 'abc': is not a duration such as 500ms, 30s or 23h30m",
                message(Map.of("redis.reconcile-interval", "abc")));
        assertEquals("Invalid quality.check-interval-ms '-5': must be between 50 and 3600000",
                message(Map.of("quality.check-interval-ms", "-5")));
        assertEquals(5_415_000L, GatewaySettings.parseDuration("1h30m15s"));
        assertEquals(250L, GatewaySettings.parseDuration("250ms"));
        assertEquals(1_500L, GatewaySettings.parseDuration("1s500ms"));
        assertEquals(86_400_000L, GatewaySettings.parseDuration("1d"));
        for (String bad : List.of("", "abc", "5 s", "-5s", "1.5s", "s", "10x")) {
            assertEquals(-1L, GatewaySettings.parseDuration(bad), bad);
        }
    }

    private static String message(Map<String, String> props) {
        return assertThrows(IllegalArgumentException.class, () -> settings(props, Map.of())).getMessage();
    }

    @Test
    void everyVenueIsOneBlockOfPropertiesMappedToItsOwnIds() {
        GatewaySettings s = settings(props("exchanges", "okx, binance,bybit,coinbase,htx",
                "binance.symbols", "BTC-USDT,ethusdt", "okx.symbols", "btc-usdt,BTC-USDT-PERP",
                "bybit.symbols", "BTC-USDT,BTC-USDT-PERP", "coinbase.symbols", "BTC-USD", "htx.symbols", "BTC-USDT",
                "proxies", "socks5://127.0.0.1:1080", "htx.proxies", "direct", "feed.idle-timeout", "45s",
                "okx.idle-timeout", "10s", "mock.price.BTCUSDT", "50000"), Map.of());
        assertEquals(List.of("okx", "binance", "bybit", "coinbase", "htx"), s.feeds().stream().map(FeedSettings::id).toList());
        assertEquals(List.of("okx:BTC-USDT", "okx:BTC-USDT-PERP", "binance:BTC-USDT", "ETHUSDT", "bybit:BTC-USDT",
                "bybit:BTC-USDT-PERP", "coinbase:BTC-USD", "htx:BTC-USDT"), s.followedKeys());
        assertEquals(List.of("BTC-USDT", "BTC-USDT-SWAP", "BTCUSDT", "ETHUSDT", "BTCUSDT", "BTCUSDT", "BTC-USD", "btcusdt"),
                s.instruments().stream().map(dev.marketdata.model.Instrument::nativeSymbol).toList());
        assertEquals(List.of("BTC-USDT", "BTC-USDT-PERP", "BTC-USDT", "ETH-USDT", "BTC-USDT", "BTC-USDT-PERP", "BTC-USD",
                "BTC-USDT"), s.instruments().stream().map(dev.marketdata.model.Instrument::normalized).toList());
        assertEquals("socks5://127.0.0.1:1080", s.feed(dev.marketdata.model.Venue.OKX).proxies().get(0).toString());
        assertEquals("direct", s.feed(dev.marketdata.model.Venue.HTX).proxies().get(0).toString());
        assertEquals(10_000L, s.feed(dev.marketdata.model.Venue.OKX).timing().idleMillis());
        assertEquals(45_000L, s.feed(dev.marketdata.model.Venue.BYBIT).timing().idleMillis());
        // One Binance-form price serves the instrument on every venue; the quote USD is another instrument.
        assertEquals(new java.math.BigDecimal("50000"), s.api().mockPrices().get("okx:BTC-USDT"));
        assertEquals(new java.math.BigDecimal("50000"), s.api().mockPrices().get("binance:BTC-USDT"));
        assertEquals(null, s.api().mockPrices().get("coinbase:BTC-USD"));
        assertEquals(null, s.api().mockPrices().get("okx:BTC-USDT-PERP"));
    }

    private static Map<String, String> props(String... pairs) {
        Map<String, String> out = new java.util.HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(pairs[i], pairs[i + 1]);
        }
        return out;
    }

    /** A venue not among the exchanges is not read; the shared lifecycle settings are named as given. */
    @Test
    void onlyTheEnabledVenuesAreReadAndSharedSettingsNamedAsGiven() {
        GatewaySettings okxOnly = settings(props("exchanges", "okx", "binance.symbols", "BTC-USDT-PERP",
                "binance.proxies", "ftp://x:1", "binance.max-url-length", "abc"), Map.of());
        assertEquals(null, okxOnly.binance());
        assertEquals(List.of("okx:BTC-USDT", "okx:ETH-USDT"), okxOnly.followedKeys());
        assertEquals(List.of(), okxOnly.symbols());
        assertEquals("Invalid feed.reconnect.max-delay '5s': must not be below feed.reconnect.initial-delay (10s)",
                message(props("exchanges", "okx", "feed.reconnect.initial-delay", "10s", "feed.reconnect.max-delay", "5s")));
        // Credentials in a venue URL are refused, the password never shown.
        assertEquals("Invalid okx.ws.url 'wss://u:***@ws.okx.com/ws': must not carry credentials (user:password@): the"
                + " venues' public streams take none", message(props("exchanges", "okx", "okx.ws.url", "wss://u:topsecret@ws.okx.com/ws")));
        assertEquals("Invalid okx.reconnect.max-delay '5s': must not be below feed.reconnect.initial-delay (10s)",
                message(props("exchanges", "okx", "feed.reconnect.initial-delay", "10s", "okx.reconnect.max-delay", "5s")));
    }
}
