package dev.marketdata;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.exchange.bybit.BybitProtocol;
import dev.marketdata.exchange.okx.OkxProtocol;
import dev.marketdata.feed.VenueFeed;
import dev.marketdata.support.BinanceStandIn;
import dev.marketdata.support.LoopbackProxy;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import dev.marketdata.support.VenueRecordings;
import dev.marketdata.support.VenueStandIn;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import redis.clients.jedis.Jedis;

/**
 * All five venues at once, as an integration engineer enables them: one stand-in per protocol on loopback (each
 * insisting on its venue's subscribe rules, HTX on its pongs), every connection through one SOCKS5 proxy, one real
 * Redis. Every key holds the newest tick of its venue, as computed from the frames sent; the REST API lists one
 * entry per (exchange, symbol); the consolidated best matches the same computation; a venue cut off degrades only
 * its own health.
 */
class FiveVenuesIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void cleanRedis() {
        TestRedis.ensureStarted();
        TestRedis.flush();
    }

    /** Every venue enabled, none reachable: one mock entry per (exchange, symbol), flagged, and no best price. */
    @Test
    void offlineEveryVenueHasItsOwnMockEntries() throws Exception {
        try (RunningGateway gateway = RunningGateway.start(venues("ws://127.0.0.1:1/stream", "ws://127.0.0.1:1/ws/v5/public",
                "ws://127.0.0.1:1/v5/public", "ws://127.0.0.1:1", "ws://127.0.0.1:1/ws", Map.of("proxies", "direct")))) {
            JsonNode data = gateway.getJson("/api/v1/tickers").get("data");
            List<String> entries = new ArrayList<>();
            for (JsonNode entry : data) {
                assertEquals(true, entry.get("_mock").asBoolean(), entry.toString());
                entries.add(entry.get("exchange").asText() + " " + entry.get("symbol").asText() + " "
                        + entry.get("native_symbol").asText() + " " + entry.get("market").asText() + " " + entry.get("price").asText());
            }
            assertEquals(List.of("binance BTC-USDT BTCUSDT spot 50000.00", "binance ETH-USDT ETHUSDT spot 3000.00",
                    "okx BTC-USDT BTC-USDT spot 50000.00", "bybit BTC-USDT BTCUSDT spot 50000.00",
                    "coinbase BTC-USD BTC-USD spot 1.00000000", "coinbase ETH-USD ETH-USD spot 1.00000000",
                    "htx BTC-USDT btcusdt spot 50000.00"), entries);
            assertEquals(List.of("okx"), texts(gateway.getJson("/api/v1/tickers?exchange=okx").get("data"), "exchange"));
            assertEquals(List.of("binance", "okx", "bybit", "htx"),
                    texts(gateway.getJson("/api/v1/tickers/btc-usdt").get("data"), "exchange"));
            assertEquals(List.of("binance", "okx", "bybit", "htx"),
                    texts(gateway.getJson("/api/v1/tickers/BTCUSDT").get("data"), "exchange"));
            JsonNode best = gateway.getJson("/api/v1/best/BTC-USDT").get("data");
            assertEquals("null", best.get("bid").toString());
            assertEquals("null", best.get("ask").toString());
            assertEquals(List.of("cache_miss", "cache_miss", "cache_miss", "cache_miss"), texts(best.get("excluded"), "reason"));
            assertEquals(404, gateway.status("/api/v1/best/XRP-USDT"));
            assertEquals(400, gateway.status("/api/v1/tickers?exchange=kraken"));
            JsonNode health = gateway.getJson("/api/v1/health").get("data");
            assertEquals("degraded", health.get("status").asText());
            assertEquals(List.of("binance", "okx", "bybit", "coinbase", "htx"), fieldNames(health.get("feeds")));
        }
    }

    /**
     * A venue not among the exchanges is not read: its bad settings (even those its stopped route binds) neither
     * stop start-up nor show; and the API's odd but harmless queries and methods get their documented answers.
     */
    @Test
    void aVenueNotListedIsNotReadAndTheQueriesHoldUp() throws Exception {
        try (RunningGateway gateway = RunningGateway.start(Map.of("exchanges", "okx", "okx.ws.url", "ws://127.0.0.1:1/ws",
                "binance.ws.url", "http://not-a-websocket", "binance.max-url-length", "abc",
                "binance.max-streams-per-connection", "0", "binance.symbols", "BTC-USDT-PERP", "htx.ws.url", ""))) {
            assertEquals(List.of("okx", "okx"), texts(gateway.getJson("/api/v1/tickers?exchange=okx&").get("data"), "exchange"));
            assertEquals(List.of("okx", "okx"), texts(gateway.getJson("/api/v1/tickers?%65xchange=OKX").get("data"), "exchange"));
            // Binance's form names BTC-USDT without Binance too.
            assertEquals(List.of("okx"), texts(gateway.getJson("/api/v1/tickers/BTCUSDT").get("data"), "exchange"));
            java.net.http.HttpResponse<String> post = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                    .newBuilder(java.net.URI.create("http://127.0.0.1:" + gateway.port() + "/api/v1/best/BTC-USDT"))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
            assertEquals("GET", post.headers().firstValue("Allow").orElse(""));
            assertEquals(List.of("okx"), fieldNames(gateway.getJson("/api/v1/health").get("data").get("feeds")));
        }
    }

    @Test
    @EnabledIf(value = "dev.marketdata.support.VenueRecordings#available", disabledReason = VenueRecordings.MISSING)
    void allFiveThroughOneSocksProxyIntoOneRedis() throws Exception {
        // Binance: two book tops per symbol, the second newer (a higher update id).
        List<String> binanceFrames = List.of(
                bookTicker("BTCUSDT", 100, "30000.10", "1.5", "30000.30", "2"),
                bookTicker("BTCUSDT", 101, "30000.20", "1.25", "30000.40", "0.5"),
                bookTicker("ETHUSDT", 7, "2000.01", "3", "2000.02", "4"));
        // OKX: its recorded tickers; the newest BTC-USDT tick is the one with the highest ts.
        List<VenueStandIn.Frame> okxFrames = VenueRecordings.frames(VenueRecordings.OKX, r -> true);
        JsonNode okxNewest = okxNewest(okxFrames);
        BigDecimal okxAsk = new BigDecimal(okxNewest.get("askPx").asText());
        // Bybit: its recorded spot frames (level-200 books and tickers, not subscribed), then Bybit's documented
        // orderbook.1 snapshot.
        List<VenueStandIn.Frame> bybitFrames = new ArrayList<>(VenueRecordings.frames(VenueRecordings.BYBIT, r -> r.connection().endsWith("/spot")));
        bybitFrames.add(new VenueStandIn.Frame("{\"topic\":\"orderbook.1.BTCUSDT\",\"type\":\"snapshot\",\"ts\":1672304484978,"
                + "\"data\":{\"s\":\"BTCUSDT\",\"b\":[[\"16493.50\",\"0.006\"]],\"a\":[[\"16611.00\",\"0.029\"]],\"u\":18521288,"
                + "\"seq\":7961638724},\"cts\":1672304484976}", false));
        // HTX: a bbo push in its documented form, gzip, bidding above OKX's ask (so the consolidated book is crossed).
        String htxBid = okxAsk.add(new BigDecimal("5")).toPlainString();
        String htxAsk = okxAsk.add(new BigDecimal("6")).toPlainString();
        List<VenueStandIn.Frame> htxFrames = List.of(new VenueStandIn.Frame("{\"ch\":\"market.btcusdt.bbo\",\"ts\":1618678069870,"
                + "\"tick\":{\"seqId\":103273695595,\"ask\":" + htxAsk + ",\"askSize\":0.75,\"bid\":" + htxBid + ",\"bidSize\":1.25,"
                + "\"quoteTime\":1618678069860,\"symbol\":\"btcusdt\"}}", true));
        List<VenueStandIn.Frame> coinbaseFrames = VenueRecordings.frames(VenueRecordings.COINBASE, r -> true);

        try (LoopbackProxy socks = new LoopbackProxy(LoopbackProxy.Kind.SOCKS5, null, null);
                BinanceStandIn binance = new BinanceStandIn(binanceFrames);
                VenueStandIn okx = new VenueStandIn()
                        .requireSubscriptions("op:subscribe of at most 64 KB", m -> m.startsWith("{\"op\":\"subscribe\"")
                                && m.length() <= OkxProtocol.MAX_MESSAGE_BYTES)
                        .replayOnSubscribe(uri -> okxFrames);
                VenueStandIn bybit = new VenueStandIn()
                        .requireSubscriptions("at most 10 args", m -> m.startsWith("{\"op\":\"subscribe\"")
                                && args(m) <= BybitProtocol.MAX_ARGS_PER_MESSAGE)
                        .replayOnSubscribe(uri -> uri.endsWith("/spot") ? bybitFrames : List.of());
                VenueStandIn coinbase = new VenueStandIn()
                        .requireSubscriptions("one channel per message", m -> m.contains("\"channel\":") && !m.contains("\"channels\""))
                        .replayOnSubscribe(uri -> coinbaseFrames);
                VenueStandIn htx = new VenueStandIn()
                        .requireSubscriptions("one sub per message", m -> m.matches("\\{\"sub\":\"market\\.btcusdt\\.bbo\",\"id\":\"\\d+\"}"))
                        .htxPings(500, 2_000)
                        .replayOnSubscribe(uri -> htxFrames);
                RunningGateway gateway = RunningGateway.start(venues(binance.url(), okx.url("/ws/v5/public"),
                        bybit.url("/v5/public"), coinbase.url(""), htx.url("/ws"), Map.of("proxies", socks.url(null, null))))) {
            Map<String, String> expectedBid = new LinkedHashMap<>();
            expectedBid.put("binance:BTC-USDT", "30000.20");
            expectedBid.put("binance:ETH-USDT", "2000.01");
            expectedBid.put("okx:BTC-USDT", okxNewest.get("bidPx").asText());
            expectedBid.put("bybit:BTC-USDT", "16493.50");
            expectedBid.put("htx:BTC-USDT", htxBid);
            await("every venue's newest tick in Redis", Duration.ofSeconds(30), () -> {
                try (Jedis redis = TestRedis.client()) {
                    return expectedBid.entrySet().stream().allMatch(e -> e.getValue().equals(bid(redis.get("tick:latest:" + e.getKey()))))
                            && redis.get("tick:latest:coinbase:BTC-USD") != null && redis.get("tick:latest:coinbase:ETH-USD") != null;
                }
            });
            try (Jedis redis = TestRedis.client()) {
                // Binance's original key, written beside the venue key while redis.legacy-keys is on, as the original
                // contract names the tick (and guarded on its own, tick:seq:BTCUSDT).
                assertEquals(redis.get("tick:latest:binance:BTC-USDT").replace("{\"symbol\":\"BTC-USDT\"", "{\"symbol\":\"BTCUSDT\""),
                        redis.get("tick:latest:BTCUSDT"));
                assertEquals(true, redis.exists("tick:seq:BTCUSDT"));
                JsonNode okxTick = JSON.readTree(redis.get("tick:latest:okx:BTC-USDT"));
                assertEquals(okxNewest.get("ts").asLong(), okxTick.get("event_time").asLong());
                assertEquals("BTC-USDT", okxTick.get("native_symbol").asText());
                JsonNode htxTick = JSON.readTree(redis.get("tick:latest:htx:BTC-USDT"));
                assertEquals("btcusdt", htxTick.get("native_symbol").asText());
                assertEquals("0.75", htxTick.get("ask_qty").asText());
                assertEquals(newestCoinbase(coinbaseFrames, "BTC-USD"),
                        JSON.readTree(redis.get("tick:latest:coinbase:BTC-USD")).get("price").asText());
            }
            // Every connection went through the proxy: one tunnel to each stand-in at least.
            for (int port : new int[] { binance.port(), port(okx.url("")), port(bybit.url("")), port(coinbase.url("")),
                    port(htx.url("")) }) {
                assertTrue(socks.tunnels().stream().anyMatch(t -> t.endsWith(":" + port)), port + " in " + socks.tunnels());
            }

            // Every venue's live entries, and the consolidated best, follow the published OpenAPI document.
            JsonNode api = gateway.getJson("/api/v1/openapi.json");
            dev.marketdata.api.OpenApiIT.Validator validator = new dev.marketdata.api.OpenApiIT.Validator(api);
            assertEquals(List.of(), validator.errors(dev.marketdata.api.OpenApiIT.schemaOf(api, "/api/v1/tickers", 200),
                    gateway.getJson("/api/v1/tickers")));
            assertEquals(List.of(), validator.errors(dev.marketdata.api.OpenApiIT.schemaOf(api, "/api/v1/best/{symbol}", 200),
                    gateway.getJson("/api/v1/best/BTC-USDT")));
            assertEquals(List.of(), validator.errors(dev.marketdata.api.OpenApiIT.schemaOf(api, "/api/v1/health", 200),
                    gateway.getJson("/api/v1/health")));
            JsonNode all = gateway.getJson("/api/v1/tickers").get("data");
            assertEquals(List.of("binance", "binance", "okx", "bybit", "coinbase", "coinbase", "htx"), texts(all, "exchange"));
            for (JsonNode entry : all) {
                assertEquals(false, entry.get("_mock").asBoolean(), entry.toString());
            }
            JsonNode btc = gateway.getJson("/api/v1/tickers/BTC-USDT").get("data");
            assertEquals(List.of("binance", "okx", "bybit", "htx"), texts(btc, "exchange"));
            assertEquals(List.of("30000.20", okxNewest.get("bidPx").asText(), "16493.50", htxBid), texts(btc, "bid"));

            // The consolidated best, computed here from the frames sent: the highest bid, the lowest ask.
            Map<String, BigDecimal[]> book = new LinkedHashMap<>();
            book.put("binance", new BigDecimal[] { new BigDecimal("30000.20"), new BigDecimal("30000.40") });
            book.put("okx", new BigDecimal[] { new BigDecimal(okxNewest.get("bidPx").asText()), okxAsk });
            book.put("bybit", new BigDecimal[] { new BigDecimal("16493.50"), new BigDecimal("16611.00") });
            book.put("htx", new BigDecimal[] { new BigDecimal(htxBid), new BigDecimal(htxAsk) });
            String bestBidVenue = book.entrySet().stream().max((a, b) -> a.getValue()[0].compareTo(b.getValue()[0])).get().getKey();
            String bestAskVenue = book.entrySet().stream().min((a, b) -> a.getValue()[1].compareTo(b.getValue()[1])).get().getKey();
            JsonNode best = gateway.getJson("/api/v1/best/BTC-USDT").get("data");
            assertEquals("BTC-USDT", best.get("symbol").asText());
            assertEquals(bestBidVenue, best.at("/bid/exchange").asText());
            assertEquals(book.get(bestBidVenue)[0].toPlainString(), best.at("/bid/price").asText());
            assertEquals(bestAskVenue, best.at("/ask/exchange").asText());
            assertEquals(book.get(bestAskVenue)[1].toPlainString(), best.at("/ask/price").asText());
            assertEquals(book.get(bestAskVenue)[1].subtract(book.get(bestBidVenue)[0]).toPlainString(), best.get("spread").asText());
            assertEquals(book.get(bestBidVenue)[0].compareTo(book.get(bestAskVenue)[1]) > 0, best.get("crossed").asBoolean());
            assertEquals(true, best.get("crossed").asBoolean());
            assertEquals(List.of("binance", "okx", "bybit", "htx"), texts(best.get("venues")));
            assertEquals(0, best.get("excluded").size());
            assertEquals("1.25", best.at("/bid/size").asText());
            // Binance's form asks for the same instrument.
            JsonNode sameBest = gateway.getJson("/api/v1/best/BTCUSDT").get("data");
            assertEquals(List.of(best.at("/bid/exchange").asText(), best.at("/bid/price").asText(), best.at("/ask/price").asText()),
                    List.of(sameBest.at("/bid/exchange").asText(), sameBest.at("/bid/price").asText(), sameBest.at("/ask/price").asText()));

            JsonNode health = gateway.getJson("/api/v1/health").get("data");
            assertEquals("healthy", health.get("status").asText(), health.toString());
            // One feed MBean and one set of connection meters per venue, told apart by name and exchange tag.
            javax.management.MBeanServer jmx = java.lang.management.ManagementFactory.getPlatformMBeanServer();
            dev.marketdata.support.PrometheusScrape metrics = new dev.marketdata.support.PrometheusScrape(
                    gateway.send("/observe/metrics").body());
            for (String venue : List.of("binance", "okx", "bybit", "coinbase", "htx")) {
                javax.management.ObjectName name = new javax.management.ObjectName(
                        "org.apache.camel:context=market-data,type=feed,name=" + venue);
                assertEquals(true, jmx.getAttribute(name, "Connected"), venue);
                assertEquals(1.0, metrics.value("marketdata_websocket_connected", "exchange", venue), venue);
            }
            // Each venue's MBean shows its own symbols.
            assertEquals(List.of("okx:BTC-USDT"), List.copyOf(gateway.bean(VenueFeed.bean(dev.marketdata.model.Venue.OKX),
                    VenueFeed.class).getSymbolAgeMillis().keySet()));
            assertEquals(List.of("binance:BTC-USDT", "binance:ETH-USDT"), List.copyOf(gateway.bean(VenueFeed.BINANCE_BEAN,
                    VenueFeed.class).getSymbolAgeMillis().keySet()));
            // No venue dropped a client for breaking its rules (subscriptions, HTX's pongs).
            assertEquals(List.of(), Stream.of(okx, bybit, coinbase, htx).flatMap(v -> v.drops.stream()).toList());

            // OKX goes away: only OKX's feed is down; the gateway is degraded, the other venues stay up.
            okx.close();
            await("OKX's feed down", Duration.ofSeconds(20), () -> {
                try {
                    return "down".equals(gateway.getJson("/api/v1/health").at("/data/feeds/okx/status").asText());
                } catch (Exception e) {
                    return false;
                }
            });
            health = gateway.getJson("/api/v1/health").get("data");
            assertEquals("degraded", health.get("status").asText());
            for (String venue : List.of("binance", "bybit", "coinbase", "htx")) {
                assertEquals("up", health.at("/feeds/" + venue + "/status").asText(), venue + ": " + health);
            }
            assertEquals("down", health.at("/feed/status").asText());
            assertEquals(false, gateway.bean(VenueFeed.bean(dev.marketdata.model.Venue.OKX), VenueFeed.class).isConnected());
            assertEquals(true, gateway.bean(VenueFeed.BINANCE_BEAN, VenueFeed.class).isConnected());
        }
    }

    private static Map<String, String> venues(String binance, String okx, String bybit, String coinbase, String htx,
            Map<String, String> more) {
        Map<String, String> props = new LinkedHashMap<>(more);
        props.put("exchanges", "binance,okx,bybit,coinbase,htx");
        props.put("binance.ws.url", binance);
        props.put("binance.symbols", "BTC-USDT,ETH-USDT");
        props.put("okx.ws.url", okx);
        props.put("okx.symbols", "BTC-USDT");
        props.put("okx.streams", "tickers");
        props.put("bybit.ws.url", bybit);
        props.put("bybit.symbols", "BTC-USDT");
        props.put("bybit.streams", "orderbook.1");
        props.put("coinbase.ws.url", coinbase);
        props.put("coinbase.symbols", "BTC-USD,ETH-USD");
        props.put("htx.ws.url", htx);
        props.put("htx.symbols", "BTC-USDT");
        props.put("htx.streams", "bbo");
        props.put("feed.reconnect.initial-delay", "100ms");
        props.put("feed.reconnect.max-delay", "1s");
        return props;
    }

    private static String bookTicker(String symbol, long u, String bid, String bidQty, String ask, String askQty) {
        return "{\"stream\":\"" + symbol.toLowerCase() + "@bookTicker\",\"data\":{\"u\":" + u + ",\"s\":\"" + symbol
                + "\",\"b\":\"" + bid + "\",\"B\":\"" + bidQty + "\",\"a\":\"" + ask + "\",\"A\":\"" + askQty + "\"}}";
    }


    /** The recorded OKX BTC-USDT ticker with the highest ts: what newest-wins must keep. */
    private static JsonNode okxNewest(List<VenueStandIn.Frame> frames) throws Exception {
        JsonNode newest = null;
        for (VenueStandIn.Frame frame : frames) {
            JsonNode message = JSON.readTree(frame.text());
            if (!"tickers".equals(message.at("/arg/channel").asText())) {
                continue;
            }
            for (JsonNode item : message.path("data")) {
                if ("BTC-USDT".equals(item.path("instId").asText())
                        && (newest == null || item.get("ts").asLong() > newest.get("ts").asLong())) {
                    newest = item;
                }
            }
        }
        return newest;
    }

    /** The price of the recorded Coinbase ticker of the product with the latest timestamp (first of a tie). */
    private static String newestCoinbase(List<VenueStandIn.Frame> frames, String product) throws Exception {
        String price = null;
        java.time.Instant at = null;
        for (VenueStandIn.Frame frame : frames) {
            JsonNode message = JSON.readTree(frame.text());
            if (!"ticker".equals(message.path("channel").asText())) {
                continue;
            }
            java.time.Instant ts = java.time.Instant.parse(message.get("timestamp").asText());
            for (JsonNode event : message.path("events")) {
                for (JsonNode ticker : event.path("tickers")) {
                    if (product.equals(ticker.path("product_id").asText()) && (at == null || ts.toEpochMilli() > at.toEpochMilli())) {
                        at = ts;
                        price = ticker.get("price").asText();
                    }
                }
            }
        }
        return price;
    }

    private static int args(String message) {
        try {
            return JSON.readTree(message).get("args").size();
        } catch (Exception e) {
            return Integer.MAX_VALUE;
        }
    }

    private static String bid(String json) {
        try {
            return json == null ? null : JSON.readTree(json).get("bid").asText();
        } catch (Exception e) {
            return null;
        }
    }

    private static int port(String url) {
        return java.net.URI.create(url).getPort();
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(e -> out.add(e.get(field).asText()));
        return out;
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(e -> out.add(e.asText()));
        return out;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> out = new ArrayList<>();
        node.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
