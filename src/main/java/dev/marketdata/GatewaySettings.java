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

import dev.marketdata.feed.MarketStreamEndpoint;
import dev.marketdata.model.Instrument;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.ProxySpec;
import dev.marketdata.model.Venue;
import dev.marketdata.model.StreamKind;

/**
 * The gateway's public configuration, read once and checked: a bad value stops start-up with a message
 * naming the property and what is wrong with it. Property names here are the documented contract. Split by
 * area: the enabled venues' feeds ({@link FeedSettings}, one per venue), Redis, data quality, the API, and
 * recording and replay.
 *
 * @param feeds   the venues of {@code exchanges}, in that order
 * @param binance Binance's feed settings (a replay plays Binance's frames); null when Binance is not enabled
 */
public record GatewaySettings(List<FeedSettings> feeds, FeedSettings binance, RedisSettings redis,
        QualitySettings quality, ApiSettings api, ReplaySettings replay) {

    /** Binance allows at most this many streams on one connection. */
    public static final int MAX_STREAMS_PER_CONNECTION = MarketStreamEndpoint.MAX_STREAMS_PER_CONNECTION;
    /** See {@link MarketStreamEndpoint#DEFAULT_MAX_URL_LENGTH}. */
    public static final int DEFAULT_MAX_URL_LENGTH = MarketStreamEndpoint.DEFAULT_MAX_URL_LENGTH;

    public GatewaySettings {
        feeds = List.copyOf(feeds);
    }

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
        // A venue not enabled is not read: its settings cannot stop start-up. Only switching its route on by hand
        // (<id>.enabled=true) without listing it is refused, as its route could not run.
        for (Venue venue : Venue.values()) {
            String on = property.apply(venue.id() + ".enabled");
            if (!venues.contains(venue) && on != null && on.trim().equalsIgnoreCase("true")) {
                throw invalid(venue.id() + ".enabled", on, venue.id() + " is not among the exchanges; list it in exchanges");
            }
        }
        List<FeedSettings> feeds = new ArrayList<>();
        FeedSettings binance = null;
        for (Venue venue : venues) {
            FeedSettings feed = FeedSettings.from(property, venue, globalProxies, env);
            feeds.add(feed);
            binance = venue == Venue.BINANCE ? feed : binance;
        }
        // Any number of streams: the consumer splits them over connections (binance.max-streams-per-connection,
        // binance.max-url-length); checked here so a bad value is named before Camel builds the endpoint.
        if (binance != null) {
            integer(property, "binance.max-streams-per-connection", MAX_STREAMS_PER_CONNECTION, 1, MAX_STREAMS_PER_CONNECTION);
            integer(property, "binance.max-url-length", DEFAULT_MAX_URL_LENGTH, 256, 65_536);
        }
        // Read where the cluster service is built; checked here so that a bad one is named with the rest.
        ClusterSettings.from(property);
        // Read by the live configuration; checked here so that a bad one is named at start-up and on a live change.
        duration(property, "config.reload.interval", "1s", 0, 3_600_000);
        StreamSettings.from(property);
        ConnectBudgetSettings.egress(property);
        KafkaSettings.from(property);
        RedisSettings redis = RedisSettings.from(property);
        ApiSettings api = ApiSettings.from(property, mockPrices(property, feeds));
        QualitySettings quality = QualitySettings.from(property);
        ReplaySettings replay = ReplaySettings.from(property, venues);
        return new GatewaySettings(feeds, binance, redis, quality, api, replay);
    }

    /** Binance's symbols as configured (a replay's followed keys among them); none when Binance is not enabled. */
    public List<String> symbols() {
        return binance == null ? List.of() : binance.instruments().stream().map(Instrument::symbol).toList();
    }

    /** Binance's stream kinds; none when Binance is not enabled. */
    public List<StreamKind> streams() {
        return binance == null ? List.of() : binance.streams().stream().map(StreamKind::fromConfigName).toList();
    }

    /**
     * Reference prices for mock entries, per followed key: {@code mock.price.<SYMBOL>} as the venue's symbol is
     * configured ({@code mock.price.BTC-USDT}), else as the normalized one, else, for spot, in Binance's form
     * ({@code mock.price.BTCUSDT}), so one price serves every venue that carries the instrument.
     */
    static Map<String, BigDecimal> mockPrices(Function<String, String> property, List<FeedSettings> feeds) {
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

    /** The combined-stream names, e.g. {@code btcusdt@bookTicker/ethusdt@bookTicker}. */
    public String streamNames() {
        List<String> names = new ArrayList<>();
        for (String symbol : symbols()) {
            for (StreamKind kind : streams()) {
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

    static BigDecimal positiveDecimal(Function<String, String> property, String name, String fallback) {
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

    static boolean bool(Function<String, String> property, String name, boolean fallback) {
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
