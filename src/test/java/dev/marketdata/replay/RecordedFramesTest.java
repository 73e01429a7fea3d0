package dev.marketdata.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** Both recording forms are read; anything else on a line is skipped, not fatal. */
class RecordedFramesTest {

    @Test
    void theGatewaysFormAndTheFixtureRecorderFormAreRead() {
        assertEquals(new RecordedFrames.Frame(1633998512.5, "{\"stream\":\"x\"}"),
                RecordedFrames.parse("{\"received_at\":1633998512.5,\"frame\":\"{\\\"stream\\\":\\\"x\\\"}\"}"));
        assertEquals(new RecordedFrames.Frame(1652459224.53, "{\"arg\":{}}"),
                RecordedFrames.parse("{\"t\":\"recv\",\"conn\":\"OKX.ws.1\",\"ts\":1652459224.53,\"data\":\"{\\\"arg\\\":{}}\"}"));
        assertNull(RecordedFrames.parse("{\"t\":\"connect\",\"conn\":\"OKX.ws.1\",\"ts\":1.0,\"addr\":\"wss://x\"}"));
        assertNull(RecordedFrames.parse("{\"t\":\"recv\",\"ts\":1.0,\"b64\":\"H4sIAAAA\"}"));
        assertNull(RecordedFrames.parse("not json"));
        assertNull(RecordedFrames.parse("[1,2]"));
    }
}
