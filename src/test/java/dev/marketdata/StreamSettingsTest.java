package dev.marketdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

class StreamSettingsTest {

    private static dev.marketdata.api.TickStream.Limits of(Map<String, String> properties) {
        return StreamSettings.from(properties::get);
    }

    @Test
    void originsAreTakenAsBrowsersSendThem() {
        assertEquals(Set.of("https://desk.example.com", "http://127.0.0.1:8081", "http://[::1]:8081"),
                of(Map.of("stream.allowed-origins", "https://Desk.Example.com, http://127.0.0.1:8081,http://[::1]:8081")).allowedOrigins());
        assertEquals(Set.of(), of(Map.of("stream.allowed-origins", " ")).allowedOrigins());
    }

    /** A value no browser sends as its Origin would refuse every browser in silence: refused at start-up. */
    @Test
    void anOriginNoBrowserSendsIsRefused() {
        for (String bad : new String[] { "not-an-origin", "http://a.example/", "https://a.example/app", "ftp://a.example",
                "desk.example.com", "https://a.example:99999x", "*" }) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> of(Map.of("stream.allowed-origins", "https://ok.example," + bad)), bad);
            assertEquals(true, e.getMessage().startsWith("Invalid stream.allowed-origins 'https://ok.example," + bad + "': '" + bad
                    + "' is not an origin as browsers send it"), e.getMessage());
        }
    }

    @Test
    void keysAreTrimmedAndDefaultsAreThere() {
        dev.marketdata.api.TickStream.Limits limits = of(Map.of("stream.api-keys", " k1 ,k2,, "));
        assertEquals(Set.of("k1", "k2"), limits.apiKeys());
        assertEquals(1_000, limits.maxClients());
        assertEquals(1_000, limits.maxSubscriptionsPerClient());
        assertEquals(10, limits.maxMessagesPerSecond());
        assertEquals(10_000, limits.clientTimeoutMillis());
        assertEquals(10_000, limits.heartbeatMillis());
    }
}
