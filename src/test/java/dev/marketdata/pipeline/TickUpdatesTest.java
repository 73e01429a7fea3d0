package dev.marketdata.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class TickUpdatesTest {

    @Test
    void aBatchGoesAsOneMessageAndComesBackInOrder() {
        List<TickUpdates.Update> batch = List.of(
                new TickUpdates.Update(false, "okx:BTC-USDT", 41, 1_795_000_000_001L, "{\"symbol\":\"BTC-USDT\",\"s\":\"a\\tb\\nc\"}"),
                new TickUpdates.Update(true, "BTCUSDT", 7, 1_795_000_000_002L, "{\"symbol\":\"BTCUSDT\"}"));
        List<byte[]> messages = TickUpdates.encode(batch);
        assertEquals(1, messages.size());
        int[] malformed = new int[1];
        assertEquals(batch, TickUpdates.decode(messages.get(0), malformed));
        assertEquals(0, malformed[0]);
    }

    @Test
    void aLargeBatchIsSplitBetweenTicksNeverInsideOne() {
        String json = "{\"symbol\":\"BTC-USDT\",\"pad\":\"" + "x".repeat(1_000) + "\"}";
        List<TickUpdates.Update> batch = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            batch.add(new TickUpdates.Update(false, "okx:BTC-USDT", i, 1_795_000_000_000L + i, json));
        }
        List<byte[]> messages = TickUpdates.encode(batch);
        assertEquals(3, messages.size());
        List<TickUpdates.Update> back = new ArrayList<>();
        int[] malformed = new int[1];
        for (byte[] m : messages) {
            assertEquals(true, m.length <= TickUpdates.MAX_MESSAGE_BYTES, "message of " + m.length + " bytes");
            back.addAll(TickUpdates.decode(m, malformed));
        }
        assertEquals(batch, back);
        assertEquals(0, malformed[0]);
    }

    /** Anything else published on the channel is skipped and counted; the good lines beside it still count. */
    @Test
    void foreignLinesAreSkippedAndCounted() {
        String text = "hello\nN\tokx:BTC-USDT\t5\t1795000000000\t{}\nN\tokx:BTC-USDT\tNaN\t1\t{}\nX\ta\t1\t2\t{}\n"
                + "N\tonly-a-key\n\nR\tokx:ETH-USDT\t-3\t1795000000000\t{\"a\":1}";
        int[] malformed = new int[1];
        List<TickUpdates.Update> back = TickUpdates.decode(text.getBytes(StandardCharsets.UTF_8), malformed);
        assertEquals(List.of(new TickUpdates.Update(false, "okx:BTC-USDT", 5, 1_795_000_000_000L, "{}"),
                new TickUpdates.Update(true, "okx:ETH-USDT", -3, 1_795_000_000_000L, "{\"a\":1}")), back);
        assertEquals(4, malformed[0]);
    }
}
