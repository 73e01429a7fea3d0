package dev.marketdata.pipeline;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

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
 * locked or crossed book, zero quantity, clock skew. An alert is an episode: it is raised once (counted,
 * logged at WARN, sent to {@code quality.alert.uri}) when its condition starts and cleared once when the
 * data recovers, however many ticks show it in between.
 */
public class QualityMonitor {

    public static final String BEAN = "qualityMonitor";
    /** Asynchronous, so a slow alert endpoint (a webhook, a broker) never holds up ingest. */
    public static final String ALERT_ROUTE = "seda:quality-alerts?size=10000&blockWhenFull=false";
    private static final Logger LOG = LoggerFactory.getLogger(QualityMonitor.class);

    public enum Kind {
        STALE, PRICE_JUMP, LOCKED_BOOK, CROSSED_BOOK, ZERO_QUANTITY, CLOCK_SKEW;

        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public enum JumpAction { FLAG, REJECT }

    /** What is sent to the alert endpoint, as JSON. */
    public record Alert(String kind, String symbol, String state, String detail, long at) {
    }

    private record Reference(long sequence, BigDecimal price) {
    }

    private final FreshnessTracker freshness;
    private final long staleMillis;
    private final BigDecimal maxJumpPercent;
    private final long maxSkewMillis;
    private final JumpAction jumpAction;
    private final LongSupplier clock;
    private final Map<String, Reference> references = new ConcurrentHashMap<>();
    private final Set<String> active = ConcurrentHashMap.newKeySet();
    private final Map<String, Counter> raised = new ConcurrentHashMap<>();
    private final Map<String, String> activeDetail = new ConcurrentHashMap<>();
    private volatile ProducerTemplate alerts;

    public QualityMonitor(FreshnessTracker freshness, MeterRegistry registry, long staleMillis,
            BigDecimal maxJumpPercent, long maxSkewMillis, JumpAction jumpAction, LongSupplier clock) {
        this.freshness = freshness;
        this.staleMillis = staleMillis;
        this.maxJumpPercent = maxJumpPercent;
        this.maxSkewMillis = maxSkewMillis;
        this.jumpAction = jumpAction;
        this.clock = clock;
        for (Kind kind : Kind.values()) {
            for (String symbol : freshness.symbols()) {
                raised.put(key(kind, symbol), Counter.builder("marketdata.quality.alerts")
                        .description("Data-quality alert episodes raised, by kind and symbol")
                        .tag("kind", kind.tag()).tag("symbol", symbol).register(registry));
            }
            Gauge.builder("marketdata.quality.alerts.active", active, a -> countActive(kind))
                    .description("Data-quality alerts currently raised, by kind").tag("kind", kind.tag())
                    .register(registry);
        }
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
    public FrameOutcome inspect(FrameOutcome outcome) {
        if (outcome instanceof FrameOutcome.Accepted accepted) {
            return inspectTick(accepted.tick());
        }
        return outcome;
    }

    private FrameOutcome inspectTick(MarketTick tick) {
        String symbol = tick.symbol();
        String refKey = symbol + '|' + tick.stream().configName();
        boolean jumped = false;
        String jumpDetail = null;
        synchronized (references) {
            Reference previous = references.get(refKey);
            if (previous != null && tick.sequence() <= previous.sequence()) {
                // Older than what was already inspected: the store will drop it, nothing to judge.
                return new FrameOutcome.Accepted(tick);
            }
            if (previous != null && previous.price().signum() > 0) {
                BigDecimal movePercent = tick.price().subtract(previous.price()).abs()
                        .multiply(BigDecimal.valueOf(100)).divide(previous.price(), MathContext.DECIMAL64);
                if (movePercent.compareTo(maxJumpPercent) > 0) {
                    jumped = true;
                    jumpDetail = "price moved " + movePercent.setScale(2, java.math.RoundingMode.HALF_UP).toPlainString()
                            + "% from " + previous.price().toPlainString() + " to " + tick.price().toPlainString();
                }
            }
            references.put(refKey, new Reference(tick.sequence(), tick.price()));
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
        return new FrameOutcome.Accepted(tick);
    }

    /** The periodic check: a symbol with no stored tick within {@code quality.stale.seconds} is stale. */
    public void checkStale() {
        for (String symbol : freshness.symbols()) {
            long age = freshness.ageMillis(symbol);
            boolean stale = age > staleMillis;
            update(Kind.STALE, symbol, stale, stale ? "no update for " + age / 1000 + " s" : null);
        }
    }

    public List<String> activeAlerts() {
        List<String> out = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            for (String symbol : freshness.symbols()) {
                if (active.contains(key(kind, symbol))) {
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
            out.put(key, activeDetail.getOrDefault(key, ""));
        }
        return out;
    }

    public double raisedCount(Kind kind, String symbol) {
        Counter counter = raised.get(key(kind, symbol));
        return counter == null ? 0 : counter.count();
    }

    private void update(Kind kind, String symbol, boolean condition, String detail) {
        String key = key(kind, symbol);
        if (condition) {
            if (active.add(key)) {
                activeDetail.put(key, detail);
                Counter counter = raised.get(key);
                if (counter != null) {
                    counter.increment();
                }
                LOG.warn("Data-quality alert {} for {}: {}", kind.tag(), symbol, detail);
                send(new Alert(kind.tag(), symbol, "raised", detail, clock.getAsLong()));
            }
        } else if (active.remove(key)) {
            activeDetail.remove(key);
            LOG.info("Data-quality alert {} for {} cleared", kind.tag(), symbol);
            send(new Alert(kind.tag(), symbol, "cleared", null, clock.getAsLong()));
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
            LOG.warn("Could not deliver data-quality alert {} for {}: {}", alert.kind(), alert.symbol(), e.getMessage());
        }
    }

    private long countActive(Kind kind) {
        String prefix = kind.tag() + ":";
        return active.stream().filter(k -> k.startsWith(prefix)).count();
    }

    private static String key(Kind kind, String symbol) {
        return kind.tag() + ":" + symbol;
    }
}
