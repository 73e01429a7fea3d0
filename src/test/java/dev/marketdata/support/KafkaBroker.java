package dev.marketdata.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Apache Kafka broker (KRaft, one node that is broker and controller) in a JVM of its own, on free loopback
 * ports, its data in a temporary folder. Its classpath is target/kafka-broker/, which the build fills with the
 * broker's jars (pom.xml, maven-dependency-plugin, pre-integration-test): the broker's kafka-clients, Scala and
 * Jackson never meet the gateway's. It can be stopped and started again on the same ports and data, as a broker
 * restart is. Its log is {@code broker.log} in its folder, shown when it does not come up.
 */
public final class KafkaBroker implements AutoCloseable {

    public static final Path CLASSPATH = Path.of("target", "kafka-broker");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path dir;
    private final int port;
    private Process process;

    private KafkaBroker(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Why no broker can be started here, for a skipped test's reason; null when one can. */
    public static String unavailable() {
        try (Stream<Path> jars = Files.isDirectory(CLASSPATH) ? Files.list(CLASSPATH) : Stream.empty()) {
            return jars.anyMatch(p -> p.getFileName().toString().startsWith("kafka_2.13-")) ? null
                    : "no Kafka broker at " + CLASSPATH.toAbsolutePath() + ": run the test with mvn verify, which copies the "
                            + "broker's jars there (maven-dependency-plugin, execution kafka-broker)";
        } catch (IOException e) {
            return "cannot read " + CLASSPATH.toAbsolutePath() + ": " + e.getMessage();
        }
    }

    /** Formats a new broker's storage and starts it; returns once it takes connections. */
    public static KafkaBroker launch() throws IOException, InterruptedException {
        Path dir = Files.createTempDirectory("kafka-broker-");
        int port = TestRedis.freePort();
        int controllerPort = TestRedis.freePort();
        Files.writeString(dir.resolve("server.properties"), String.join("\n",
                "process.roles=broker,controller",
                "node.id=1",
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
                "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
                "controller.listener.names=CONTROLLER",
                "inter.broker.listener.name=PLAINTEXT",
                "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
                "log.dirs=" + dir.resolve("data"),
                // Topics are created on first use, with several partitions: a key's order then rests on its partition.
                "auto.create.topics.enable=true",
                "num.partitions=3",
                "offsets.topic.replication.factor=1",
                "offsets.topic.num.partitions=1",
                "transaction.state.log.replication.factor=1",
                "transaction.state.log.min.isr=1",
                "share.coordinator.state.topic.replication.factor=1",
                "share.coordinator.state.topic.min.isr=1",
                "group.initial.rebalance.delay.ms=0",
                ""));
        Files.writeString(dir.resolve("log4j2.properties"), String.join("\n",
                "appender.file.type = File",
                "appender.file.name = file",
                "appender.file.fileName = " + dir.resolve("broker.log"),
                "appender.file.layout.type = PatternLayout",
                "appender.file.layout.pattern = %d{HH:mm:ss.SSS} %p [%c{1}] %m%n",
                "rootLogger.level = info",
                "rootLogger.appenderRef.file.ref = file",
                ""));
        KafkaBroker broker = new KafkaBroker(dir, port);
        try {
            broker.format();
            broker.start(true);
        } catch (IOException | InterruptedException | RuntimeException | Error e) {
            broker.close();
            throw e;
        }
        return broker;
    }

    /** {@code host:port}, for kafka.bootstrap-servers. */
    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** The storage gets a cluster id once, as kafka-storage.sh format does before a KRaft node's first start. */
    private void format() throws IOException, InterruptedException {
        UUID uuid = UUID.randomUUID();
        ByteBuffer bytes = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
        // As '--cluster-id=<id>': an id may start with '-', which the tool would take for an option.
        String clusterId = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
        Process format = java("kafka.tools.StorageTool", "format", "--cluster-id=" + clusterId, "-c", dir.resolve("server.properties").toString())
                .redirectOutput(dir.resolve("format.log").toFile()).start();
        if (!format.waitFor(60, TimeUnit.SECONDS)) {
            format.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new IllegalStateException("formatting the Kafka storage did not finish in 60 s: " + tail("format.log"));
        }
        if (format.exitValue() != 0) {
            throw new IllegalStateException("formatting the Kafka storage failed: " + tail("format.log"));
        }
    }

    /** Starts the broker again after {@link #stop()}, on the same ports and data; returns once it takes connections. */
    public void start() throws IOException {
        start(false);
    }

    private void start(boolean first) throws IOException {
        if (process != null && process.isAlive()) {
            return;
        }
        process = java("kafka.Kafka", dir.resolve("server.properties").toString())
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile())).start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!accepts()) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                String why = process.isAlive() ? "did not take connections within " + START_TIMEOUT.toSeconds() + " s"
                        : "exited with " + process.exitValue();
                stop();
                throw new IllegalStateException("the Kafka broker " + (first ? "" : "restarted ") + why + ": " + tail("broker.log")
                        + " | " + tail("stdout.log"));
            }
            java.util.concurrent.locks.LockSupport.parkNanos(100_000_000L);
        }
    }

    /** Stops the broker as an operator would (SIGTERM, a controlled shutdown), forcibly if it takes over 60 s. */
    public void stop() {
        Process p = process;
        process = null;
        if (p == null) {
            return;
        }
        p.destroy();
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    public boolean running() {
        return process != null && process.isAlive();
    }

    private boolean accepts() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private ProcessBuilder java(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx384m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
                "-Dlog4j2.configurationFile=" + dir.resolve("log4j2.properties").toUri(),
                "-cp", CLASSPATH.toAbsolutePath() + "/*", mainClass));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).directory(dir.toFile());
    }

    /** The last lines of one of the broker's files, for a failure's message. */
    private String tail(String file) {
        try {
            List<String> lines = Files.readAllLines(dir.resolve(file));
            return file + ": " + String.join(" / ", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return file + ": (none)";
        }
    }

    @Override
    public void close() {
        stop();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
