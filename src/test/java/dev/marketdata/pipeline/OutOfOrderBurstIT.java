package dev.marketdata.pipeline;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.support.BinanceStandIn;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * The vertx-websocket consumer hands frames to worker threads with no ordering, so a burst for one symbol
 * reaches the store out of order. Whatever the interleaving, Redis must end with the highest update id.
 */
class OutOfOrderBurstIT {

    private static final int ROUNDS = 6;
    private static final int BURST = 3000;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static BinanceStandIn standIn;
    private static RunningGateway gateway;

    @BeforeAll
    static void start() throws Exception {
        TestRedis.flush();
        standIn = new BinanceStandIn(List.of());
        gateway = RunningGateway.start(Map.of("binance.ws.url", standIn.url(), "binance.symbols", "BTCUSDT"));
        await("the gateway connected", Duration.ofSeconds(20), () -> standIn.connectedClients() == 1);
    }

    @AfterAll
    static void stop() throws Exception {
        RunningGateway.closeAll(gateway, standIn);
    }

    @Test
    void theHighestUpdateIdWinsEveryTime() throws Exception {
        IngestMetrics metrics = gateway.bean(IngestMetrics.BEAN, IngestMetrics.class);
        Random random = new Random(42);
        long base = 1_000_000;
        for (int round = 0; round < ROUNDS; round++) {
            List<Long> ids = new ArrayList<>();
            for (long u = base + 1; u <= base + BURST; u++) {
                ids.add(u);
            }
            // Odd rounds also arrive shuffled on the wire: the newest is somewhere in the middle.
            if (round % 2 == 1) {
                Collections.shuffle(ids, random);
            }
            List<String> frames = new ArrayList<>();
            for (long u : ids) {
                frames.add(frame(u));
            }
            double before = metrics.framesReceivedCount();
            double settledBefore = metrics.settledCount(List.of("BTCUSDT"));
            standIn.broadcast(frames);
            await("round " + round + " processed", Duration.ofSeconds(60),
                    () -> metrics.framesReceivedCount() == before + BURST);
            await("round " + round + " settled", Duration.ofSeconds(60),
                    () -> metrics.settledCount(List.of("BTCUSDT")) == settledBefore + BURST);
            long top = base + BURST;
            try (Jedis redis = TestRedis.client()) {
                JsonNode stored = JSON.readTree(redis.get("tick:latest:BTCUSDT"));
                assertEquals(top, stored.get("update_id").asLong(), "round " + round);
                assertEquals(bid(top).toPlainString(), stored.get("bid").asText(), "round " + round);
            }
            base += BURST;
        }
        assertEquals(ROUNDS * BURST, (long) metrics.settledCount(List.of("BTCUSDT")));
    }

    private static BigDecimal bid(long u) {
        return BigDecimal.valueOf(u, 2);
    }

    private static String frame(long u) {
        BigDecimal bid = bid(u);
        return "{\"stream\":\"btcusdt@bookTicker\",\"data\":{\"u\":" + u + ",\"s\":\"BTCUSDT\",\"b\":\""
                + bid.toPlainString() + "\",\"B\":\"1.50000000\",\"a\":\"" + bid.add(new BigDecimal("0.01")).toPlainString()
                + "\",\"A\":\"2.00000000\"}}";
    }
}
