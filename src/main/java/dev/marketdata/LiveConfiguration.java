package dev.marketdata;

import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.marketdata.feed.MarketStreamConsumer;
import dev.marketdata.feed.VenueFeed;
import dev.marketdata.model.Followed;
import dev.marketdata.model.Instrument;
import dev.marketdata.model.ProxySpec;
import dev.marketdata.model.Venue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.support.service.ServiceSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies changes of the configuration while the gateway runs, from the {@code application.properties} it was
 * started from (checked every {@code config.reload.interval}) and from the feed MBeans' symbol operations.
 * <ul>
 * <li>A change is read whole and checked as start-up checks it; one that does not pass changes nothing: one
 * WARN names the property and the problem, and health shows that the file and the running configuration differ
 * until the file is fixed.</li>
 * <li>Symbols and streams, quality thresholds, the tick TTL, mock prices and log levels apply at once, without a
 * restart and without closing a connection that does not have to close. Everything else needs a restart: one
 * WARN names what, and none of it is applied.</li>
 * <li>Every change applied is one INFO line (what, from where), a count in
 * {@code marketdata_config_changes_total{source,result}}, and a new generation in health.</li>
 * </ul>
 * Values are resolved as Camel resolves them at start-up: a {@code -D} system property, an environment variable
 * or a test's override wins over the file, which wins over the packaged defaults; {@code {{name}}} placeholders
 * are resolved.
 */
public final class LiveConfiguration extends ServiceSupport implements VenueFeed.SymbolEditor {

    public static final String BEAN = "liveConfiguration";
    private static final Logger LOG = LoggerFactory.getLogger(LiveConfiguration.class);
    /** The innermost placeholder: no brace inside it. */
    private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^{}]*)}}");
    /** A value that grows past this while resolving is a runaway expansion, not a setting. */
    private static final int MAX_RESOLVED_CHARS = 100_000;
    /** The properties that apply while running; the rest need a restart. */
    private static final List<String> LIVE_QUALITY = List.of("quality.stale.seconds", "quality.max-jump-percent",
            "quality.max-skew-ms", "quality.price-jump-action", "quality.alert.clear-after", "tick.ttl.seconds");
    public static final String LOGGING_PREFIX = "logging.level.";
    /** Properties naming a file the gateway reads once, at start-up. */
    private static final Pattern FILE_PROPERTIES = Pattern.compile("(.*\\.)?(proxies-file|password-file)|replay\\.file|record\\.file");

    /** The components a live change reaches, each through its own setter. */
    public interface Target {
        /** The followed set has changed (the feeds resubscribe after this). */
        void followed(Followed.Snapshot snapshot, Set<String> removedKeys);

        void quality(QualitySettings quality);

        void tickTtl(int seconds, QualitySettings quality);

        void mockPrices(Map<String, BigDecimal> prices);
    }

    /** What health shows of the configuration. */
    public record State(long generation, long appliedAt, String source, String file, boolean fileMatchesRunning,
            String problem, List<String> restartRequired, List<String> changedAtRunTime) {
    }

    private final Path file;
    private final Function<String, String> overrides;
    private final Map<String, String> env;
    private final Properties packaged;
    private final Followed followed;
    private final Map<Venue, VenueFeed> feeds;
    private final Target target;
    private final long intervalMillis;
    private final Map<String, Counter> changes = new ConcurrentHashMap<>();
    private GatewaySettings running;
    /** The file's values the running configuration was built from (the last one applied, or the start-up one). */
    private Properties runningFile;
    /** The file's bytes as last applied (or refused), and a newer content seen once, waiting to be seen unchanged. */
    private byte[] lastSeenFile;
    private byte[] settling;
    private long settlingSince;
    /** How long a new content must stay as it is before it is applied: a writer is done with the file by then. */
    static final long SETTLE_MILLIS = 500;
    private boolean unreadableReported;
    /** Loggers whose level this set, with the level they had before it first did, to go back to. */
    private final Map<String, Object> originalLevels = new LinkedHashMap<>();
    private volatile State state;
    /** Properties changed by an operator (JMX) rather than in the file. */
    private final Set<String> changedAtRunTime = new LinkedHashSet<>();
    private ScheduledExecutorService watcher;

    /**
     * @param file      the {@code application.properties} the gateway started from; null when it runs on the
     *                  packaged one alone (nothing to watch)
     * @param overrides a value given as a system property, an environment variable or a Camel override property,
     *                  else null: these win over the file
     */
    public LiveConfiguration(Path file, Function<String, String> overrides, Map<String, String> env, GatewaySettings running,
            Followed followed, Map<Venue, VenueFeed> feeds, Target target, MeterRegistry registry, long intervalMillis) {
        this.file = file;
        this.overrides = overrides;
        this.env = env;
        this.packaged = packaged();
        this.followed = followed;
        this.feeds = feeds;
        this.target = target;
        this.intervalMillis = intervalMillis;
        this.running = running;
        this.lastSeenFile = file == null ? null : contentOrNull(file);
        this.runningFile = lastSeenFile == null ? new Properties() : load(lastSeenFile);
        this.startFileValues = (Properties) runningFile.clone();
        for (String source : List.of("file", "jmx")) {
            for (String result : List.of("applied", "rejected", "restart_required")) {
                changes.put(source + "|" + result, Counter.builder("marketdata.config.changes").tag("source", source)
                        .tag("result", result).description("Configuration changes while running, by where they came from "
                                + "and what became of them").register(registry));
            }
        }
        this.state = new State(1, System.currentTimeMillis(), "start-up", file == null ? null : file.toString(), true, null,
                List.of(), List.of());
        feeds.forEach((venue, feed) -> feed.editor(this, () -> followed.current().instruments(venue).stream()
                .map(Instrument::symbol).toList()));
        checkLogLevels(lookup(runningFile), runningFile);
        applyLogLevels(lookup(runningFile), null);
    }

    private static final Set<String> LEVELS = Set.of("OFF", "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "ALL");

    /** Every {@code logging.level.*} names a level, or the error naming the property. */
    private void checkLogLevels(Function<String, String> values, Properties fileValues) {
        Set<String> names = new TreeSet<>(fileValues.stringPropertyNames());
        names.addAll(packaged.stringPropertyNames());
        for (String name : names) {
            if (name.startsWith(LOGGING_PREFIX)) {
                String level = values.apply(name);
                if (level != null && !level.isBlank() && !LEVELS.contains(level.trim().toUpperCase(Locale.ROOT))) {
                    throw GatewaySettings.invalid(name, level, "must be one of OFF, ERROR, WARN, INFO, DEBUG, TRACE");
                }
            }
        }
    }

    public State state() {
        return state;
    }

    /** How many changes from a source ended so: for tests and the README's figures. */
    public double changeCount(String source, String result) {
        Counter counter = changes.get(source + "|" + result);
        return counter == null ? 0 : counter.count();
    }

    @Override
    protected void doStart() {
        if (file == null || intervalMillis <= 0) {
            LOG.info("Live configuration: {}", file == null ? "no application.properties in the working directory to watch"
                    : "config.reload.interval is 0, the file is not watched");
            return;
        }
        watcher = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "config-watch");
            thread.setDaemon(true);
            return thread;
        });
        watcher.scheduleWithFixedDelay(this::checkFile, intervalMillis, intervalMillis, TimeUnit.MILLISECONDS);
        LOG.info("Watching {} for live changes every {} ms", file, intervalMillis);
    }

    @Override
    protected void doStop() {
        if (watcher != null) {
            watcher.shutdownNow();
            watcher = null;
        }
    }

    /**
     * One look at the file. A change of its content is applied once it has stayed the same for
     * {@link #SETTLE_MILLIS}, over two looks at least, so a file caught half-written (an editor writing in place,
     * {@code cat >}, a line at a time) is not applied: only the content it settles on. A file that cannot be read, or holds no property at all, changes nothing.
     */
    void checkFile() {
        try {
            byte[] content = contentOrNull(file);
            if (content == null) {
                if (!unreadableReported) {
                    unreadableReported = true;
                    refuse("the file cannot be read (deleted, or no permission)", "Configuration file " + file
                            + " cannot be read; the running configuration stays");
                }
                return;
            }
            if (unreadableReported) {
                unreadableReported = false;
                if (java.util.Arrays.equals(content, lastSeenFile)) {
                    back();
                }
            }
            if (java.util.Arrays.equals(content, lastSeenFile)) {
                settling = null;
                return;
            }
            long now = System.nanoTime();
            if (settling == null || !java.util.Arrays.equals(content, settling)) {
                settling = content;
                settlingSince = now;
                return;
            }
            if (now - settlingSince < SETTLE_MILLIS * 1_000_000L) {
                return;
            }
            settling = null;
            lastSeenFile = content;
            Properties next = load(content);
            if (next.isEmpty()) {
                refuse("the file holds no property", "Configuration change in " + file
                        + " refused, nothing applied: the file holds no property");
                return;
            }
            applyFile(next);
        } catch (Throwable e) {
            // Whatever goes wrong, the watch goes on: a task that throws is never run again.
            LOG.warn("Live configuration: could not check {}: {}", file, e.toString());
        }
    }

    /** The file is back as it was before it went: the problem it caused is gone. */
    private synchronized void back() {
        state = new State(state.generation(), state.appliedAt(), state.source(), state.file(),
                state.restartRequired().isEmpty() && changedAtRunTime.isEmpty(), null, state.restartRequired(),
                state.changedAtRunTime());
        LOG.info("Configuration file {} is back, as it was; the running configuration matches it again", file);
    }

    /** A file change refused before it is read as properties: counted, one line, health shows why. */
    private synchronized void refuse(String problem, String line) {
        state = new State(state.generation(), state.appliedAt(), state.source(), state.file(), false, problem,
                state.restartRequired(), state.changedAtRunTime());
        count("file", "rejected");
        LOG.warn(line);
    }

    private synchronized void applyFile(Properties next) {
        Function<String, String> candidate = lookup(next);
        Function<String, String> startUp = lookup(startFile());
        GatewaySettings settings;
        try {
            // Every value of the edit is checked (a bad restart-only one is named now, not at the restart), except
            // that a file named by an unchanged restart-only property is not read again: it is not applied anyway.
            GatewaySettings.from(name -> FILE_PROPERTIES.matcher(name).matches()
                    && Objects.equals(normalized(startUp.apply(name)), normalized(candidate.apply(name))) ? null
                    : candidate.apply(name), env);
            // What is applied: the live properties as edited, the rest as they run (a restart applies those).
            settings = GatewaySettings.from(name -> isLive(name) ? candidate.apply(name)
                    : FILE_PROPERTIES.matcher(name).matches() ? null : startUp.apply(name), env);
            checkLogLevels(candidate, next);
            // The prices of symbols followed beyond the file's own (added over JMX) are checked too, before anything
            // is applied: a bad one refuses the edit whole, it never stops it half-way.
            mockPrices(candidate);
        } catch (IllegalArgumentException e) {
            String problem = publicProblem(e.getMessage());
            // The state first, then the count and the line: whoever sees either sees the state too.
            state = new State(state.generation(), state.appliedAt(), state.source(), state.file(), false, problem,
                    state.restartRequired(), state.changedAtRunTime());
            count("file", "rejected");
            LOG.warn("Configuration change in {} rejected, nothing applied: {}; generation {} keeps running", file, e.getMessage(),
                    state.generation());
            return;
        }
        Function<String, String> before = lookup(runningFile);
        Set<String> names = new TreeSet<>();
        runningFile.stringPropertyNames().forEach(names::add);
        next.stringPropertyNames().forEach(names::add);
        List<String> restart = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        List<String> overridden = new ArrayList<>();
        for (String name : names) {
            if (!Objects.equals(normalized(before.apply(name)), normalized(candidate.apply(name)))) {
                changed.add(name);
                // A restart-only property put back to what runs needs no restart.
                if (!isLive(name) && !ofDisabledVenue(name)
                        && !Objects.equals(normalized(startUp.apply(name)), normalized(candidate.apply(name)))) {
                    restart.add(name);
                }
            } else if (!Objects.equals(normalized(runningFile.getProperty(name)), normalized(next.getProperty(name)))
                    && overrides.apply(name) != null) {
                overridden.add(name);
            }
        }
        if (!overridden.isEmpty()) {
            LOG.warn("{} changed in {}, but a system property, an environment variable or an override sets {}: the file's "
                    + "value has no effect", String.join(", ", overridden), file, overridden.size() == 1 ? "it" : "them");
        }
        Function<String, String> previous = before;
        runningFile = next;
        changed.forEach(changedAtRunTime::remove);
        List<String> live = changed.stream().filter(n -> !restart.contains(n)).toList();
        String applied = live.isEmpty() ? "" : apply(settings, candidate, previous, live);
        List<String> pending = pendingRestart(candidate);
        boolean matches = pending.isEmpty() && changedAtRunTime.isEmpty();
        // The state first, then the counts and the lines: whoever sees either sees the state too.
        long generation = applied.isEmpty() ? state.generation() : state.generation() + 1;
        state = applied.isEmpty()
                ? new State(generation, state.appliedAt(), state.source(), state.file(), matches, null, pending,
                        List.copyOf(changedAtRunTime))
                : new State(generation, System.currentTimeMillis(), "file", state.file(), matches, null, pending,
                        List.copyOf(changedAtRunTime));
        if (!restart.isEmpty()) {
            count("file", "restart_required");
            LOG.warn("{} changed in {}: {} only take{} effect after a restart; not applied", String.join(", ", restart), file,
                    restart.size() == 1 ? "it" : "they", restart.size() == 1 ? "s" : "");
        }
        if (!applied.isEmpty()) {
            count("file", "applied");
            LOG.info("Configuration generation {} applied from {}: {}", generation, file, applied);
        }
    }

    /**
     * Restart-only properties whose value in the file differs from what runs: the file and the running
     * configuration differ until a restart (or until the file says what runs again).
     */
    private List<String> pendingRestart(Function<String, String> candidate) {
        Function<String, String> startUp = lookup(startFile());
        Set<String> names = new TreeSet<>(startFile().stringPropertyNames());
        names.addAll(runningFile.stringPropertyNames());
        List<String> out = new ArrayList<>();
        for (String name : names) {
            if (!isLive(name) && !ofDisabledVenue(name)
                    && !Objects.equals(normalized(startUp.apply(name)), normalized(candidate.apply(name)))) {
                out.add(name);
            }
        }
        return out;
    }

    /** The start-up file's values: a restart-only property differing from them is waiting for a restart. */
    private final Properties startFileValues;

    private Properties startFile() {
        return startFileValues;
    }

    /** Applies the live part of a checked configuration; returns what changed, for the log line ("" for nothing). */
    private String apply(GatewaySettings next, Function<String, String> values, Function<String, String> previous,
            List<String> changedNames) {
        List<String> said = new ArrayList<>();
        Map<Venue, List<Instrument>> instruments = new LinkedHashMap<>();
        Map<Venue, List<String>> streams = new LinkedHashMap<>();
        for (FeedSettings feed : next.feeds()) {
            FeedSettings now = running.feed(feed.venue());
            if (now == null) {
                continue;
            }
            // Only what the file changed: a venue's symbols changed over JMX stay until the file's own line changes.
            if (changedNames.contains(feed.id() + ".symbols")
                    && !feed.instruments().equals(followed.current().instruments(feed.venue()))) {
                instruments.put(feed.venue(), feed.instruments());
                said.add(feed.id() + ".symbols " + difference(followed.current().instruments(feed.venue()), feed.instruments()));
            }
            if (changedNames.contains(feed.id() + ".streams")
                    && !feed.streams().equals(followed.current().streams(feed.venue()))) {
                streams.put(feed.venue(), feed.streams());
                said.add(feed.id() + ".streams " + followed.current().streams(feed.venue()) + " -> " + feed.streams());
            }
        }
        said.addAll(resubscribe(instruments, streams));
        QualitySettings q = next.quality();
        if (!q.equals(running.quality())) {
            target.quality(q);
            for (String name : LIVE_QUALITY.subList(0, 5)) {
                if (changedNames.contains(name)) {
                    said.add(name + " " + show(previous.apply(name)) + " -> " + show(values.apply(name)));
                }
            }
        }
        if (next.redis().tickTtlSeconds() != running.redis().tickTtlSeconds()) {
            target.tickTtl(next.redis().tickTtlSeconds(), q);
            said.add("tick.ttl.seconds " + running.redis().tickTtlSeconds() + " -> " + next.redis().tickTtlSeconds());
        }
        List<String> prices = changedNames.stream().filter(n -> n.startsWith("mock.price.")).toList();
        if (!prices.isEmpty() || !instruments.isEmpty()) {
            // The prices of the symbols followed now (some may have come over JMX), by the file's mock.price.* lines.
            target.mockPrices(mockPrices(values));
            if (!prices.isEmpty()) {
                said.add("mock prices " + prices);
            }
        }
        said.addAll(applyLogLevels(values, changedNames));
        running = merged(next);
        return String.join("; ", said);
    }

    /** The running settings with the live parts of {@code next} and the restart-only parts as they run. */
    private GatewaySettings merged(GatewaySettings next) {
        List<FeedSettings> feeds = new ArrayList<>();
        for (FeedSettings f : running.feeds()) {
            feeds.add(new FeedSettings(f.venue(), f.url(), followed.current().instruments(f.venue()),
                    followed.current().streams(f.venue()), f.proxies(), f.timing()));
        }
        RedisSettings r = running.redis();
        RedisSettings redis = new RedisSettings(r.host(), r.port(), r.username(), r.password(), r.ssl(), r.database(),
                r.embedded(), r.timeoutMs(), next.redis().tickTtlSeconds(), r.sequenceResetAfterMillis(),
                r.shutdownFlushMillis(), r.legacyKeys(), r.sentinel());
        ApiSettings a = running.api();
        ApiSettings api = new ApiSettings(a.serverHost(), a.serverPort(), a.managementHost(), a.managementPort(),
                a.workerThreads(), next.api().mockPrices());
        FeedSettings binance = feeds.stream().filter(f -> f.venue() == Venue.BINANCE).findFirst().orElse(null);
        return new GatewaySettings(feeds, binance, redis, next.quality(), api, running.replay());
    }

    /** {@code mock.price.*} of the symbols followed now. */
    private Map<String, BigDecimal> mockPrices(Function<String, String> values) {
        List<FeedSettings> now = new ArrayList<>();
        for (FeedSettings f : running.feeds()) {
            now.add(new FeedSettings(f.venue(), f.url(), followed.current().instruments(f.venue()),
                    followed.current().streams(f.venue()), f.proxies(), f.timing()));
        }
        return GatewaySettings.mockPrices(values, now);
    }

    /** Replaces the followed set, then brings each changed venue's connections to it. */
    private List<String> resubscribe(Map<Venue, List<Instrument>> instruments, Map<Venue, List<String>> streams) {
        if (instruments.isEmpty() && streams.isEmpty()) {
            return List.of();
        }
        Set<String> before = new LinkedHashSet<>(followed.current().keys());
        Followed.Snapshot now = followed.replace(instruments, streams);
        before.removeIf(now::follows);
        target.followed(now, before);
        List<String> said = new ArrayList<>();
        Set<Venue> venues = new LinkedHashSet<>(instruments.keySet());
        venues.addAll(streams.keySet());
        for (Venue venue : venues) {
            VenueFeed feed = feeds.get(venue);
            MarketStreamConsumer.Resubscription done = feed == null ? null : feed.resubscribe();
            said.add(venue.id() + ": " + (done == null ? "ingest not running, the next start subscribes them" : done));
        }
        return said;
    }

    /** An operator's change of one venue's symbols over JMX: checked as a file edit is, applied the same way. */
    @Override
    public synchronized String edit(Venue venue, String operation, String symbols) {
        FeedSettings feed = running.feed(venue);
        if (feed == null) {
            count("jmx", "rejected");
            throw new IllegalArgumentException(venue.id() + " is not among the exchanges");
        }
        String property = venue.id() + ".symbols";
        List<Instrument> current = followed.current().instruments(venue);
        List<Instrument> next;
        try {
            List<Instrument> given = symbols.isBlank() ? List.of() : FeedSettings.instruments(venue, symbols, property);
            next = switch (operation) {
                case "set" -> given;
                case "add" -> {
                    List<Instrument> all = new ArrayList<>(current);
                    for (Instrument i : given) {
                        // Already followed, whichever way it is named: nothing to add.
                        if (all.stream().noneMatch(a -> sameInstrument(a, i))) {
                            all.add(i);
                        }
                    }
                    yield FeedSettings.instruments(venue, String.join(",", all.stream().map(Instrument::symbol).toList()), property);
                }
                case "remove" -> {
                    // By the instrument, whichever way it is named (BTCUSDT or BTC-USDT on Binance).
                    for (Instrument i : given) {
                        if (current.stream().noneMatch(c -> sameInstrument(c, i))) {
                            throw GatewaySettings.invalid(property, symbols, "'" + i.symbol() + "' is not followed on " + venue.id());
                        }
                    }
                    yield current.stream().filter(c -> given.stream().noneMatch(i -> sameInstrument(c, i))).toList();
                }
                default -> throw new IllegalArgumentException("unknown operation " + operation);
            };
            if (next.isEmpty()) {
                throw GatewaySettings.invalid(property, symbols, "would leave " + venue.id() + " with no symbol");
            }
            FeedSettings.requireStreamBudget(venue, next.size(), followed.current().streams(venue).size(),
                    FeedSettings.maxStreams(lookup(startFile()), venue.id()), property, symbols);
        } catch (IllegalArgumentException e) {
            count("jmx", "rejected");
            LOG.warn("Symbol change of {} over JMX rejected, nothing applied: {}", venue.id(), e.getMessage());
            throw new IllegalArgumentException(e.getMessage());
        }
        if (next.equals(current)) {
            return venue.id() + ": no change (" + current.size() + " symbols)";
        }
        String diff = property + " " + difference(current, next);
        List<String> done = resubscribe(Map.of(venue, next), Map.of());
        target.mockPrices(mockPrices(lookup(runningFile)));
        running = merged(running);
        changedAtRunTime.add(property);
        long generation = state.generation() + 1;
        String said = diff + "; " + String.join("; ", done);
        state = new State(generation, System.currentTimeMillis(), "jmx", state.file(), false, state.problem(),
                state.restartRequired(), List.copyOf(changedAtRunTime));
        count("jmx", "applied");
        LOG.info("Configuration generation {} applied from JMX: {}", generation, said);
        return said;
    }

    private static boolean sameInstrument(Instrument a, Instrument b) {
        return a.nativeSymbol().equals(b.nativeSymbol()) && a.market() == b.market();
    }

    private static String difference(List<Instrument> before, List<Instrument> after) {
        Set<Instrument> was = new java.util.HashSet<>(before);
        Set<Instrument> is = new java.util.HashSet<>(after);
        List<String> added = after.stream().filter(i -> !was.contains(i)).map(Instrument::symbol).toList();
        List<String> removed = before.stream().filter(i -> !is.contains(i)).map(Instrument::symbol).toList();
        return "added " + shortList(added) + ", removed " + shortList(removed) + " (" + after.size() + " now)";
    }

    private static String shortList(List<String> names) {
        return names.size() <= 10 ? names.toString()
                : names.subList(0, 10).toString().replace("]", ", and " + (names.size() - 10) + " more]");
    }

    /** {@code logging.level.<logger> = LEVEL}: set at start and whenever it changes (Log4j is the backend). */
    private List<String> applyLogLevels(Function<String, String> values, List<String> changedNames) {
        List<String> said = new ArrayList<>();
        Set<String> names = new TreeSet<>();
        runningFile.stringPropertyNames().forEach(names::add);
        packaged.stringPropertyNames().forEach(names::add);
        if (changedNames != null) {
            names.addAll(changedNames);
        }
        for (String name : names) {
            if (!name.startsWith(LOGGING_PREFIX) || changedNames != null && !changedNames.contains(name)) {
                continue;
            }
            String logger = name.substring(LOGGING_PREFIX.length());
            String loggerName = logger.equals("root") ? "" : logger;
            String level = values.apply(name);
            if (level == null || level.isBlank()) {
                // The line is gone: back to the level the logger had before this first set it (log4j2.xml's).
                Object before = originalLevels.remove(loggerName);
                if (before != null && setLevel(loggerName, before.toString())) {
                    said.add(name + " -> " + before + " (as before)");
                }
                continue;
            }
            originalLevels.computeIfAbsent(loggerName, LiveConfiguration::currentLevel);
            if (setLevel(loggerName, level.trim().toUpperCase(Locale.ROOT))) {
                said.add(name + " -> " + level.trim().toUpperCase(Locale.ROOT));
            }
        }
        return said;
    }

    /** A logger's level now (Log4j), or null for another backend. */
    private static Object currentLevel(String logger) {
        try {
            Object log = Class.forName("org.apache.logging.log4j.LogManager").getMethod("getLogger", String.class)
                    .invoke(null, logger);
            return log.getClass().getMethod("getLevel").invoke(log);
        } catch (ReflectiveOperationException | LinkageError e) {
            return null;
        }
    }

    /** Reflection: Log4j is a runtime dependency, and another backend simply keeps its levels. */
    private static boolean setLevel(String logger, String level) {
        try {
            Class<?> levelClass = Class.forName("org.apache.logging.log4j.Level");
            Object value = levelClass.getMethod("toLevel", String.class, levelClass).invoke(null, level, null);
            if (value == null) {
                return false;
            }
            Class.forName("org.apache.logging.log4j.core.config.Configurator")
                    .getMethod("setLevel", String.class, levelClass).invoke(null, logger, value);
            return true;
        } catch (ReflectiveOperationException | LinkageError e) {
            return false;
        }
    }

    /**
     * What public health says of a refused edit: the whole message for a live property (symbols, thresholds: an
     * API consumer may see them), only the property's name for the others, whose values (proxy hosts and users, URLs
     * with tokens, secret files' paths) are the operators' business; the log has the whole message.
     */
    static String publicProblem(String message) {
        Matcher m = Pattern.compile("Invalid ([A-Za-z0-9_.\\-\\[\\]]+)[ :].*", Pattern.DOTALL).matcher(message == null ? "" : message);
        if (m.matches() && !isLive(m.group(1))) {
            return "Invalid " + m.group(1) + " (the gateway's log says why)";
        }
        return message;
    }

    /** Whether a property applies while running. */
    static boolean isLive(String name) {
        if (LIVE_QUALITY.contains(name) || name.startsWith("mock.price.") || name.startsWith(LOGGING_PREFIX)) {
            return true;
        }
        for (Venue venue : Venue.values()) {
            if (name.equals(venue.id() + ".symbols") || name.equals(venue.id() + ".streams")) {
                return true;
            }
        }
        return false;
    }

    /** A property of a venue not among the exchanges: not read, so its change changes nothing. */
    private boolean ofDisabledVenue(String name) {
        for (Venue venue : Venue.values()) {
            if (name.startsWith(venue.id() + ".") && running.feed(venue) == null) {
                return true;
            }
        }
        return false;
    }

    private static String normalized(String value) {
        return value == null ? "" : value.trim();
    }

    private static String show(String value) {
        return value == null ? "(unset)" : ProxySpec.mask(value.trim());
    }

    private void count(String source, String result) {
        changes.get(source + "|" + result).increment();
    }

    /** Values as Camel resolves them: overrides, then this file, then the packaged file; placeholders resolved. */
    private Function<String, String> lookup(Properties fileValues) {
        return new Function<>() {
            @Override
            public String apply(String name) {
                return resolve(name, new java.util.HashSet<>());
            }

            /**
             * A property's value with its placeholders resolved as Camel resolves them, the innermost first (so a
             * placeholder may be built from another); null, as for Camel, when one cannot be resolved (an unset
             * name without a default, a name that refers back to itself): the property counts as unset.
             */
            private String resolve(String name, Set<String> resolving) {
                String value = overrides.apply(name);
                if (value == null) {
                    value = fileValues.getProperty(name);
                }
                if (value == null) {
                    value = packaged.getProperty(name);
                }
                if (value == null || !value.contains("{{")) {
                    return value;
                }
                if (!resolving.add(name)) {
                    return null;
                }
                try {
                    for (int round = 0; value.contains("{{"); round++) {
                        Matcher m = PLACEHOLDER.matcher(value);
                        if (round > 100 || value.length() > MAX_RESOLVED_CHARS || !m.find()) {
                            return null;
                        }
                        String inner = function(m.group(1), resolving);
                        if (inner == null) {
                            return null;
                        }
                        value = value.substring(0, m.start()) + inner + value.substring(m.end());
                    }
                    return value;
                } finally {
                    resolving.remove(name);
                }
            }

            /**
             * {@code name} or {@code name:default}, and Camel's {@code env:NAME} and {@code sys:name} (with
             * {@code :default} too); null when it has no value.
             */
            private String function(String placeholder, Set<String> resolving) {
                int colon = placeholder.indexOf(':');
                String head = (colon < 0 ? placeholder : placeholder.substring(0, colon)).trim();
                String rest = colon < 0 ? null : placeholder.substring(colon + 1);
                if ((head.equals("env") || head.equals("sys")) && rest != null) {
                    int second = rest.indexOf(':');
                    String name = second < 0 ? rest.trim() : rest.substring(0, second).trim();
                    String fallback = second < 0 ? null : rest.substring(second + 1);
                    String found = head.equals("sys") ? System.getProperty(name) : env.get(name);
                    if (found == null && head.equals("env")) {
                        found = env.get(name.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_'));
                    }
                    return found != null ? found : fallback;
                }
                String inner = resolve(head, resolving);
                return inner != null ? inner : rest;
            }
        };
    }

    private static Properties packaged() {
        Properties p = new Properties();
        try (InputStream in = LiveConfiguration.class.getResourceAsStream("/application.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // no packaged defaults: the built-in ones apply
        }
        return p;
    }

    /** Properties as Camel reads the file: {@link Properties#load(InputStream)}, ISO-8859-1 with escapes. */
    private static Properties load(byte[] content) {
        Properties p = new Properties();
        try (InputStream in = new java.io.ByteArrayInputStream(content)) {
            p.load(in);
        } catch (IOException | IllegalArgumentException e) {
            // A malformed \\u escape: nothing read, so nothing to apply.
            return new Properties();
        }
        return p;
    }

    private static byte[] contentOrNull(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** For health: the state, as JSON fields. */
    public Map<String, Object> healthDetails() {
        State s = state;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("generation", s.generation());
        out.put("applied_at", Instant.ofEpochMilli(s.appliedAt()).toString());
        out.put("source", s.source());
        // The name only: health is public, the server's paths are not the clients' business.
        out.put("file", s.file() == null ? null : Path.of(s.file()).getFileName().toString());
        out.put("file_matches_running", s.fileMatchesRunning());
        out.put("problem", s.problem());
        out.put("restart_required", s.restartRequired());
        out.put("changed_at_run_time", s.changedAtRunTime());
        return out;
    }
}
