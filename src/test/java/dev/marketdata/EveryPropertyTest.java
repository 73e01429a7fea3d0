package dev.marketdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every property of application.properties with a bad value: start-up stops with one message that names
 * the property, the value and the accepted form, before anything reaches Camel. (The ports, the bind
 * address, Redis's credentials and the alert endpoint are checked against the machine at start-up:
 * ConfigurationErrorIT.)
 */
class EveryPropertyTest {

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of("binance.ws.url", "http://x", "must be a ws:// or wss:// URL without a query"),
                Arguments.of("binance.symbols", "BTC/USDT", "'BTC/USDT' is not BASE-QUOTE or BASE-QUOTE-PERP (letters and digits, for example BTC-USDT) or BTCUSDT"),
                Arguments.of("binance.symbols", "BTC-USDT-PERP", "'BTC-USDT-PERP': binance serves no perpetuals here, only spot (BASE-QUOTE)"),
                Arguments.of("binance.symbols", "BTCUSDT,btc-usdt", "'BTCUSDT' and 'BTC-USDT' are the same instrument (BTCUSDT); name it once"),
                Arguments.of("binance.symbols", "ABCDEFGHIJKLMNO-USDTUSDTUSDT", "'ABCDEFGHIJKLMNO-USDTUSDTUSDT': binance names it ABCDEFGHIJKLMNOUSDTUSDTUSDT, longer than its 20 letters and digits"),
                Arguments.of("okx.enabled", "TRUE", "okx is not among the exchanges; list it in exchanges"),
                Arguments.of("exchanges", "binance,kraken", "'kraken' is not one of binance, okx, bybit, coinbase, htx"),
                Arguments.of("exchanges", "okx,OKX", "names okx twice"),
                Arguments.of("exchanges", ",", "lists no exchange (one or more of binance, okx, bybit, coinbase, htx)"),
                Arguments.of("feed.idle-timeout", "forever", "is not a duration such as 500ms, 30s or 23h30m"),
                Arguments.of("redis.legacy-keys", "sometimes", "must be true or false"),
                Arguments.of("cluster.service", "etcd", "must be one of none, file, kubernetes, zookeeper"),
                Arguments.of("cluster.instance-id", "gw 1", "must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit"),
                Arguments.of("binance.streams", "depth", "'depth' is not one of bookTicker, ticker, miniTicker"),
                Arguments.of("binance.idle-timeout", "30", "must be between 100ms and 1h (a number alone means milliseconds: write 30s for 30 seconds)"),
                Arguments.of("binance.reconnect.initial-delay", "soon", "is not a duration such as 500ms, 30s or 23h30m"),
                Arguments.of("binance.reconnect.max-delay", "2h", "must be between 1ms and 1h"),
                Arguments.of("binance.reconnect.reset-after", "-1s", "is not a duration such as 500ms, 30s or 23h30m"),
                Arguments.of("binance.max-connection-age", "25h", "must be between 1s and 23h59m"),
                Arguments.of("binance.max-streams-per-connection", "5000", "must be between 1 and 1024"),
                Arguments.of("binance.max-url-length", "abc", "is not a whole number"),
                Arguments.of("binance.enabled", "yes", "must be true or false"),
                Arguments.of("replay.file", "/nonexistent/recording.ndjson", "cannot be read"),
                Arguments.of("replay.speed", "-2", "must be a positive number"),
                Arguments.of("replay.loop", "maybe", "must be true or false"),
                Arguments.of("record.file", "/nonexistent/dir/rec.ndjson", "cannot be written (its folder must exist and be writable)"),
                Arguments.of("record.max-size-mb", "0", "must be between 1 and 10240"),
                Arguments.of("record.files", "x", "is not a whole number"),
                Arguments.of("redis.host", " ", "must be a host name or address"),
                Arguments.of("redis.port", "70000", "must be between 1 and 65535"),
                Arguments.of("redis.ssl", "yes", "must be true or false"),
                Arguments.of("redis.database", "16", "must be between 0 and 15"),
                Arguments.of("redis.embedded", "1", "must be true or false"),
                Arguments.of("redis.timeout-ms", "10", "must be between 50 and 60000"),
                Arguments.of("redis.sentinel.master", "my master", "must be the master's name as the sentinels know it (up to 128 printable characters, no spaces)"),
                Arguments.of("redis.reconcile-interval", "abc", "is not a duration such as 500ms, 30s or 23h30m"),
                Arguments.of("redis.shutdown-flush-timeout", "11m", "must be between 0ms and 10m"),
                Arguments.of("tick.ttl.seconds", "0", "must be between 1 and 2592000"),
                Arguments.of("config.reload.interval", "fast", "is not a duration such as 500ms, 30s or 23h30m"),
                Arguments.of("feed.max-streams", "0", "must be between 1 and 100000"),
                Arguments.of("tick.sequence-reset-after", "2h", "must be between 0ms and 1h"),
                Arguments.of("camel.server.port", "99999", "must be between 0 and 65535"),
                Arguments.of("camel.management.port", "-1", "must be between 0 and 65535"),
                Arguments.of("api.worker-threads", "many", "is not a whole number"),
                Arguments.of("mock.price.BTCUSDT", "-5", "must be a positive decimal"),
                Arguments.of("quality.stale.seconds", "0", "must be between 1 and 86400"),
                Arguments.of("quality.max-jump-percent", "0", "must be a positive number"),
                Arguments.of("quality.max-skew-ms", "lots", "is not a whole number"),
                Arguments.of("quality.price-jump-action", "ignore", "must be flag or reject"),
                Arguments.of("quality.check-interval-ms", "-5", "must be between 50 and 3600000"),
                Arguments.of("quality.alert.clear-after", "2d", "must be between 0ms and 1d"),
                Arguments.of("cluster.egress", "nat:eu 1", "must be 1 to 64 letters, digits, '.', '_' or '-': one name for "
                        + "the public address this instance's connections leave from, the same on every instance behind that "
                        + "address (nat-eu-1, 203.0.113.7)"));
    }

    static Stream<Arguments> venueBadValues() {
        return Stream.of(
                Arguments.of("okx.ws.url", "https://ws.okx.com", "must be a ws:// or wss:// URL without a query"),
                Arguments.of("okx.symbols", "BTCUSDT", "'BTCUSDT' is not BASE-QUOTE or BASE-QUOTE-PERP (letters and digits, for example BTC-USDT)"),
                Arguments.of("coinbase.symbols", "BTC-USD-PERP", "'BTC-USD-PERP': coinbase serves no perpetuals here, only spot (BASE-QUOTE)"),
                Arguments.of("htx.streams", "depth", "'depth' is not one of bbo, ticker"),
                Arguments.of("bybit.streams", ",", "lists no stream"),
                Arguments.of("bybit.idle-timeout", "30", "must be between 100ms and 1h (a number alone means milliseconds: write 30s for 30 seconds)"),
                Arguments.of("coinbase.reconnect.max-delay", "1ms", "must not be below feed.reconnect.initial-delay (1s)"),
                Arguments.of("mock.price.BTC-USDT", "0", "must be a positive decimal"),
                Arguments.of("okx.ws.url", "ws://127.0.0.1:99999/ws", "has port 99999; a port is 1-65535"),
                Arguments.of("htx.ws.url", "wss://user@api.huobi.pro/ws", "must not carry credentials (user:password@): the venues' public streams take none"));
    }

    /** With Kafka on (kafka.bootstrap-servers set); off, the rest of kafka.* is not read. */
    static Stream<Arguments> kafkaBadValues() {
        return Stream.of(
                Arguments.of("kafka.bootstrap-servers", "kafka-1", "'kafka-1' is not host:port (a comma-separated list such as kafka-1:9092,kafka-2:9092)"),
                Arguments.of("kafka.bootstrap-servers", "kafka-1:9092,", "'' is not host:port (a comma-separated list such as kafka-1:9092,kafka-2:9092)"),
                Arguments.of("kafka.bootstrap-servers", "PLAINTEXT://kafka-1:9092", "'PLAINTEXT://kafka-1:9092' is not host:port (a comma-separated list such as kafka-1:9092,kafka-2:9092)"),
                Arguments.of("kafka.bootstrap-servers", "kafka-1:70000", "'kafka-1:70000' has port 70000; a port is 1-65535"),
                Arguments.of("kafka.topic", "ticks/all", "is not a Kafka topic name (1-249 letters, digits, '.', '_' or '-', not '.' or '..')"),
                Arguments.of("kafka.topic", "..", "is not a Kafka topic name (1-249 letters, digits, '.', '_' or '-', not '.' or '..')"),
                Arguments.of("kafka.linger", "2s", "must be between 0ms and 1s"),
                Arguments.of("kafka.delivery-timeout", "500ms", "must be between 2s and 10m"),
                Arguments.of("kafka.delivery-timeout", "soon", "is not a duration such as 500ms, 30s or 23h30m"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("kafkaBadValues")
    void aBadKafkaValueIsNamedWithTheAcceptedForm(String property, String value, String problem) {
        assertNamed(Map.of("kafka.bootstrap-servers", "127.0.0.1:9092"), property, value, problem);
    }

    /** With every venue enabled, each venue's block is checked as Binance's is. */
    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("venueBadValues")
    void aBadVenueValueIsNamedWithTheAcceptedForm(String property, String value, String problem) {
        assertNamed(Map.of("exchanges", "binance,okx,bybit,coinbase,htx"), property, value, problem);
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badValues")
    void aBadValueIsNamedWithTheAcceptedForm(String property, String value, String problem) {
        assertNamed(Map.of(), property, value, problem);
    }

    /** With the other settings given, the bad value stops start-up with exactly one message naming it. */
    private static void assertNamed(Map<String, String> others, String property, String value, String problem) {
        Map<String, String> given = new java.util.HashMap<>(others);
        given.put(property, value);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GatewaySettings.from(given::get, Map.of()));
        assertEquals("Invalid " + property + " '" + value + "': " + problem, e.getMessage());
    }
}
