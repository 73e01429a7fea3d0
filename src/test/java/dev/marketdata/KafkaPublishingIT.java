package dev.marketdata;

import static dev.marketdata.support.RunningGateway.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.marketdata.kafka.KafkaTickPublisher;
import dev.marketdata.support.BinanceStandIn;
import dev.marketdata.support.CapturedLog;
import dev.marketdata.support.Frames;
import dev.marketdata.support.KafkaBroker;
import dev.marketdata.support.PrometheusScrape;
import dev.marketdata.support.RecordedFrames;
import dev.marketdata.support.RunningGateway;
import dev.marketdata.support.TestRedis;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * kafka.bootstrap-servers against a real Kafka broker (KRaft, in a JVM of its own: {@link KafkaBroker}): the gateway,
 * fed by a Binance stand-in, publishes every tick it stored to the topic, keyed exchange:SYMBOL, the value the
 * stored JSON; a consumer reads the topic back. The broker stopped: ingest and Redis go on, what Kafka could not take
 * is counted; started again: publishing resumes and each key's last record is again what Redis holds.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KafkaPublishingIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = KafkaTickPublisher.DEFAULT_TOPIC;
    /** The demo recording's symbols in Binance's form, and one configured in the normalized form. */
    private static final List<String> SYMBOLS = List.of("BTCUSDT", "ETHUSDT", "SOLUSDT", "BNB-USDT");
    /** Record key → the followed key whose Redis value the record must carry. */
    private static final Map<String, String> REDIS_KEY = Map.of("binance:BTCUSDT", "BTCUSDT", "binance:ETHUSDT", "ETHUSDT",
            "binance:SOLUSDT", "SOLUSDT", "binance:BNB-USDT", "binance:BNB-USDT");

    private static KafkaBroker broker;
    private static BinanceStandIn standIn;
    private static RunningGateway gateway;
    private static KafkaConsumer<String, String> consumer;
    private static final List<ConsumerRecord<String, String>> records = new ArrayList<>();
    /** A price near each symbol's own, so that no data-quality alert fires on a jump. */
    private static final Map<String, Integer> PRICE = Map.of("BTCUSDT", 91_240, "ETHUSDT", 3_010, "SOLUSDT", 142, "BNBUSDT", 600);
    /** The highest bookTicker update id sent per symbol as Binance names it. */
    private static final Map<String, Long> lastUpdateId = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        String why = KafkaBroker.unavailable();
        Assumptions.assumeTrue(why == null, why);
        broker = KafkaBroker.launch();
        // Created ahead, as an operator would, with its leaders elected before the first tick: creating it on first use
        // can take longer than the short delivery timeout below on a busy machine. Three partitions, so that a key's
        // order rests on its partition.
        try (Admin admin = Admin.create(Map.<String, Object>of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(TOPIC, 3, (short) 1))).all().get(60, java.util.concurrent.TimeUnit.SECONDS);
            await("the topic's leaders", Duration.ofSeconds(60), () -> {
                try {
                    return admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC).partitions().stream()
                            .allMatch(p -> p.leader() != null && !p.leader().isEmpty());
                } catch (Exception e) {
                    return false;
                }
            });
        }
        TestRedis.flush();
        standIn = new BinanceStandIn(List.of());
        gateway = RunningGateway.start(Map.of("binance.ws.url", standIn.url(),
                "binance.symbols", String.join(",", SYMBOLS),
                "binance.streams", "bookTicker,miniTicker",
                "kafka.bootstrap-servers", broker.bootstrapServers(),
                // Short, so that the broker's absence shows as failures within the test.
                "kafka.delivery-timeout", "3s"));
        await("the gateway connected", Duration.ofSeconds(20), () -> standIn.connectedClients() == 1);
    }

    @AfterAll
    static void stop() throws Exception {
        if (consumer != null) {
            consumer.close(Duration.ofSeconds(5));
        }
        RunningGateway.closeAll(gateway, standIn, broker);
    }

    @Test
    @Order(1)
    void everyStoredTickIsPublishedUnderItsKeyInOrderAndTheLastRecordOfEachKeyIsWhatRedisHolds() throws Exception {
        List<String> frames = frames();
        // In parts, each settled before the next: many writer batches, so many stored ticks of every key, however
        // busy the machine (one burst can be conflated into a batch or two).
        for (int from = 0; from < frames.size(); from += 100) {
            standIn.broadcast(frames.subList(from, Math.min(frames.size(), from + 100)));
            long ticks = Math.min(frames.size(), from + 100);
            await("every tick settled", Duration.ofSeconds(30), () -> {
                PrometheusScrape s = scrape();
                return sum(s, "marketdata_ticks_stored_total") + s.value("marketdata_ticks_dropped_stale_total")
                        + s.value("marketdata_ticks_conflated_total") == ticks;
            });
        }
        await("Kafka took every stored tick", Duration.ofSeconds(30), () -> {
            PrometheusScrape s = scrape();
            return s.value("marketdata_kafka_pending") == 0 && s.value("marketdata_kafka_ticks_sent_total")
                    + dropped(s, "superseded") == sum(s, "marketdata_ticks_stored_total");
        });
        PrometheusScrape after = scrape();
        double sent = after.value("marketdata_kafka_ticks_sent_total");
        assertTrue(sent > 0);
        assertEquals(0.0, after.value("marketdata_kafka_send_failures_total"));
        assertEquals(0.0, dropped(after, "stopped"));
        assertEquals(0.0, sum(after, "marketdata_ticks_rejected_total"));

        subscribe();
        consumeUntil(Duration.ofSeconds(30), () -> records.size() >= sent);
        // Exactly what Kafka acknowledged, nothing twice (nothing failed, so nothing was sent again).
        assertEquals((long) sent, records.size());
        assertEquals(0, assertTopicMatchesRedis());
        // The newest frame of each symbol and stream kind is the last record of that kind under its key.
        for (String symbol : SYMBOLS) {
            String key = "binance:" + symbol;
            String binance = symbol.replace("-", "");
            assertEquals(lastUpdateId.get(binance), last(key, "bookTicker").get("update_id").asLong(), key);
        }
    }

    @Test
    @Order(2)
    void withTheBrokerDownIngestAndRedisGoOnTheLossIsCountedAndPublishingResumesWhenItIsBack() throws Exception {
        Assumptions.assumeTrue(consumer != null, "runs after the first test");
        try (CapturedLog log = new CapturedLog(KafkaTickPublisher.class)) {
            broker.stop();
            // Five rounds, each stored before the next: five ticks of every key Kafka cannot take.
            for (int round = 1; round <= 5; round++) {
                storeRound(round + ".00");
            }
            // Served live, and the instance stays in service: Kafka is no part of serving.
            JsonNode btc = gateway.getJson("/api/v1/tickers/BTCUSDT").get("data").get(0);
            assertFalse(btc.get("_mock").asBoolean());
            assertEquals(0, new java.math.BigDecimal("91245.01").compareTo(new java.math.BigDecimal(btc.get("price").asText())),
                    btc.toString());
            assertEquals(200, gateway.status("/observe/health/ready"));
            await("Kafka's absence counted", Duration.ofSeconds(20), () -> {
                PrometheusScrape s = scrape();
                return s.value("marketdata_kafka_send_failures_total") > 0 && dropped(s, "superseded") > 0;
            });
            PrometheusScrape down = scrape();
            assertEquals(0.0, down.value("marketdata_redis_errors_total", "operation", "write"));
            assertTrue(log.linesAt("WARN").stream().anyMatch(l -> l.startsWith("WARN Kafka did not take ")), log.lines().toString());
            // Rate-limited: one line for the whole outage so far, not one per failed batch.
            assertEquals(1, log.linesAt("WARN").stream().filter(l -> l.startsWith("WARN Kafka did not take ")).count(),
                    log.lines().toString());

            broker.start();
            await("Kafka took every stored tick again", Duration.ofSeconds(60), () -> {
                PrometheusScrape s = scrape();
                return s.value("marketdata_kafka_pending") == 0 && s.value("marketdata_kafka_ticks_sent_total")
                        + dropped(s, "superseded") == sum(s, "marketdata_ticks_stored_total");
            });
            assertTrue(log.linesAt("INFO").stream().anyMatch(l -> l.startsWith("INFO Kafka acknowledges stored ticks again")),
                    log.lines().toString());
        }
        PrometheusScrape after = scrape();
        double sent = after.value("marketdata_kafka_ticks_sent_total");
        consumeUntil(Duration.ofSeconds(30), () -> records.size() >= sent);
        int twice = assertTopicMatchesRedis();
        // A tick the broker wrote but whose acknowledgement did not come within the delivery timeout is sent again
        // (Kafka's producer cannot tell): at least once, never older. Everything else exactly once.
        assertEquals((long) sent, records.size() - twice);
        assertTrue(twice <= after.value("marketdata_kafka_send_failures_total"), twice + " sent twice");
        for (String symbol : SYMBOLS) {
            assertEquals(lastUpdateId.get(symbol.replace("-", "")), last("binance:" + symbol, "bookTicker").get("update_id").asLong());
        }
    }

    @Test
    @Order(3)
    void aStopWithTheBrokerDownWaitsAtMostTheDeliveryTimeoutAndNamesWhatKafkaDidNotGet() throws Exception {
        Assumptions.assumeTrue(consumer != null, "runs after the first test");
        try (CapturedLog log = new CapturedLog(KafkaTickPublisher.class)) {
            broker.stop();
            storeRound("0.50");
            await("the ticks are on their way to Kafka", Duration.ofSeconds(10), () -> scrape().value("marketdata_kafka_pending") > 0);
            long started = System.nanoTime();
            RunningGateway stopping = gateway;
            gateway = null;
            stopping.close();
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            // The delivery timeout (3 s) for what is in flight, and the rest of a stop.
            assertTrue(tookMillis < 15_000, "the stop took " + tookMillis + " ms");
            assertTrue(log.linesAt("WARN").stream().anyMatch(l -> l.matches("WARN [1-4] stored tick\\(s\\) were not published to "
                    + "Kafka \\(topic market-data.ticks at 127.0.0.1:\\d+\\): the gateway stopped before Kafka took them")),
                    log.lines().toString());
        }
    }

    /** A bookTicker of every symbol with its next update id and its price plus {@code add}; returns once Redis holds them. */
    private static void storeRound(String add) throws Exception {
        List<String> frames = new ArrayList<>();
        for (String symbol : SYMBOLS) {
            String binance = symbol.replace("-", "");
            long u = lastUpdateId.merge(binance, 1L, Long::sum);
            frames.add(Frames.bookTicker(binance, u, new java.math.BigDecimal(PRICE.get(binance)).add(new java.math.BigDecimal(add))
                    .toPlainString()));
        }
        standIn.broadcast(frames);
        await("Redis holds the ticks just sent", Duration.ofSeconds(10), () -> SYMBOLS.stream().allMatch(symbol ->
                redisUpdateId(REDIS_KEY.get("binance:" + symbol)) == lastUpdateId.get(symbol.replace("-", ""))));
    }

    /**
     * The demo recording's bookTickers, a bookTicker stream for BNBUSDT (followed as BNB-USDT) and miniTickers of
     * every symbol with event times of now, interleaved: two stream kinds under each key.
     */
    private static List<String> frames() throws Exception {
        List<String> out = new ArrayList<>();
        long now = System.currentTimeMillis();
        int i = 0;
        for (String frame : RecordedFrames.demo()) {
            JsonNode root = JSON.readTree(frame);
            if (!root.path("stream").asText().endsWith("@bookTicker")) {
                continue;
            }
            out.add(frame);
            lastUpdateId.merge(root.get("data").get("s").asText(), root.get("data").get("u").asLong(), Math::max);
            if (++i % 3 == 0) {
                long u = 1_000 + i;
                out.add(Frames.bookTicker("BNBUSDT", u, PRICE.get("BNBUSDT") + ".00"));
                lastUpdateId.merge("BNBUSDT", u, Math::max);
            }
            if (i % 30 == 0) {
                for (String symbol : SYMBOLS) {
                    String binance = symbol.replace("-", "");
                    out.add(Frames.miniTicker(binance, now + i, PRICE.get(binance) + "." + i % 100));
                }
            }
        }
        return out;
    }

    /**
     * Every record: its key one of the followed keys as exchange:SYMBOL (no second Binance name), its value a tick of
     * that exchange and symbol, all of a key in one partition, each stream kind's sequence only going up, or the same
     * tick again right after itself; and the last record of every key is, to the byte, what Redis holds for it.
     * Returns how many records repeat the one before them.
     */
    private static int assertTopicMatchesRedis() throws Exception {
        int twice = 0;
        Map<String, ConsumerRecord<String, String>> lastByKey = new LinkedHashMap<>();
        Map<String, Integer> partitionByKey = new HashMap<>();
        Map<String, Long> sequence = new HashMap<>();
        for (ConsumerRecord<String, String> record : records) {
            assertTrue(REDIS_KEY.containsKey(record.key()), "unexpected key " + record.key());
            JsonNode tick = JSON.readTree(record.value());
            assertEquals(record.key(), tick.get("exchange").asText() + ":" + tick.get("symbol").asText());
            assertEquals(partitionByKey.computeIfAbsent(record.key(), k -> record.partition()), record.partition(), record.key());
            String stream = tick.get("stream").asText();
            long seq = stream.equals("bookTicker") ? tick.get("update_id").asLong() : tick.get("event_time").asLong();
            Long before = sequence.put(record.key() + "|" + stream, seq);
            ConsumerRecord<String, String> previous = lastByKey.put(record.key(), record);
            if (before != null && seq == before && previous.value().equals(record.value())) {
                twice++;
                continue;
            }
            assertTrue(before == null || seq > before, record.key() + " " + stream + " went from " + before + " to " + seq);
        }
        assertEquals(REDIS_KEY.keySet(), lastByKey.keySet());
        for (Map.Entry<String, ConsumerRecord<String, String>> e : lastByKey.entrySet()) {
            assertEquals(TestRedis.get("tick:latest:" + REDIS_KEY.get(e.getKey())), e.getValue().value(), e.getKey());
        }
        // Both stream kinds under each key.
        for (String key : REDIS_KEY.keySet()) {
            assertTrue(sequence.containsKey(key + "|miniTicker") && sequence.containsKey(key + "|bookTicker"), key);
        }
        return twice;
    }

    /** The last record of the key and stream kind, as a tick. */
    private static JsonNode last(String key, String stream) throws Exception {
        JsonNode found = null;
        for (ConsumerRecord<String, String> record : records) {
            JsonNode tick = JSON.readTree(record.value());
            if (record.key().equals(key) && tick.get("stream").asText().equals(stream)) {
                found = tick;
            }
        }
        assertNotNull(found, key + " " + stream);
        return found;
    }

    /** Reads the topic from its beginning, every partition, without a consumer group. */
    private static void subscribe() {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
        props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        consumer = new KafkaConsumer<>(props);
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo p : consumer.partitionsFor(TOPIC, Duration.ofSeconds(30))) {
            partitions.add(new TopicPartition(TOPIC, p.partition()));
        }
        assertEquals(3, partitions.size());
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    private static void consumeUntil(Duration timeout, java.util.function.BooleanSupplier done) {
        await(records.size() + " records and more", timeout, () -> {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            return done.getAsBoolean();
        });
    }

    private static long redisUpdateId(String followedKey) {
        String value = TestRedis.get("tick:latest:" + followedKey);
        if (value == null) {
            return -1;
        }
        try {
            JsonNode tick = JSON.readTree(value);
            return tick.get("stream").asText().equals("bookTicker") ? tick.get("update_id").asLong() : -1;
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static double dropped(PrometheusScrape s, String reason) {
        return s.value("marketdata_kafka_ticks_dropped_total", "reason", reason);
    }

    private static double sum(PrometheusScrape scrape, String name) {
        return scrape.samples().entrySet().stream().filter(e -> e.getKey().startsWith(name + "{"))
                .mapToDouble(Map.Entry::getValue).sum();
    }

    private static PrometheusScrape scrape() {
        try {
            var response = gateway.send("/observe/metrics");
            assertEquals(200, response.statusCode());
            return new PrometheusScrape(response.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
