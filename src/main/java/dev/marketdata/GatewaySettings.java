package dev.marketdata;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import dev.marketdata.feed.ConnectionTiming;
import dev.marketdata.feed.MarketStreamEndpoint;
import dev.marketdata.model.Instrument;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.ProxySpec;
import dev.marketdata.model.Venue;
import dev.marketdata.model.StreamKind;

/**
 * The gateway's public configuration, read once and checked: a bad value stops start-up with a message
 * naming the property and what is wrong with it. Property names here are the documented contract.
 */
public record GatewaySettings(
        String wsUrl,
        String serverHost,
        int serverPort,
        String managementHost,
        int managementPort,
        List<String> symbols,
        List<StreamKind> streams,
        List<ProxySpec> proxies,
        String redisHost,
        int redisPort,
        String redisUsername,
        String redisPassword,
        boolean redisSsl,
        int redisDatabase,
        boolean redisEmbedded,
        int redisTimeoutMs,
        int tickTtlSeconds,
        long sequenceResetAfterMillis,
        long shutdownFlushMillis,
        Map<String, BigDecimal> mockPrices,
        long idleTimeoutMillis,
        long reconnectInitialDelayMillis,
        long reconnectMaxDelayMillis,
        long reconnectResetAfterMillis,
        long maxConnectionAgeMillis,
        int staleSeconds,
        BigDecimal maxJumpPercent,
        long maxSkewMillis,
        boolean rejectPriceJumps,
        long alertClearAfterMillis,
        String replayFile,
        boolean binanceEnabled,
        String recordFile,
        int recordMaxMegabytes,
        int recordFiles,
        List<FeedSettings> feeds,
        boolean legacyKeys) {

    public static final Pattern SYMBOL = Pattern.compile("[A-Z0-9]{2,20}");
    /** Binance allows at most this many streams on one connection. */
    public static final int MAX_STREAMS_PER_CONNECTION = MarketStreamEndpoint.MAX_STREAMS_PER_CONNECTION;
    /** See {@link MarketStreamEndpoint#DEFAULT_MAX_URL_LENGTH}. */
    public static final int DEFAULT_MAX_URL_LENGTH = MarketStreamEndpoint.DEFAULT_MAX_URL_LENGTH;

    /**
     * @param property looks a property up (placeholders, -D and environment already applied); null when unset
     * @param env      the process environment, for the ALL_PROXY / HTTPS_PROXY fallback
     */
    public static GatewaySettings from(Function<String, String> property, Map<String, String> env) {
        List<Venue> venues = FeedSettings.enabledVenues(property);
        // Secrets can come from a file (or an environment variable, as every property can), so that no JMX client
        // reads them among the JVM's arguments and system properties. The global proxies serve every venue; a
        // venue's own (binance.proxies, as before there were other venues) win for it.
        String globalProxies = secret(property, "proxies", "proxies-file", true);
        // Binance's settings are read even when it is not enabled: a replay plays Binance's recorded frames.
        FeedSettings binance = FeedSettings.from(property, Venue.BINANCE, globalProxies, env);
        List<FeedSettings> feeds = new ArrayList<>();
        for (Venue venue : venues) {
            feeds.add(venue == Venue.BINANCE ? binance : FeedSettings.from(property, venue, globalProxies, env));
        }
        String wsUrl = binance.url();
        List<String> symbols = binance.instruments().stream().map(Instrument::symbol).toList();
        List<StreamKind> streams = binance.streams().stream().map(StreamKind::fromConfigName).toList();
        // Any number of streams: the consumer splits them over connections (binance.max-streams-per-connection,
        // binance.max-url-length); checked here so a bad value is named before Camel builds the endpoint.
        integer(property, "binance.max-streams-per-connection", MAX_STREAMS_PER_CONNECTION, 1, MAX_STREAMS_PER_CONNECTION);
        integer(property, "binance.max-url-length", DEFAULT_MAX_URL_LENGTH, 256, 65_536);
        List<ProxySpec> proxies = binance.proxies();
        String redisHost = text(property, "redis.host", "localhost");
        if (!redisHost.matches("[A-Za-z0-9._:\\[\\]-]+")) {
            throw invalid("redis.host", String.valueOf(property.apply("redis.host")), "must be a host name or address");
        }
        int redisPort = integer(property, "redis.port", 6379, 1, 65535);
        String redisUsername = text(property, "redis.username", "");
        String redisPassword = secret(property, "redis.password", "redis.password-file", false);
        boolean redisSsl = bool(property, "redis.ssl", false);
        int serverPort = integer(property, "camel.server.port", 8081, 0, 65535);
        String serverHost = text(property, "camel.server.host", "0.0.0.0");
        int managementPort = integer(property, "camel.management.port", serverPort, 0, 65535);
        String managementHost = text(property, "camel.management.host", "0.0.0.0");
        int redisDatabase = integer(property, "redis.database", 0, 0, 15);
        boolean embedded = bool(property, "redis.embedded", true);
        int redisTimeout = integer(property, "redis.timeout-ms", 1000, 50, 60_000);
        int ttl = integer(property, "tick.ttl.seconds", 60, 1, 86_400 * 30);
        // Up to this long a lower sequence is taken for out-of-order delivery and refused; after it, for a reset.
        long resetAfter = duration(property, "tick.sequence-reset-after", "5s", 0, 3_600_000);
        long flushTimeout = duration(property, "redis.shutdown-flush-timeout", "5s", 0, 600_000);
        Map<String, BigDecimal> mockPrices = mockPrices(property, feeds);
        ConnectionTiming timing = binance.timing();
        long idle = timing.idleMillis();
        long initialDelay = timing.initialDelayMillis();
        long maxDelay = timing.maxDelayMillis();
        long backoffResetAfter = timing.resetAfterMillis();
        long maxAge = timing.maxAgeMillis();
        int stale = integer(property, "quality.stale.seconds", 30, 1, 86_400);
        BigDecimal jump = positiveDecimal(property, "quality.max-jump-percent", "10");
        long skew = integer(property, "quality.max-skew-ms", 5_000, 0, 3_600_000);
        String action = text(property, "quality.price-jump-action", "flag").toLowerCase(Locale.ROOT);
        if (!action.equals("flag") && !action.equals("reject")) {
            throw invalid("quality.price-jump-action", action, "must be flag or reject");
        }
        long clearAfter = duration(property, "quality.alert.clear-after", "60s", 0, 86_400_000);
        // A recording played back in place of the venue: the file must be there; the speed and loop are checked
        // here as the replay endpoint takes them.
        String replayFile = text(property, "replay.file", "");
        if (!replayFile.isEmpty() && !Files.isReadable(Path.of(replayFile))) {
            throw invalid("replay.file", replayFile, "cannot be read");
        }
        if (!text(property, "replay.speed", "1").equals("0")) {
            positiveDecimal(property, "replay.speed", "1");
        }
        bool(property, "replay.loop", false);
        if (!replayFile.isEmpty() && !venues.contains(Venue.BINANCE)) {
            throw invalid("replay.file", replayFile, "plays recorded Binance frames: add binance to exchanges");
        }
        boolean binanceEnabled = venues.contains(Venue.BINANCE) && (property.apply("binance.enabled") == null
                || property.apply("binance.enabled").isBlank() ? replayFile.isEmpty() : bool(property, "binance.enabled", true));
        // Recording the live feed: the folder must be there to write in.
        String recordFile = text(property, "record.file", "");
        if (!recordFile.isEmpty()) {
            Path parent = Path.of(recordFile).toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent) || !Files.isWritable(parent)) {
                throw invalid("record.file", recordFile, "cannot be written (its folder must exist and be writable)");
            }
        }
        int recordMaxMegabytes = integer(property, "record.max-size-mb", 100, 1, 10_240);
        int recordFiles = integer(property, "record.files", 5, 1, 1_000);
        // Used in timer URIs as they are written; checked here so that a bad one is named, not a timer failure.
        duration(property, "redis.reconcile-interval", "1000", 50, 3_600_000);
        integer(property, "quality.check-interval-ms", 1000, 50, 3_600_000);
        return new GatewaySettings(wsUrl, serverHost, serverPort, managementHost, managementPort, symbols, streams, proxies, redisHost, redisPort, redisUsername,
                redisPassword, redisSsl, redisDatabase, embedded, redisTimeout, ttl, resetAfter, flushTimeout,
                Collections.unmodifiableMap(mockPrices), idle, initialDelay, maxDelay, backoffResetAfter, maxAge, stale, jump,
                skew, action.equals("reject"), clearAfter, replayFile.isEmpty() ? null : replayFile, binanceEnabled,
                recordFile.isEmpty() ? null : recordFile, recordMaxMegabytes, recordFiles, List.copyOf(feeds),
                bool(property, "redis.legacy-keys", true));
    }

    /**
     * Reference prices for mock entries, per followed key: {@code mock.price.<SYMBOL>} as the venue's symbol is
     * configured ({@code mock.price.BTC-USDT}), else as the normalized one, else, for spot, in Binance's form
     * ({@code mock.price.BTCUSDT}), so one price serves every venue that carries the instrument.
     */
    private static Map<String, BigDecimal> mockPrices(Function<String, String> property, List<FeedSettings> feeds) {
        Map<String, BigDecimal> out = new LinkedHashMap<>();
        for (FeedSettings feed : feeds) {
            for (Instrument instrument : feed.instruments()) {
                Set<String> names = new LinkedHashSet<>(List.of(instrument.symbol(), instrument.normalized()));
                if (instrument.market() == dev.marketdata.model.Market.SPOT) {
                    names.add(instrument.base() + instrument.quote());
                }
                for (String name : names) {
                    String price = property.apply("mock.price." + name);
                    if (price == null || price.isBlank()) {
                        continue;
                    }
                    try {
                        BigDecimal value = new BigDecimal(price.trim());
                        if (value.signum() <= 0 || value.compareTo(new BigDecimal("1000000000000")) > 0) {
                            throw new NumberFormatException();
                        }
                        out.put(instrument.key(), value);
                        break;
                    } catch (NumberFormatException e) {
                        throw invalid("mock.price." + name, price, "must be a positive decimal");
                    }
                }
            }
        }
        return Collections.unmodifiableMap(out);
    }

    /** Every followed key (see {@link MarketTick#key(String, String)}) of the enabled venues, in configured order. */
    public List<String> followedKeys() {
        List<String> keys = new ArrayList<>();
        feeds.forEach(feed -> keys.addAll(feed.keys()));
        return keys;
    }

    /** Every followed instrument of the enabled venues, in configured order. */
    public List<Instrument> instruments() {
        List<Instrument> out = new ArrayList<>();
        feeds.forEach(feed -> out.addAll(feed.instruments()));
        return out;
    }

    /** The enabled venue's feed settings, or null. */
    public FeedSettings feed(Venue venue) {
        return feeds.stream().filter(f -> f.venue() == venue).findFirst().orElse(null);
    }

    /** Never shows the Redis password (the proxies mask theirs themselves). */
    @Override
    public String toString() {
        return "GatewaySettings[exchanges=" + feeds.stream().map(FeedSettings::id).toList() + ", wsUrl=" + wsUrl
                + ", symbols=" + symbols + ", streams=" + streams + ", proxies="
                + proxies + ", redis=" + (redisSsl ? "rediss://" : "redis://") + redisHost + ":" + redisPort + "/"
                + redisDatabase + ", redisUser=" + redisUsername + ", redisPassword="
                + (redisPassword.isEmpty() ? "" : "***") + ", ttl=" + tickTtlSeconds + "s]";
    }

    /** The combined-stream names, e.g. {@code btcusdt@bookTicker/ethusdt@bookTicker}. */
    public String streamNames() {
        List<String> names = new ArrayList<>();
        for (String symbol : symbols) {
            for (StreamKind kind : streams) {
                names.add(kind.streamName(Instrument.parse(Venue.BINANCE, symbol).nativeSymbol()));
            }
        }
        return String.join("/", names);
    }

    static List<ProxySpec> proxies(String raw, String property, Map<String, String> env) {
        String source = property;
        String value = raw;
        if (value.isBlank()) {
            for (String name : List.of("ALL_PROXY", "all_proxy", "HTTPS_PROXY", "https_proxy")) {
                String fromEnv = env.get(name);
                if (fromEnv != null && !fromEnv.isBlank()) {
                    source = name;
                    value = fromEnv;
                    break;
                }
            }
        }
        List<ProxySpec> out = new ArrayList<>();
        for (String part : value.split(",")) {
            if (part.isBlank()) {
                continue;
            }
            try {
                out.add(ProxySpec.parse(part));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("Invalid " + source + ": " + e.getMessage());
            }
        }
        if (out.isEmpty()) {
            out.add(ProxySpec.DIRECT);
        }
        return List.copyOf(out);
    }

    /**
     * A value given directly or in a file named by {@code fileProperty} (not both). A password file holds the
     * password alone (a trailing line break is dropped); a proxies file one proxy per line, '#' for comments.
     */
    static String secret(Function<String, String> property, String name, String fileProperty, boolean lines) {
        String direct = text(property, name, "");
        String file = text(property, fileProperty, "");
        if (file.isEmpty()) {
            return direct;
        }
        if (!direct.isEmpty()) {
            throw invalid(fileProperty, file, "is set as well as " + name + "; set one of them");
        }
        String content;
        try {
            content = Files.readString(Path.of(file), StandardCharsets.UTF_8);
        } catch (IOException | RuntimeException e) {
            throw invalid(fileProperty, file, "cannot be read (" + e.getClass().getSimpleName() + ")");
        }
        String value = lines
                ? content.lines().map(String::trim).filter(l -> !l.isEmpty() && !l.startsWith("#")).collect(Collectors.joining(","))
                : content.replaceAll("[\\r\\n]+$", "");
        if (value.isEmpty()) {
            throw invalid(fileProperty, file, "is empty");
        }
        return value;
    }

    static String text(Function<String, String> property, String name, String fallback) {
        String value = property.apply(name);
        return value == null ? fallback : value.trim();
    }

    static int integer(Function<String, String> property, String name, int fallback, int min, int max) {
        String value = property.apply(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n < min || n > max) {
                throw invalid(name, value, "must be between " + min + " and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw invalid(name, value, "is not a whole number");
        }
    }

    /** Durations as Camel writes them: {@code 30s}, {@code 500ms}, {@code 23h30m}, or plain milliseconds. */
    static long duration(Function<String, String> property, String name, String fallback, long min, long max) {
        String value = text(property, name, fallback);
        long millis = parseDuration(value);
        if (millis < 0) {
            throw invalid(name, value, "is not a duration such as 500ms, 30s or 23h30m");
        }
        if (millis < min || millis > max) {
            throw invalid(name, value, "must be between " + human(min) + " and " + human(max)
                    + (value.matches("\\d+") ? " (a number alone means milliseconds: write 30s for 30 seconds)" : ""));
        }
        return millis;
    }

    private static final Pattern DURATION = Pattern.compile("(?:(\\d{1,6})d)?(?:(\\d{1,6})h)?(?:(\\d{1,6})m(?!s))?"
            + "(?:(\\d{1,9})s)?(?:(\\d{1,12})ms)?");

    /**
     * {@code 500ms}, {@code 30s}, {@code 23h30m}, {@code 1d}, or a plain number of milliseconds; -1 for anything
     * else (Camel's own parser reads "abc" as 0).
     */
    static long parseDuration(String value) {
        if (value.matches("\\d{1,12}")) {
            return Long.parseLong(value);
        }
        java.util.regex.Matcher m = DURATION.matcher(value);
        if (value.isEmpty() || !m.matches()) {
            return -1;
        }
        long[] unit = { 86_400_000L, 3_600_000L, 60_000L, 1_000L, 1L };
        long total = 0;
        for (int i = 0; i < unit.length; i++) {
            if (m.group(i + 1) != null) {
                total += Long.parseLong(m.group(i + 1)) * unit[i];
            }
        }
        return total;
    }

    /** Milliseconds as a duration is written here: 500ms, 30s, 23h59m. */
    static String human(long millis) {
        if (millis == 0 || millis % 1000 != 0) {
            return millis + "ms";
        }
        long seconds = millis / 1000;
        StringBuilder out = new StringBuilder();
        if (seconds >= 86_400 && seconds % 86_400 == 0) {
            return seconds / 86_400 + "d";
        }
        if (seconds >= 3600) {
            out.append(seconds / 3600).append('h');
            seconds %= 3600;
        }
        if (seconds >= 60) {
            out.append(seconds / 60).append('m');
            seconds %= 60;
        }
        if (seconds > 0) {
            out.append(seconds).append('s');
        }
        return out.toString();
    }

    private static BigDecimal positiveDecimal(Function<String, String> property, String name, String fallback) {
        String value = text(property, name, fallback);
        try {
            BigDecimal n = new BigDecimal(value);
            if (n.signum() <= 0) {
                throw invalid(name, value, "must be a positive number");
            }
            return n;
        } catch (NumberFormatException e) {
            throw invalid(name, value, "is not a number");
        }
    }

    private static boolean bool(Function<String, String> property, String name, boolean fallback) {
        String value = property.apply(name);
        if (value == null || value.isBlank()) {
            return fallback;
        }
        return switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw invalid(name, value, "must be true or false");
        };
    }

    static IllegalArgumentException invalid(String property, String value, String problem) {
        return new IllegalArgumentException("Invalid " + property + " '" + ProxySpec.mask(value) + "': " + problem);
    }
}
