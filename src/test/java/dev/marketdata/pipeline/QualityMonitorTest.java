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
import dev.marketdata.model.MarketTick;
import dev.marketdata.model.RejectReason;
import dev.marketdata.model.StreamKind;
import dev.marketdata.pipeline.QualityMonitor.Kind;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.component.mock.MockEndpoint;
import org.apache.camel.spi.Registry;
import org.apache.camel.test.junit5.CamelTestSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each data-quality alert, for a crafted episode: raised exactly once however many ticks show it, sent to
 * the alert endpoint, and cleared once when the data recovers. The clock is the test's.
 */
class QualityMonitorTest extends CamelTestSupport {

    private static final ObjectMapper JSON = new ObjectMapper();
    private final AtomicLong now = new AtomicLong(1_700_000_000_000L);
    private FreshnessTracker freshness;
    private QualityMonitor monitor;
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
        freshness = new FreshnessTracker(List.of("BTCUSDT", "ETHUSDT"), now::get);
        monitor = new QualityMonitor(freshness, new SimpleMeterRegistry(), 30_000, new BigDecimal("10"), 5_000,
                QualityMonitor.JumpAction.FLAG, now::get);
        registry.bind(QualityMonitor.BEAN, monitor);
    }

    @Override
    protected RoutesBuilder createRouteBuilder() {
        return new QualityRoutes();
    }

    @BeforeEach
    void wire() {
        monitor.sendAlertsWith(template);
    }

    @Test
    void priceJumpIsOneEpisodeFromJumpToRecovery() throws Exception {
        MockEndpoint alerts = getMockEndpoint("mock:alerts");
        alerts.expectedMessageCount(2);
        inspect(book("BTCUSDT", "100.00", "100.10"));
        inspect(book("BTCUSDT", "100.50", "100.60"));
        inspect(book("BTCUSDT", "120.00", "120.10"));
        assertEquals(List.of("price_jump:BTCUSDT"), monitor.activeAlerts());
        inspect(book("BTCUSDT", "121.00", "121.10"));
        alerts.assertIsSatisfied();
        assertEquals(1.0, monitor.raisedCount(Kind.PRICE_JUMP, "BTCUSDT"));
        assertEquals(List.of(), monitor.activeAlerts());
        JsonNode raised = JSON.readTree(alerts.getExchanges().get(0).getMessage().getBody(String.class));
        assertEquals("price_jump", raised.get("kind").asText());
        assertEquals("BTCUSDT", raised.get("symbol").asText());
        assertEquals("raised", raised.get("state").asText());
        assertEquals("price moved 19.39% from 100.55 to 120.05", raised.get("detail").asText());
        assertEquals("cleared", JSON.readTree(alerts.getExchanges().get(1).getMessage().getBody(String.class))
                .get("state").asText());
    }

    @Test
    void lockedBookZeroQuantityAndCrossedBookRaiseOncePerEpisode() throws Exception {
        MockEndpoint alerts = getMockEndpoint("mock:alerts");
        alerts.expectedMessageCount(6);
        for (int i = 0; i < 3; i++) {
            inspect(book("ETHUSDT", "50.00", "50.00"));
        }
        inspect(book("ETHUSDT", "50.00", "50.01"));
        for (int i = 0; i < 3; i++) {
            inspect(tick("ETHUSDT", "50.00", "0", "50.01", "2", null));
        }
        inspect(book("ETHUSDT", "50.00", "50.01"));
        inspect(book("ETHUSDT", "50.02", "50.01"));
        inspect(book("ETHUSDT", "50.03", "50.01"));
        inspect(book("ETHUSDT", "50.00", "50.01"));
        alerts.assertIsSatisfied();
        assertEquals(1.0, monitor.raisedCount(Kind.LOCKED_BOOK, "ETHUSDT"));
        assertEquals(1.0, monitor.raisedCount(Kind.ZERO_QUANTITY, "ETHUSDT"));
        assertEquals(1.0, monitor.raisedCount(Kind.CROSSED_BOOK, "ETHUSDT"));
        assertEquals(List.of(), monitor.activeAlerts());
    }

    @Test
    void clockSkewIsRaisedOnceAndClearedWhenTimesAgreeAgain() throws Exception {
        MockEndpoint alerts = getMockEndpoint("mock:alerts");
        alerts.expectedMessageCount(2);
        inspect(tick("BTCUSDT", "100", "1", "100.1", "1", now.get() - 9_000));
        inspect(tick("BTCUSDT", "100", "1", "100.1", "1", now.get() + 7_000));
        assertEquals(Map.of("clock_skew:BTCUSDT", "event time is 9000 ms from receive time"),
                monitor.activeAlertDetails());
        inspect(tick("BTCUSDT", "100", "1", "100.1", "1", now.get() - 200));
        alerts.assertIsSatisfied();
        assertEquals(1.0, monitor.raisedCount(Kind.CLOCK_SKEW, "BTCUSDT"));
    }

    @Test
    void aStaleSymbolIsRaisedOnceAndClearedByItsNextTick() throws Exception {
        MockEndpoint alerts = getMockEndpoint("mock:alerts");
        alerts.expectedMessageCount(4);
        freshness.stored("BTCUSDT", now.get());
        freshness.stored("ETHUSDT", now.get());
        monitor.checkStale();
        assertEquals(List.of(), monitor.activeAlerts());
        now.addAndGet(31_000);
        freshness.stored("ETHUSDT", now.get());
        monitor.checkStale();
        monitor.checkStale();
        assertEquals(List.of("stale:BTCUSDT"), monitor.activeAlerts());
        now.addAndGet(40_000);
        monitor.checkStale();
        freshness.stored("BTCUSDT", now.get());
        freshness.stored("ETHUSDT", now.get());
        monitor.checkStale();
        alerts.assertIsSatisfied();
        assertEquals(1.0, monitor.raisedCount(Kind.STALE, "BTCUSDT"));
        assertEquals(1.0, monitor.raisedCount(Kind.STALE, "ETHUSDT"));
        assertEquals(List.of(), monitor.activeAlerts());
    }

    @Test
    void inRejectModeAJumpIsRejectedAndTheNextConfirmingTickAccepted() {
        QualityMonitor strict = new QualityMonitor(freshness, new SimpleMeterRegistry(), 30_000, new BigDecimal("10"),
                5_000, QualityMonitor.JumpAction.REJECT, now::get);
        assertInstanceOf(FrameOutcome.Accepted.class, strict.inspect(new FrameOutcome.Accepted(book("BTCUSDT", "100", "100.2"))));
        FrameOutcome jump = strict.inspect(new FrameOutcome.Accepted(book("BTCUSDT", "130", "130.2")));
        assertEquals(RejectReason.PRICE_JUMP, assertInstanceOf(FrameOutcome.Rejected.class, jump).reason());
        assertInstanceOf(FrameOutcome.Accepted.class, strict.inspect(new FrameOutcome.Accepted(book("BTCUSDT", "130.5", "130.7"))));
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
        return new MarketTick(symbol, "X", "USDT", StreamKind.BOOK_TICKER, b.add(a).divide(BigDecimal.valueOf(2)), b,
                new BigDecimal(bidQty), a, new BigDecimal(askQty), null, null, null, null, null, null, null,
                sequence++, eventTime, now.get(), "binance");
    }
}
