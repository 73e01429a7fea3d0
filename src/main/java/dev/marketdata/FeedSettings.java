package dev.marketdata;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.marketdata.feed.ConnectionTiming;
import dev.marketdata.model.Instrument;
import dev.marketdata.model.ProxySpec;
import dev.marketdata.model.Venue;

/**
 * One enabled venue's feed, from its block of properties ({@code <id>.ws.url}, {@code <id>.symbols},
 * {@code <id>.streams}, {@code <id>.proxies}, and the connection lifecycle with {@code feed.*} defaults that
 * {@code <id>.*} overrides), read once and checked: a bad value names its property.
 *
 * @param instruments the configured instruments, in configured order, each parsed into the venue's own id
 * @param streams     the venue's stream names, as its documentation spells them
 */
public record FeedSettings(Venue venue, String url, List<Instrument> instruments, List<String> streams,
        List<ProxySpec> proxies, ConnectionTiming timing) {

    /** Each venue's public endpoint, symbols and streams out of the box. */
    private static final Map<Venue, String[]> DEFAULTS = Map.of(
            Venue.BINANCE, new String[] { "wss://stream.binance.com:9443/stream", "BTCUSDT,ETHUSDT,SOLUSDT", "bookTicker" },
            Venue.OKX, new String[] { "wss://ws.okx.com:8443/ws/v5/public", "BTC-USDT,ETH-USDT", "bbo-tbt" },
            Venue.BYBIT, new String[] { "wss://stream.bybit.com/v5/public", "BTC-USDT,ETH-USDT", "orderbook.1" },
            Venue.COINBASE, new String[] { "wss://advanced-trade-ws.coinbase.com", "BTC-USD,ETH-USD", "ticker" },
            Venue.HTX, new String[] { "wss://api.huobi.pro/ws", "BTC-USDT,ETH-USDT", "bbo" });

    /** The venues named by {@code exchanges} (default {@code binance}), in order. */
    static List<Venue> enabledVenues(Function<String, String> property) {
        String raw = GatewaySettings.text(property, "exchanges", "binance");
        Set<Venue> venues = new LinkedHashSet<>();
        for (String part : raw.split(",")) {
            String id = part.trim().toLowerCase(java.util.Locale.ROOT);
            if (id.isEmpty()) {
                continue;
            }
            Venue venue = Venue.of(id);
            if (venue == null) {
                throw GatewaySettings.invalid("exchanges", raw, "'" + part.trim() + "' is not one of " + ids());
            }
            if (!venues.add(venue)) {
                throw GatewaySettings.invalid("exchanges", raw, "names " + id + " twice");
            }
        }
        if (venues.isEmpty()) {
            throw GatewaySettings.invalid("exchanges", raw, "lists no exchange (one or more of " + ids() + ")");
        }
        return List.copyOf(venues);
    }

    private static String ids() {
        List<String> ids = new ArrayList<>();
        for (Venue v : Venue.values()) {
            ids.add(v.id());
        }
        return String.join(", ", ids);
    }

    /**
     * @param globalProxies {@code proxies}, already read (empty: none given)
     * @param env           for the ALL_PROXY / HTTPS_PROXY fallback
     */
    static FeedSettings from(Function<String, String> property, Venue venue, String globalProxies, Map<String, String> env) {
        String id = venue.id();
        String[] defaults = DEFAULTS.get(venue);
        String url = GatewaySettings.text(property, id + ".ws.url", defaults[0]);
        if (!url.matches("(?i)wss?://[^/?#\\s]+(/[^?#\\s]*)?")) {
            throw GatewaySettings.invalid(id + ".ws.url", url, "must be a ws:// or wss:// URL without a query");
        }
        String problem = endpointProblem(url);
        if (problem != null) {
            throw GatewaySettings.invalid(id + ".ws.url", url, problem);
        }
        String symbols = GatewaySettings.text(property, id + ".symbols", defaults[1]);
        List<Instrument> instruments = instruments(venue, symbols, id + ".symbols");
        List<String> streams = streams(venue, GatewaySettings.text(property, id + ".streams", defaults[2]));
        requireStreamBudget(venue, instruments.size(), streams.size(), maxStreams(property, id), id + ".symbols", symbols);
        // A venue's own proxies win; else the global list serves it (binance.proxies is how it was before).
        String own = GatewaySettings.secret(property, id + ".proxies", id + ".proxies-file", true);
        List<ProxySpec> proxies = own.isEmpty() && !globalProxies.isEmpty()
                ? GatewaySettings.proxies(globalProxies, "proxies", env)
                : GatewaySettings.proxies(own, id + ".proxies", env);
        return new FeedSettings(venue, url, instruments, streams, proxies, timing(property, id));
    }

    /**
     * What a well-formed URL still cannot be: a host and a port a socket can take, and no credentials (public
     * streams need none, and they would be logged and shown in health and JMX with the endpoint).
     */
    private static String endpointProblem(String url) {
        java.net.URI uri;
        try {
            uri = java.net.URI.create(url);
        } catch (IllegalArgumentException e) {
            return "is not a URL (" + e.getMessage().replaceAll(":.*", "") + ")";
        }
        if (uri.getRawUserInfo() != null) {
            return "must not carry credentials (user:password@): the venues' public streams take none";
        }
        if (uri.getHost() == null) {
            return uri.getRawAuthority() != null && uri.getRawAuthority().matches(".*:\\d+")
                    ? "has port " + uri.getRawAuthority().replaceAll(".*:", "") + "; a port is 1-65535"
                    : "has no host name or address";
        }
        if (uri.getPort() > 65535 || uri.getPort() == 0) {
            return "has port " + uri.getPort() + "; a port is 1-65535";
        }
        return null;
    }

    /** {@code <id>.<name>} when set, else {@code feed.<name>}, else the built-in default. */
    private static ConnectionTiming timing(Function<String, String> property, String id) {
        long idle = duration(property, id, "idle-timeout", "30s", 100, 3_600_000);
        long initialDelay = duration(property, id, "reconnect.initial-delay", "1s", 1, 3_600_000);
        long maxDelay = duration(property, id, "reconnect.max-delay", "30s", 1, 3_600_000);
        if (maxDelay < initialDelay) {
            String max = source(property, id, "reconnect.max-delay");
            String initial = source(property, id, "reconnect.initial-delay");
            throw GatewaySettings.invalid(max, GatewaySettings.text(property, max, "30s"), "must not be below " + initial
                    + " (" + GatewaySettings.text(property, initial, "1s") + ")");
        }
        long resetAfter = duration(property, id, "reconnect.reset-after", "60s", 0, 86_400_000);
        // Binance closes every connection at 24 h, and no venue keeps one longer: rotating later would be too late.
        long maxAge = duration(property, id, "max-connection-age", "23h30m", 1_000, 24 * 3_600_000L - 60_000);
        return new ConnectionTiming(initialDelay, maxDelay, resetAfter, idle, maxAge, 0);
    }

    private static long duration(Function<String, String> property, String id, String name, String fallback, long min, long max) {
        return GatewaySettings.duration(property, source(property, id, name), fallback, min, max);
    }

    /** The property a lifecycle setting of the venue comes from: its own, else the shared {@code feed.*} one. */
    private static String source(Function<String, String> property, String id, String name) {
        String own = property.apply(id + "." + name);
        return own != null && !own.isBlank() ? id + "." + name : "feed." + name;
    }

    /** The most streams (symbols x stream kinds) a venue may follow: {@code <id>.max-streams}, else {@code feed.max-streams}. */
    static int maxStreams(Function<String, String> property, String id) {
        String own = property.apply(id + ".max-streams");
        String name = own != null && !own.isBlank() ? id + ".max-streams" : "feed.max-streams";
        return GatewaySettings.integer(property, name, DEFAULT_MAX_STREAMS, 1, 100_000);
    }

    /** Built-in bound of {@link #maxStreams}: ten Binance connections' worth. */
    static final int DEFAULT_MAX_STREAMS = 10_240;

    /** Symbols x streams within the venue's bound, or the error naming the property. */
    static void requireStreamBudget(Venue venue, int symbols, int streams, int max, String property, String raw) {
        if ((long) symbols * streams > max) {
            throw GatewaySettings.invalid(property, raw.length() > 60 ? raw.substring(0, 60) + "..." : raw, symbols
                    + " symbols x " + streams + " streams = " + (long) symbols * streams + " streams, more than the "
                    + max + " allowed (" + venue.id() + ".max-streams or feed.max-streams)");
        }
    }

    static List<Instrument> instruments(Venue venue, String raw, String property) {
        Map<String, Instrument> out = new LinkedHashMap<>();
        for (String part : raw.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            Instrument instrument;
            try {
                instrument = Instrument.parse(venue, part);
            } catch (IllegalArgumentException e) {
                throw GatewaySettings.invalid(property, shortened(raw), e.getMessage());
            }
            // Bybit names spot and perpetual alike (BTCUSDT): an instrument is its native id in its market.
            Instrument earlier = out.putIfAbsent(instrument.nativeSymbol() + "|" + instrument.market(), instrument);
            if (earlier != null && !earlier.symbol().equals(instrument.symbol())) {
                throw GatewaySettings.invalid(property, shortened(raw), "'" + earlier.symbol() + "' and '"
                        + instrument.symbol() + "' are the same instrument (" + instrument.nativeSymbol() + "); name it once");
            }
        }
        if (out.isEmpty()) {
            throw GatewaySettings.invalid(property, raw, "lists no symbol");
        }
        return List.copyOf(out.values());
    }

    /** A long symbol list as an error message shows it. */
    private static String shortened(String raw) {
        return raw.length() > 80 ? raw.substring(0, 80) + "..." : raw;
    }

    private static List<String> streams(Venue venue, String raw) {
        Set<String> known = Exchanges.protocol(venue).streams();
        Set<String> out = new LinkedHashSet<>();
        for (String part : raw.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            String name = known.stream().filter(k -> k.equalsIgnoreCase(part.trim())).findFirst().orElse(null);
            if (name == null) {
                throw GatewaySettings.invalid(venue.id() + ".streams", raw, "'" + part.trim() + "' is not one of "
                        + String.join(", ", known));
            }
            out.add(name);
        }
        if (out.isEmpty()) {
            throw GatewaySettings.invalid(venue.id() + ".streams", raw, "lists no stream");
        }
        return List.copyOf(out);
    }

    public String id() {
        return venue.id();
    }

    /** The keys this feed's ticks are followed under, in configured order. */
    public List<String> keys() {
        return instruments.stream().map(Instrument::key).toList();
    }
}
