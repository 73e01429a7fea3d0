package dev.marketdata.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.model.FrameOutcome;
import dev.marketdata.model.Market;
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.RejectReason;
import dev.marketdata.model.StreamKind;
import dev.marketdata.pipeline.QualityMonitor.Kind;
import dev.marketdata.support.CapturedLog;
import dev.marketdata.support.Frames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each data-quality alert, for a crafted episode: raised exactly once however many ticks show it, reported
 * by the next check (one log line and one message per kind and state, however many symbols), and cleared
 * once its condition has been absent for the clear-after time. The clock is the test's.
 */
class QualityMonitorTest extends CamelTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long CLEAR_AFTER = 60_000;
    private static final List<String> SYMBOLS = Frames.symbols(200);
    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    private FreshnessTracker freshness;
    private QualityMonitor monitor;
    private CapturedLog log;
    private long sequence = 1;

    @Override
    protected CamelContext createCamelContext() throws Exception {
        CamelContext context = super.createCamelContext();
        context.getPropertiesComponent().addInitialProperty("quality.alert.uri", "mock:alerts");
        context.getPropertiesComponent().addInitialProperty("quality.check-interval-ms", "3600000");
        return context;
    }

    @Override
    protected void bindToRegistry(Registry registry) {
        freshness = new FreshnessTracker(SYMBOLS, now::get);
        monitor = monitor(QualityMonitor.JumpAction.FLAG, 30_000);
        registry.bind(QualityMonitor.BEAN, monitor);
    }

    private QualityMonitor monitor(QualityMonitor.JumpAction action, long staleMillis) {
        return new QualityMonitor(freshness, new SimpleMeterRegistry(), staleMillis, new BigDecimal("10"), 5_000, action,
                CLEAR_AFTER, 5_000, now::get);
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new QualityRoutes();
    }

    @BeforeEach
    void wire() {
        monitor.sendAlertsWith(template);
        SYMBOLS.forEach(s -> freshness.stored(s, now.get()));
        log = new CapturedLog(QualityMonitor.class);
    }

    @AfterEach
    void unwire() {
        log.close();
    }

    @Test
    void priceJumpIsOneEpisodeFromJumpToRecovery() throws Exception {
        MockEndpoint alerts = getMockEndpoint("mock:alerts");
        alerts.expectedMessageCount(2);
        inspect(book("S0000USDT", "100.00", "100.10"));
        inspect(book("S0000USDT", "100.50", "100.60"));
        inspect(book("S0000USDT", "120.00", "120.10"));
        assertEquals(List.of("price_jump:S0000USDT"), monitor.activeAlerts());
        monitor.check();
        inspect(book("S0000USDT", "121.00", "121.10"));
        inspect(book("S0000USDT", "160.00", "160.10"));
        inspect(book("S0000USDT", "161.00", "161.10"));
        // The condition is gone, but the alert holds until it has stayed gone for the clear-after time.
        now.addAndGet(CLEAR_AFTER - 1);
        touchAll();
        monitor.check();
        assertEquals(List.of("price_jump:S0000USDT"), monitor.activeAlerts());
        now.addAndGet(1);
        touchAll();
        monitor.check();
        alerts.assertIsSatisfied();
        assertEquals(1.0, monitor.raisedCount(Kind.PRICE_JUMP, "S0000USDT"));
        assertEquals(List.of(), monitor.activeAlerts());
        JsonNode raised = body(alerts, 0);
        assertEquals("price_jump", raised.get("kind").asText());
        assertEquals("raised", raised.get("state").asText());
        assertEquals(1, raised.get("count").asInt());
        assertEquals("S0000USDT", raised.get("alerts").get(0).get("symbol").asText());
        assertEquals("price moved 19.39% from 100.55 to 120.05", raised.get("alerts").get(0).get("detail").asText());
        assertEquals("cleared", body(alerts, 1).get("state").asText());
        assertEquals(List.of("WARN Data-quality alert price_jump raised for 1 symbol(s): S0000USDT (price moved 19.39% "
                + "from 100.55 to 120.05)", "INFO Data-quality alert price_jump cleared for 1 symbol(s): S0000USDT"), log.lines());
    }

    @Test
    void lockedBookZeroQuantityAndCrossedBookRaiseOncePerEpisode() throws Exception {
        MockEndpoint alerts = getMockEndpoint("mock:alerts");
        alerts.expectedMessageCount(6);
        for (int i = 0; i < 3; i++) {
            inspect(book("S0001USDT", "50.00", "50.00"));
        }
        inspect(book("S0001USDT", "50.00", "50.01"));
        for (int i = 0; i < 3; i++) {
            inspect(tick("S0001USDT", "50.00", "0", "50.01", "2", null));
        }
        inspect(book("S0001USDT", "50.00", "50.01"));
        inspect(book("S0001USDT", "50.02", "50.01"));
        inspect(book("S0001USDT", "50.03", "50.01"));
        inspect(book("S0001USDT", "50.00", "50.01"));
        monitor.check();
        assertEquals(List.of("locked_book:S0001USDT", "crossed_book:S0001USDT", "zero_quantity:S0001USDT"),
                monitor.activeAlerts());
        now.addAndGet(CLEAR_AFTER);
        touchAll();
        monitor.check();
        alerts.assertIsSatisfied();
        assertEquals(1.0, monitor.raisedCount(Kind.LOCKED_BOOK, "S0001USDT"));
        assertEquals(1.0, monitor.raisedCount(Kind.ZERO_QUANTITY, "S0001USDT"));
        assertEquals(1.0, monitor.raisedCount(Kind.CROSSED_BOOK, "S0001USDT"));
        assertEquals(List.of(), monitor.activeAlerts());
    }

    @Test
    void clockSkewIsRaisedOnceAndClearedWhenTimesHaveAgreedForAWhile() throws Exception {
        MockEndpoint alerts = getMockEndpoint("mock:alerts");
        alerts.expectedMessageCount(2);
        inspect(tick("S0002USDT", "100", "1", "100.1", "1", now.get() - 9_000));
        inspect(tick("S0002USDT", "100", "1", "100.1", "1", now.get() + 7_000));
        assertEquals(Map.of("clock_skew:S0002USDT", "event time is -7000 ms from receive time"),
                monitor.activeAlertDetails());
        inspect(tick("S0002USDT", "100", "1", "100.1", "1", now.get() - 200));
        monitor.check();
        now.addAndGet(CLEAR_AFTER);
        touchAll();
        monitor.check();
        alerts.assertIsSatisfied();
        assertEquals(1.0, monitor.raisedCount(Kind.CLOCK_SKEW, "S0002USDT"));
    }

    @Test
    void twoHundredSymbolsGoingStaleTogetherAreOneLineAndOneMessage() throws Exception {
        MockEndpoint alerts = getMockEndpoint("mock:alerts");
        alerts.expectedMessageCount(2);
        monitor.check();
        now.addAndGet(31_000);
        monitor.check();
        monitor.check();
        assertEquals(200, monitor.activeAlerts().size());
        assertEquals(List.of("WARN Data-quality alert stale raised for 200 symbol(s): S0000USDT (no update for 31 s), "
                + "S0001USDT, S0002USDT, S0003USDT, S0004USDT and 195 more"), log.lines());
        // The feed comes back: one line when the alerts clear, after the clear-after time.
        touchAll();
        monitor.check();
        now.addAndGet(CLEAR_AFTER);
        touchAll();
        monitor.check();
        alerts.assertIsSatisfied();
        assertEquals(2, log.lines().size());
        assertEquals("INFO Data-quality alert stale cleared for 200 symbol(s): S0000USDT, S0001USDT, S0002USDT, "
                + "S0003USDT, S0004USDT and 195 more", log.lines().get(1));
        assertEquals(200, body(alerts, 0).get("alerts").size());
        assertEquals(200, body(alerts, 0).get("count").asInt());
        assertEquals(200.0, monitor.raisedCount(Kind.STALE));
    }

    @Test
    void onlyTheInstanceLeadingAVenueAlertsOnIt() throws Exception {
        // Binance's keys have no exchange prefix (S0000USDT): judged by the exchange the key names, as the
        // configuration does, they are Binance's; this instance leads every venue but Binance.
        java.util.concurrent.atomic.AtomicBoolean leadsBinance = new java.util.concurrent.atomic.AtomicBoolean();
        monitor.judgeOnly(key -> !dev.marketdata.model.MarketTick.exchangeOfKey(key).equals("binance") || leadsBinance.get());
        MockEndpoint alerts = getMockEndpoint("mock:alerts");
        now.addAndGet(31_000);
        monitor.check();
        assertEquals(List.of(), monitor.activeAlerts());
        assertEquals(List.of(), log.lines());
        // It takes Binance over: it alerts once for what is stale.
        leadsBinance.set(true);
        monitor.check();
        assertEquals(200, monitor.activeAlerts().size());
        // Another instance takes it back: the alerts are that instance's to report; nothing is sent from here.
        leadsBinance.set(false);
        monitor.check();
        assertEquals(List.of(), monitor.activeAlerts());
        alerts.expectedMessageCount(1);
        alerts.assertIsSatisfied();
        assertEquals(1, log.lines().size());
        assertEquals("raised", body(alerts, 0).get("state").asText());
    }

    @Test
    void symbolsHoveringAtTheStaleThresholdAreOneEpisodeNotAFlood() throws Exception {
        QualityMonitor flapping = monitor(QualityMonitor.JumpAction.FLAG, 1_000);
        List<String> twenty = SYMBOLS.subList(0, 20);
        // 40 s of ticks every 1.1 s with stale.seconds = 1, checked every 100 ms: stale for 100 ms of every
        // 1.1 s. Without hysteresis that was a raise and a clear per symbol per cycle (760 lines).
        long start = now.get();
        long nextTick = start;
        while (now.get() - start < 40_000) {
            SYMBOLS.subList(20, SYMBOLS.size()).forEach(s -> freshness.stored(s, now.get()));
            flapping.check();
            if (now.get() >= nextTick) {
                twenty.forEach(s -> freshness.stored(s, now.get()));
                nextTick += 1_100;
            }
            now.addAndGet(100);
        }
        List<String> lines = log.lines();
        assertEquals(List.of("WARN Data-quality alert stale raised for 20 symbol(s): S0000USDT (no update for 1 s), "
                + "S0001USDT, S0002USDT, S0003USDT, S0004USDT and 15 more"), lines.stream().filter(l -> l.contains("stale")).toList(),
                String.join("\n", lines));
        assertEquals(20.0, flapping.raisedCount(Kind.STALE));
    }

    @Test
    void inRejectModeAJumpIsRejectedAndTheNextConfirmingTickAccepted() {
        QualityMonitor strict = monitor(QualityMonitor.JumpAction.REJECT, 30_000);
        assertInstanceOf(FrameOutcome.Accepted.class, strict.inspect(new FrameOutcome.Accepted(book("S0003USDT", "100", "100.2"))));
        FrameOutcome jump = strict.inspect(new FrameOutcome.Accepted(book("S0003USDT", "130", "130.2")));
        assertEquals(RejectReason.PRICE_JUMP, assertInstanceOf(FrameOutcome.Rejected.class, jump).reason());
        assertInstanceOf(FrameOutcome.Accepted.class, strict.inspect(new FrameOutcome.Accepted(book("S0003USDT", "130.5", "130.7"))));
    }

    private void touchAll() {
        SYMBOLS.forEach(s -> freshness.stored(s, now.get()));
    }

    private static JsonNode body(MockEndpoint alerts, int i) throws Exception {
        return JSON.readTree(alerts.getExchanges().get(i).getMessage().getBody(String.class));
    }

    private void inspect(MarketTick tick) {
        assertInstanceOf(FrameOutcome.Accepted.class, monitor.inspect(new FrameOutcome.Accepted(tick)));
    }

    private MarketTick book(String symbol, String bid, String ask) {
        return tick(symbol, bid, "1", ask, "1", null);
    }

    private MarketTick tick(String symbol, String bid, String bidQty, String ask, String askQty, Long eventTime) {
        BigDecimal b = new BigDecimal(bid);
        BigDecimal a = new BigDecimal(ask);
        return new MarketTick(symbol, "binance", symbol, Market.SPOT, "X", "USDT", StreamKind.BOOK_TICKER, b.add(a).divide(BigDecimal.valueOf(2)), b,
                new BigDecimal(bidQty), a, new BigDecimal(askQty), null, null, null, null, null, null, null,
                sequence++, eventTime, now.get(), "binance");
    }
}
