package dev.marketdata.pipeline;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.EnumMap;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import dev.marketdata.model.FrameBatch;
import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.RejectReason;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches the ticks on their way into Redis and raises data-quality alerts: stale symbol, price jump,
 * locked or crossed book, zero quantity, clock skew. An alert is an episode: it is raised once when its
 * condition starts and cleared once its condition has been absent for {@code quality.alert.clear-after},
 * however many ticks show it and however often a symbol hovers at a threshold in between. Trouble rarely
 * comes one symbol at a time, so alerts are reported by the periodic check: per kind, one WARN line for
 * all raised since the last check (the count and the first symbols), one INFO line for all cleared, and one
 * JSON message each to {@code quality.alert.uri} when it is set.
 */
public class QualityMonitor {

    public static final String BEAN = "qualityMonitor";
    /** Asynchronous, so a slow alert endpoint (a webhook, a broker) never holds up ingest. */
    public static final String ALERT_ROUTE = "seda:quality-alerts?size=10000&blockWhenFull=false";
    private static final Logger LOG = LoggerFactory.getLogger(QualityMonitor.class);
    private static final int SHOWN_SYMBOLS = 5;

    private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);

    public enum Kind {
        STALE, PRICE_JUMP, LOCKED_BOOK, CROSSED_BOOK, ZERO_QUANTITY, CLOCK_SKEW;

        private final String tag = name().toLowerCase(Locale.ROOT);

        public String tag() {
            return tag;
        }
    }

    public enum JumpAction { FLAG, REJECT }

    /** What is sent to the alert endpoint, as JSON: every alert of one kind raised (or cleared) in one check. */
    public record Alert(String kind, String state, int count, List<AlertEntry> alerts, long at) {
    }

    /** One symbol of an {@link Alert}; the detail is null for a cleared alert. */
    public record AlertEntry(String symbol, String detail) {
    }

    private record Reference(long sequence, long receivedAt, BigDecimal price) {
    }

    /** One raised alert: its latest detail, and since when its condition has been absent (0 while present). */
    private static final class Active {
        volatile String detail;
        volatile long absentSince;

        Active(String detail) {
            this.detail = detail;
        }
    }

    private record Event(Kind kind, String symbol, boolean raised, String detail) {
    }

    private final FreshnessTracker freshness;
    private volatile long staleMillis;
    private volatile BigDecimal maxJumpPercent;
    private volatile long maxSkewMillis;
    private volatile JumpAction jumpAction;
    private volatile long clearAfterMillis;
    private final long resetAfterMillis;
    private final LongSupplier clock;
    private final Map<String, Reference> references = new ConcurrentHashMap<>();
    private final Map<String, Active> active = new ConcurrentHashMap<>();
    private final Map<Kind, Counter> raised = new EnumMap<>(Kind.class);
    private final Map<String, LongAdder> raisedPerAlert = new ConcurrentHashMap<>();
    private final Queue<Event> events = new ConcurrentLinkedQueue<>();
    private volatile ProducerTemplate alerts;
    private volatile java.util.function.Predicate<String> judges = key -> true;

    /**
     * @param clearAfterMillis {@code quality.alert.clear-after}: an alert clears only once its condition has
     *                         been absent this long, so a symbol hovering at a threshold is one episode
     * @param resetAfterMillis {@code tick.sequence-reset-after}: the price reference follows the store's
     *                         newer-than rule, so a bogus sequence cannot freeze it either
     */
    public QualityMonitor(FreshnessTracker freshness, MeterRegistry registry, long staleMillis,
            BigDecimal maxJumpPercent, long maxSkewMillis, JumpAction jumpAction, long clearAfterMillis,
            long resetAfterMillis, LongSupplier clock) {
        this.freshness = freshness;
        this.staleMillis = staleMillis;
        this.maxJumpPercent = maxJumpPercent;
        this.maxSkewMillis = maxSkewMillis;
        this.jumpAction = jumpAction;
        this.clearAfterMillis = clearAfterMillis;
        this.resetAfterMillis = resetAfterMillis;
        this.clock = clock;
        for (Kind kind : Kind.values()) {
            raised.put(kind, Counter.builder("marketdata.quality.alerts")
                    .description("Data-quality alert episodes raised, by kind").tag("kind", kind.tag()).register(registry));
            Gauge.builder("marketdata.quality.alerts.active", active, a -> countActive(kind))
                    .description("Data-quality alerts currently raised, by kind").tag("kind", kind.tag())
                    .register(registry);
        }
    }

    /** The thresholds ({@code quality.*}), changed at run time; ticks from now on are judged by them. */
    public void thresholds(long staleMillis, BigDecimal maxJumpPercent, long maxSkewMillis, JumpAction jumpAction,
            long clearAfterMillis) {
        this.staleMillis = staleMillis;
        this.maxJumpPercent = maxJumpPercent;
        this.maxSkewMillis = maxSkewMillis;
        this.jumpAction = jumpAction;
        this.clearAfterMillis = clearAfterMillis;
    }

    /**
     * Symbols no longer followed: their alerts are cleared (reported as such at the next check, so an alert
     * endpoint sees every episode end) and their price references forgotten.
     */
    public void forget(java.util.Collection<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        java.util.Set<String> removed = keys instanceof java.util.Set<String> set ? set : new java.util.HashSet<>(keys);
        // One pass over each map: KIND:KEY and KEY|stream.
        for (String alert : List.copyOf(active.keySet())) {
            String symbol = alert.substring(alert.indexOf(':') + 1);
            if (removed.contains(symbol) && active.remove(alert) != null) {
                events.add(new Event(kindOf(alert), symbol, false, null));
            }
        }
        references.keySet().removeIf(k -> removed.contains(k.substring(0, Math.max(0, k.lastIndexOf('|')))));
        raisedPerAlert.keySet().removeIf(k -> removed.contains(k.substring(k.indexOf(':') + 1)));
    }

    private static Kind kindOf(String alert) {
        String tag = alert.substring(0, alert.indexOf(':'));
        for (Kind kind : Kind.values()) {
            if (kind.tag().equals(tag)) {
                return kind;
            }
        }
        return Kind.STALE;
    }

    /**
     * The keys ({@code exchange:SYMBOL}) this instance alerts on: those of the venues it leads, so that several
     * instances on one data set raise each alert once. Every key without a cluster service.
     */
    public void judgeOnly(java.util.function.Predicate<String> keys) {
        this.judges = keys;
    }

    /** Where raised and cleared alerts go (the route behind {@link #ALERT_ROUTE}); null sends nothing. */
    public void sendAlertsWith(ProducerTemplate template) {
        this.alerts = template;
    }

    /**
     * Checks a valid tick before it is stored. Returns it unchanged, or a rejection when it jumps
     * and jumps are configured to reject. A rejected jump still becomes the new reference, so a market
     * that really moved is accepted from its next tick on.
     */
    /** The pipeline's step: each outcome of the batch, inspected. */
    public FrameBatch inspectAll(FrameBatch batch) {
        return batch.apply((outcome, nanos) -> inspect(outcome), StepFailures.LOG_AND_DROP);
    }

    public FrameOutcome inspect(FrameOutcome outcome) {
        if (outcome instanceof FrameOutcome.Accepted accepted) {
            return inspectTick(accepted);
        }
        return outcome;
    }

    /** The outcome itself when the tick passes, so that what the venue said of it (a sequence reset) goes on. */
    private FrameOutcome inspectTick(FrameOutcome.Accepted accepted) {
        MarketTick tick = accepted.tick();
        String symbol = tick.key();
        String refKey = symbol + '|' + tick.stream().configName();
        boolean jumped = false;
        String jumpDetail = null;
        synchronized (references) {
            Reference previous = references.get(refKey);
            if (previous != null && !NewestWins.judge(tick.sequence(), tick.receivedAt(), previous.sequence(),
                    previous.receivedAt(), accepted.sequenceReset() ? 0 : resetAfterMillis).stores()) {
                // Older than what was already inspected: the store will drop it, nothing to judge.
                return accepted;
            }
            if (previous != null && previous.price().signum() > 0) {
                // |move| x 100 > max% x previous, exact and without a division on every tick; the percentage
                // itself only for the alert's text.
                BigDecimal move = tick.price().subtract(previous.price()).abs();
                if (move.multiply(HUNDRED).compareTo(maxJumpPercent.multiply(previous.price())) > 0) {
                    BigDecimal movePercent = move.multiply(HUNDRED).divide(previous.price(), MathContext.DECIMAL64);
                    jumped = true;
                    jumpDetail = "price moved " + movePercent.setScale(2, java.math.RoundingMode.HALF_UP).toPlainString()
                            + "% from " + previous.price().toPlainString() + " to " + tick.price().toPlainString();
                }
            }
            references.put(refKey, new Reference(tick.sequence(), tick.receivedAt(), tick.price()));
        }
        update(Kind.PRICE_JUMP, symbol, jumped, jumpDetail);
        boolean locked = tick.bid() != null && tick.ask() != null && tick.bid().compareTo(tick.ask()) == 0;
        boolean crossed = tick.bid() != null && tick.ask() != null && tick.bid().compareTo(tick.ask()) > 0;
        update(Kind.LOCKED_BOOK, symbol, locked, locked ? "bid equals ask at " + tick.bid().toPlainString() : null);
        update(Kind.CROSSED_BOOK, symbol, crossed, crossed ? "bid " + tick.bid().toPlainString() + " above ask "
                + tick.ask().toPlainString() : null);
        boolean zero = (tick.bidQty() != null && tick.bidQty().signum() == 0)
                || (tick.askQty() != null && tick.askQty().signum() == 0);
        update(Kind.ZERO_QUANTITY, symbol, zero, zero ? "bid or ask quantity is zero" : null);
        boolean skewed = tick.eventTime() != null && Math.abs(tick.receivedAt() - tick.eventTime()) > maxSkewMillis;
        update(Kind.CLOCK_SKEW, symbol, skewed, skewed ? "event time is " + (tick.receivedAt() - tick.eventTime())
                + " ms from receive time" : null);
        if (jumped && jumpAction == JumpAction.REJECT) {
            return new FrameOutcome.Rejected(tick.stream().configName(), RejectReason.PRICE_JUMP, jumpDetail);
        }
        return accepted;
    }

    /**
     * The periodic check: looks for stale symbols, clears alerts whose condition has been absent for
     * {@code quality.alert.clear-after}, then reports what was raised and cleared since the last check: one
     * log line and one alert message per kind and state, however many symbols.
     */
    public void check() {
        long now = clock.getAsLong();
        java.util.function.Predicate<String> judged = judges;
        for (String symbol : freshness.symbols()) {
            if (!judged.test(symbol)) {
                // Another instance leads this venue and alerts on it: this one raises nothing, and drops (without a
                // word, as the leader speaks for it) what it raised while it led.
                for (Kind kind : Kind.values()) {
                    active.remove(key(kind, symbol));
                }
                continue;
            }
            long age = freshness.ageMillis(symbol);
            boolean stale = age > staleMillis;
            update(Kind.STALE, symbol, stale, stale ? "no update for " + age / 1000 + " s" : null);
        }
        if (!active.isEmpty()) {
            // In configured order, so that reports list symbols as operators configured them.
            for (Kind kind : Kind.values()) {
                for (String symbol : freshness.symbols()) {
                    String key = key(kind, symbol);
                    Active alert = active.get(key);
                    if (alert != null && alert.absentSince != 0 && now - alert.absentSince >= clearAfterMillis
                            && active.remove(key, alert)) {
                        events.add(new Event(kind, symbol, false, null));
                    }
                }
            }
        }
        report(now);
    }

    private void report(long now) {
        Map<Kind, List<Event>> raisedNow = new EnumMap<>(Kind.class);
        Map<Kind, List<Event>> clearedNow = new EnumMap<>(Kind.class);
        for (Event e = events.poll(); e != null; e = events.poll()) {
            (e.raised() ? raisedNow : clearedNow).computeIfAbsent(e.kind(), k -> new ArrayList<>()).add(e);
        }
        raisedNow.forEach((kind, list) -> {
            LOG.warn("Data-quality alert {} raised for {} symbol(s): {}", kind.tag(), list.size(), summary(list));
            send(new Alert(kind.tag(), "raised", list.size(), alertEntries(list), now));
        });
        clearedNow.forEach((kind, list) -> {
            LOG.info("Data-quality alert {} cleared for {} symbol(s): {}", kind.tag(), list.size(), summary(list));
            send(new Alert(kind.tag(), "cleared", list.size(), alertEntries(list), now));
        });
    }

    /** The first symbols (with the first one's detail), then how many more. */
    private static String summary(List<Event> list) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Math.min(SHOWN_SYMBOLS, list.size()); i++) {
            Event e = list.get(i);
            sb.append(i == 0 ? "" : ", ").append(e.symbol());
            if (i == 0 && e.detail() != null) {
                sb.append(" (").append(e.detail()).append(')');
            }
        }
        if (list.size() > SHOWN_SYMBOLS) {
            sb.append(" and ").append(list.size() - SHOWN_SYMBOLS).append(" more");
        }
        return sb.toString();
    }

    private static List<AlertEntry> alertEntries(List<Event> list) {
        return list.stream().map(e -> new AlertEntry(e.symbol(), e.detail())).toList();
    }

    public List<String> activeAlerts() {
        List<String> out = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            for (String symbol : freshness.symbols()) {
                if (active.containsKey(key(kind, symbol))) {
                    out.add(key(kind, symbol));
                }
            }
        }
        return out;
    }

    /** Active alerts with their detail, for health output. */
    public Map<String, String> activeAlertDetails() {
        Map<String, String> out = new LinkedHashMap<>();
        for (String key : activeAlerts()) {
            Active alert = active.get(key);
            out.put(key, alert == null ? "" : alert.detail);
        }
        return out;
    }

    public double raisedCount(Kind kind, String symbol) {
        LongAdder count = raisedPerAlert.get(key(kind, symbol));
        return count == null ? 0 : count.sum();
    }

    public double raisedCount(Kind kind) {
        return raised.get(kind).count();
    }

    /** Raises an alert when its condition starts; notes when it stops, for {@link #check()} to clear it later. */
    private void update(Kind kind, String symbol, boolean condition, String detail) {
        if (!condition && active.isEmpty()) {
            // The usual case, nothing raised anywhere: nothing to clear, and no key to build.
            return;
        }
        String key = key(kind, symbol);
        if (condition) {
            Active alert = active.get(key);
            if (alert != null) {
                alert.detail = detail;
                alert.absentSince = 0;
            } else if (active.putIfAbsent(key, new Active(detail)) == null) {
                raised.get(kind).increment();
                raisedPerAlert.computeIfAbsent(key, k -> new LongAdder()).increment();
                events.add(new Event(kind, symbol, true, detail));
            }
        } else {
            Active alert = active.get(key);
            if (alert != null && alert.absentSince == 0) {
                alert.absentSince = Math.max(1, clock.getAsLong());
            }
        }
    }

    private void send(Alert alert) {
        ProducerTemplate template = alerts;
        if (template == null) {
            return;
        }
        try {
            template.sendBody(ALERT_ROUTE, alert);
        } catch (RuntimeException e) {
            LOG.warn("Could not deliver data-quality alert {} {}: {}", alert.kind(), alert.state(), e.getMessage());
        }
    }

    private long countActive(Kind kind) {
        String prefix = kind.tag() + ":";
        return active.keySet().stream().filter(k -> k.startsWith(prefix)).count();
    }

    private static String key(Kind kind, String symbol) {
        return kind.tag() + ":" + symbol;
    }
}
