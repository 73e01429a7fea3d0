package dev.marketdata.feed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.net.ProxyOptions;
import io.vertx.core.net.ProxyType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Which budget a connect is counted in: the address the venue sees it come from. Direct, the instance's egress name;
 * through a proxy, the proxy's, shared by every instance using it whatever its egress; a loopback proxy is a
 * different one on every machine, so per egress name. Credentials never reach the Redis key.
 */
class ConnectBudgetScopeTest {

    @ParameterizedTest(name = "{0}:{1} -> {2}")
    @CsvSource(delimiter = '|', value = {
            "proxy.example.com | 1080 | @proxy.example.com:1080",
            "Proxy.Example.COM | 3128 | @proxy.example.com:3128",
            "10.1.2.3          | 1080 | @10.1.2.3:1080",
            "127.0.0.1         | 1080 | nat-eu-1@127.0.0.1:1080",
            "127.8.9.10        | 9050 | nat-eu-1@127.8.9.10:9050",
            "localhost         | 1080 | nat-eu-1@localhost:1080",
            "tunnel.localhost  | 1080 | nat-eu-1@tunnel.localhost:1080",
            "::1               | 1080 | nat-eu-1@::1:1080",
            "[::1]             | 1080 | nat-eu-1@[::1]:1080",
            "2001:db8::7       | 1080 | @2001:db8::7:1080" })
    void aProxiedConnectIsCountedAtTheProxysAddress(String host, int port, String scope) {
        ProxyOptions via = new ProxyOptions().setType(ProxyType.SOCKS5).setHost(host).setPort(port)
                .setUsername("ops").setPassword("hunter2");
        assertEquals(scope, ConnectLimiter.scope("nat-eu-1", via));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({ "default", "nat-eu-1", "203.0.113.7" })
    void aDirectConnectIsCountedUnderTheEgressName(String egress) {
        assertEquals(egress, ConnectLimiter.scope(egress, null));
    }
}
