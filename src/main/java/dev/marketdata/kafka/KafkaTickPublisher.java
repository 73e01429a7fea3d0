package dev.marketdata.kafka;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.marketdata.feed.RateLimitedLog;
import dev.marketdata.model.MarketTick;
import dev.marketdata.pipeline.Failures;
import dev.marketdata.pipeline.StoredTickSink;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.camel.AsyncProducer;
import org.apache.camel.CamelContext;
import org.apache.camel.Endpoint;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.support.DefaultMessage;
import org.apache.camel.support.service.ServiceHelper;
import org.apache.camel.support.service.ServiceSupport;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes every stored tick to a Kafka topic ({@code kafka.bootstrap-servers}, {@code kafka.topic}), keyed
 * {@code exchange:SYMBOL}, its value the tick's JSON as Redis holds it, through the {@code kafka-ticks} route
 * (camel-kafka). Off by default: then no thread, no route, no Kafka client; only the meters, at zero.
 *
 * <p>The writer hands each batch's stored ticks over ({@link #stored}) and goes on: it never waits for Kafka. The
 * hand-off keeps the newest waiting tick per key and stream kind, as the writer does for Redis, so it is bounded by
 * what the gateway follows, not by the rate or by how long Kafka is away: while Kafka keeps up every stored tick is
 * sent; while it is slow or down, a waiting tick replaced by a newer one of its key and stream kind is dropped and
 * counted ({@code reason="superseded"}). One thread sends what waits in batches, a few batches in flight, each
 * batch's records in store order; the producer is idempotent (acks=all), so Kafka keeps that order per key (one
 * key, one partition) through its retries.
 *
 * <p>A tick Kafka did not acknowledge within {@code kafka.delivery-timeout} is sent again, unless a newer tick of
 * its key has been handed on since (then it is superseded): so after an outage the topic's last record of each key
 * is again what Redis holds, and a key never goes backwards. (Kafka's producer cannot tell a record the broker wrote
 * but acknowledged too late from one it never got: such a tick is sent again, so after an outage a key may hold one
 * tick twice in a row; never an older one after a newer.) While Kafka fails, one tick at a time is sent as a
 * probe: a producer without the topic's metadata waits up to that timeout in every send, and a whole batch of such
 * sends would hold the thread for the batch's size times the timeout.
 */
public final class KafkaTickPublisher extends ServiceSupport implements StoredTickSink {

    public static final String BEAN = "kafkaTickPublisher";
    public static final String DEFAULT_TOPIC = "market-data.ticks";
    /** Where the publisher sends its batches: the kafka-ticks route. */
    public static final String ENTRY = "direct:kafka-ticks";
    public static final String REASON_SUPERSEDED = "superseded";
    public static final String REASON_STOPPED = "stopped";
    static final int MAX_BATCH = 1_000;
    /** Batches handed to the producer and not yet acknowledged: enough to keep a round trip's worth on the wire. */
    static final int MAX_IN_FLIGHT = 4;
    private static final Logger LOG = LoggerFactory.getLogger(KafkaTickPublisher.class);

    /** One stored tick on its way: its record key, its slot in the hand-off (key and stream kind) and its JSON. */
    private record Tick(String key, String slot, String json) {
    }

    private final CamelContext context;
    private final String servers;
    private final String topic;
    private final long lingerMillis;
    private final long deliveryMillis;
    /** Waiting to be sent, newest per slot, in store order (a replaced tick moves to the end, as it was stored last). */
    private final LinkedHashMap<String, Tick> waiting = new LinkedHashMap<>();
    /** The newest tick handed on per key and not yet acknowledged: a failed tick is sent again only if it still is. */
    private final Map<String, Tick> newest = new HashMap<>();
    private int inFlightBatches;
    private int inFlightTicks;
    private boolean failing;
    /** Ticks Kafka did not take while the gateway was stopping: not sent again, named in the last line. */
    private int notTakenWhileStopping;
    private final Counter sent;
    private final Counter superseded;
    private final Counter stopped;
    private final Counter failures;
    private final RateLimitedLog log = new RateLimitedLog(LOG, 30_000);
    private volatile boolean running;
    private Thread thread;
    private AsyncProducer producer;

    /**
     * @param context        the Camel context whose kafka-ticks route sends; null when Kafka is off
     * @param servers        {@code kafka.bootstrap-servers} as Kafka takes them; empty when off
     * @param lingerMillis   {@code kafka.linger}
     * @param deliveryMillis {@code kafka.delivery-timeout}
     */
    public KafkaTickPublisher(CamelContext context, String servers, String topic, long lingerMillis, long deliveryMillis,
            MeterRegistry registry) {
        this.context = context;
        this.servers = servers;
        this.topic = topic;
        this.lingerMillis = lingerMillis;
        this.deliveryMillis = deliveryMillis;
        // Registered whether Kafka is on or not, as every gateway meter is: a dashboard or an alert finds the same
        // series on every instance, at zero where Kafka is off.
        sent = Counter.builder("marketdata.kafka.ticks.sent")
                .description("Stored ticks Kafka acknowledged on kafka.topic").register(registry);
        superseded = dropped(registry, REASON_SUPERSEDED);
        stopped = dropped(registry, REASON_STOPPED);
        failures = Counter.builder("marketdata.kafka.send.failures")
                .description("Stored ticks Kafka refused or did not acknowledge within kafka.delivery-timeout; each is sent "
                        + "again unless a newer tick of its key has been handed on since")
                .register(registry);
        Gauge.builder("marketdata.kafka.pending", this, KafkaTickPublisher::pending)
                .description("Stored ticks waiting to be sent to Kafka or sent and not yet acknowledged").register(registry);
    }

    /** Kafka off: the meters only. */
    public static KafkaTickPublisher off(MeterRegistry registry) {
        return new KafkaTickPublisher(null, "", DEFAULT_TOPIC, 0, 0, registry);
    }

    private static Counter dropped(MeterRegistry registry, String reason) {
        return Counter.builder("marketdata.kafka.ticks.dropped")
                .description("Stored ticks never published to Kafka: superseded (a newer tick of the key and stream kind "
                        + "came while it waited for a slow or absent Kafka), stopped (waiting when the gateway stopped)")
                .tag("reason", reason).register(registry);
    }

    public boolean enabled() {
        return !servers.isEmpty();
    }

    /**
     * The producer's settings for the kafka-ticks endpoint. The producer is idempotent with acks=all (Kafka requires
     * both together): no record is written twice by a retry, and a key's records stay in order through retries. A
     * send waits at most the delivery timeout for the topic's metadata; the request timeout fits within the
     * delivery timeout as Kafka requires. The record metadata tells, per record, whether Kafka took it.
     */
    public String producerOptions() {
        long requestMillis = Math.min(30_000, deliveryMillis - lingerMillis);
        return "&requestRequiredAcks=all&enableIdempotence=true&recordMetadata=true&lingerMs=" + lingerMillis
                + "&deliveryTimeoutMs=" + deliveryMillis + "&requestTimeoutMs=" + requestMillis + "&maxBlockMs=" + deliveryMillis;
    }

    /** From the writer's thread: hands the batch's stored ticks over and returns at once. */
    @Override
    public void stored(List<Stored> ticks) {
        int replaced = 0;
        synchronized (this) {
            for (Stored stored : ticks) {
                MarketTick t = stored.tick();
                String key = t.exchange() + ':' + t.symbol();
                Tick tick = new Tick(key, key + '|' + t.stream().configName(), stored.json());
                // Removed and put again: the slot moves to the end, so a key's stream kinds go out in the order Redis stored them.
                if (waiting.remove(tick.slot()) != null) {
                    replaced++;
                }
                waiting.put(tick.slot(), tick);
                newest.put(key, tick);
            }
            notifyAll();
        }
        if (replaced > 0) {
            superseded.increment(replaced);
            log.warn("superseded", "Kafka is behind (topic {} at {}): {} stored tick(s) waiting for it were replaced by newer ones "
                    + "of their key and dropped ({} so far)", topic, servers, replaced, (long) superseded.count());
        }
    }

    /** Ticks waiting or in flight. */
    public synchronized int pending() {
        return waiting.size() + inFlightTicks;
    }

    @Override
    protected void doStart() {
        if (!enabled() || running) {
            return;
        }
        running = true;
        thread = new Thread(this::run, "kafka-tick-publisher");
        thread.setDaemon(true);
        thread.start();
        LOG.info("Publishing every stored tick to Kafka topic {} at {}, keyed exchange:SYMBOL (linger {} ms, delivery "
                + "timeout {} ms)", topic, servers, lingerMillis, deliveryMillis);
    }

    private void run() {
        while (true) {
            List<Tick> batch = new ArrayList<>();
            synchronized (this) {
                // While the gateway stops, ticks still go out as long as Kafka takes them; a failing Kafka gets no
                // more probes, or Camel would wait for each one before it could stop the kafka-ticks route.
                while (running && (waiting.isEmpty() || inFlightBatches >= (failing ? 1 : MAX_IN_FLIGHT)
                        || failing && context.isStopping())) {
                    try {
                        wait(100);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                if (!running) {
                    return;
                }
                Iterator<Tick> oldest = waiting.values().iterator();
                int limit = failing ? 1 : MAX_BATCH;
                while (oldest.hasNext() && batch.size() < limit) {
                    batch.add(oldest.next());
                    oldest.remove();
                }
                inFlightBatches++;
                inFlightTicks += batch.size();
            }
            send(batch);
        }
    }

    /**
     * One exchange for the batch, its body one message per tick (camel-kafka sends each as a record with its own
     * key), handed to the route on this thread: the producer's sends run here, in order, and return without waiting
     * for Kafka; the callback comes when Kafka answered every record.
     */
    private void send(List<Tick> batch) {
        List<Message> records = new ArrayList<>(batch.size());
        try {
            if (producer == null) {
                // Waits a little for the route's consumer (it starts with the other routes), not the 30 s default:
                // this thread must not outlive a stop by long.
                Endpoint endpoint = context.getEndpoint(ENTRY + "?timeout=2000");
                AsyncProducer created = endpoint.createAsyncProducer();
                ServiceHelper.startService(created);
                producer = created;
            }
            Exchange exchange = producer.getEndpoint().createExchange();
            for (Tick tick : batch) {
                Message record = new DefaultMessage(context);
                record.setHeader(KafkaConstants.KEY, tick.key());
                record.setBody(tick.json());
                records.add(record);
            }
            exchange.getIn().setBody(records);
            producer.process(exchange, doneSync -> completed(batch, records, exchange.getException()));
        } catch (Exception | LinkageError e) {
            completed(batch, records, e);
        }
    }

    /**
     * Counts what Kafka took; a tick it did not take is sent again while it is the newest of its key, else it is
     * superseded. (A record whose send itself threw is reported here before the records sent ahead of it in the
     * batch are answered: those count as not taken and are sent again if newest; Kafka then holds one twice, never
     * out of order.)
     */
    private void completed(List<Tick> batch, List<Message> records, Throwable error) {
        int took = 0;
        int lost = 0;
        int left = 0;
        synchronized (this) {
            for (int i = 0; i < batch.size(); i++) {
                Tick tick = batch.get(i);
                if (i < records.size() && acknowledged(records.get(i))) {
                    took++;
                    newest.remove(tick.key(), tick);
                } else if (newest.get(tick.key()) != tick) {
                    // A newer tick of its key went on since: sending this one again could only take the key backwards.
                    lost++;
                } else if (running && !context.isStopping()) {
                    waiting.put(tick.slot(), tick);
                } else {
                    newest.remove(tick.key(), tick);
                    left++;
                    notTakenWhileStopping++;
                }
            }
            inFlightBatches--;
            inFlightTicks -= batch.size();
            boolean wasFailing = failing;
            failing = took < batch.size();
            if (wasFailing && !failing) {
                LOG.info("Kafka acknowledges stored ticks again (topic {} at {})", topic, servers);
            }
            notifyAll();
        }
        sent.increment(took);
        superseded.increment(lost);
        stopped.increment(left);
        int failed = batch.size() - took;
        if (failed > 0) {
            failures.increment(failed);
            log.warn("failed", "Kafka did not take {} stored tick(s) (topic {} at {}): {}; ingest and Redis go on, each tick is "
                    + "sent again unless a newer one of its key is", failed, topic, servers,
                    error == null ? "no acknowledgement" : Failures.describe(error));
        }
    }

    /** Kafka acknowledged the record: it reported the offset it wrote it at (on a failure the offset is -1). */
    private static boolean acknowledged(Message record) {
        return record.getHeader(KafkaConstants.KAFKA_RECORD_META) instanceof List<?> meta && !meta.isEmpty()
                && meta.get(0) instanceof RecordMetadata written && written.hasOffset();
    }

    /**
     * After the routes (and the writer's last flush): what still waits cannot be sent any more. It is counted and
     * named in one line with what Kafka did not take while the gateway stopped. (The kafka-ticks route stops after
     * the ingest routes and waits for its batches in flight: with Kafka away, at most kafka.delivery-timeout.)
     */
    @Override
    protected void doStop() {
        Thread t;
        int left;
        synchronized (this) {
            running = false;
            t = thread;
            thread = null;
            left = waiting.size() + notTakenWhileStopping;
            stopped.increment(waiting.size());
            notTakenWhileStopping = 0;
            waiting.clear();
            newest.clear();
            notifyAll();
        }
        if (t != null) {
            try {
                t.join(3_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (left > 0) {
            LOG.warn("{} stored tick(s) were not published to Kafka (topic {} at {}): the gateway stopped before Kafka took them",
                    left, topic, servers);
        }
        if (producer != null) {
            ServiceHelper.stopService(producer);
            producer = null;
        }
    }
}
