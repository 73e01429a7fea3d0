package dev.marketdata.support;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.embedded.core.ExecutableProvider;

/**
 * A Redis Sentinel set-up of real processes on loopback: a master, one replica and three sentinels (quorum 2), each a
 * {@code redis-server} process of its own that a test can kill ({@code SIGKILL}), stop ({@code SIGSTOP}) and resume
 * ({@code SIGCONT}). The binaries are Debian's {@code redis-server} / {@code redis-sentinel} when on the PATH, else
 * the {@code redis-server} that embedded-redis ships in its jar (run with {@code --sentinel} for the sentinels), so
 * that a machine with only a JDK and Maven runs it too. Sentinels are set for a fast failover: the master is taken
 * for down after 1 s without an answer.
 */
public final class SentinelGroup implements AutoCloseable {

    public static final String MASTER_NAME = "market-data-it";
    private static final int SENTINELS = 3;
    /** Found once a JVM: embedded-redis extracts its binary to a new temporary folder each time it is asked. */
    private static Binaries found;

    private final Binaries binaries;
    private final Path dir;
    private final String sentinelPassword;
    private final String dataSettings;
    private final int masterPort = TestRedis.freePort();
    private final int replicaPort = TestRedis.freePort();
    private final List<Integer> sentinelPorts = new ArrayList<>();
    private final Map<Integer, Process> processes = new LinkedHashMap<>();
    private final Thread reaper = new Thread(this::killAll, "sentinel-group-reaper");

    /** The binaries to run, and which they are, for the test's output. */
    private record Binaries(List<String> server, List<String> sentinel, String version) {
    }

    private SentinelGroup(Binaries binaries, String sentinelPassword, String dataSettings) throws IOException {
        this.binaries = binaries;
        this.sentinelPassword = sentinelPassword;
        this.dataSettings = dataSettings;
        this.dir = Files.createTempDirectory("sentinel-group");
        for (int i = 0; i < SENTINELS; i++) {
            int port = TestRedis.freePort();
            while (port == masterPort || port == replicaPort || sentinelPorts.contains(port)) {
                port = TestRedis.freePort();
            }
            sentinelPorts.add(port);
        }
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /**
     * Why no group can run on this machine (no redis-server at all, or one that does not run), or null when one can.
     */
    public static String unavailable() {
        try {
            binaries();
            return null;
        } catch (IOException | RuntimeException e) {
            return "no runnable redis-server for a Sentinel group (neither on the PATH nor embedded-redis's for this "
                    + "platform): " + e.getMessage();
        }
    }

    /**
     * Ports chosen and nothing started yet: {@link #start()} starts the master, the replica and the sentinels.
     *
     * @param sentinelPassword the sentinels' requirepass; null for none
     * @param dataSettings     more lines of the master's and the replica's configuration (an ACL user); "" for none
     */
    public static SentinelGroup create(String sentinelPassword, String dataSettings) throws IOException {
        return new SentinelGroup(binaries(), sentinelPassword, dataSettings);
    }

    /** Started, replicating, and every sentinel knows the replica and the two other sentinels (so it can fail over). */
    public static SentinelGroup start(String sentinelPassword) throws IOException {
        return start(sentinelPassword, "");
    }

    /** As {@link #start(String)}, with more lines in the master's and the replica's configuration. */
    public static SentinelGroup start(String sentinelPassword, String dataSettings) throws IOException {
        SentinelGroup group = create(sentinelPassword, dataSettings);
        try {
            group.start();
        } catch (IOException | RuntimeException | Error e) {
            group.close();
            throw e;
        }
        return group;
    }

    public void start() throws IOException {
        launch(masterPort, binaries.server(), "master.conf", data(masterPort));
        launch(replicaPort, binaries.server(), "replica.conf", data(replicaPort) + "replicaof 127.0.0.1 " + masterPort + "\n");
        for (int port : sentinelPorts) {
            StringBuilder conf = new StringBuilder("port " + port + "\nbind 127.0.0.1\ndaemonize no\ndir " + dir + "\n"
                    + "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + masterPort + " 2\n"
                    + "sentinel down-after-milliseconds " + MASTER_NAME + " 1000\n"
                    + "sentinel failover-timeout " + MASTER_NAME + " 4000\n"
                    + "sentinel parallel-syncs " + MASTER_NAME + " 1\n");
            if (sentinelPassword != null) {
                // Clients and the other sentinels alike must give it.
                conf.append("requirepass ").append(sentinelPassword).append('\n')
                        .append("sentinel sentinel-pass ").append(sentinelPassword).append('\n');
            }
            launch(port, binaries.sentinel(), "sentinel-" + port + ".conf", conf.toString());
        }
        RunningGateway.await("the replica is in sync with the master", Duration.ofSeconds(30),
                () -> info(replicaPort, "replication").contains("master_link_status:up"));
        RunningGateway.await("every sentinel knows the replica and the other sentinels", Duration.ofSeconds(30), () -> {
            for (int port : sentinelPorts) {
                try (Jedis sentinel = sentinel(port)) {
                    if (sentinel.sentinelReplicas(MASTER_NAME).size() != 1 || sentinel.sentinelSentinels(MASTER_NAME).size() != SENTINELS - 1) {
                        return false;
                    }
                } catch (RuntimeException e) {
                    return false;
                }
            }
            return true;
        });
    }

    private String data(int port) {
        // In memory only; a replica syncs over the socket at once (7.x waits 5 s for more replicas by default).
        return "port " + port + "\nbind 127.0.0.1\ndaemonize no\ndir " + dir + "\ndbfilename dump-" + port + ".rdb\n"
                + "save \"\"\nappendonly no\nrepl-diskless-sync yes\nrepl-diskless-sync-delay 0\n" + dataSettings + "\n";
    }

    private void launch(int port, List<String> command, String confName, String conf) throws IOException {
        Path file = dir.resolve(confName);
        Files.writeString(file, conf, StandardCharsets.UTF_8);
        List<String> line = new ArrayList<>(command.subList(0, 1));
        line.add(file.toString());
        line.addAll(command.subList(1, command.size()));
        Process process = new ProcessBuilder(line).redirectErrorStream(true)
                .redirectOutput(dir.resolve(confName.replace(".conf", ".log")).toFile()).start();
        processes.put(port, process);
        RunningGateway.await("redis on port " + port + " answers", Duration.ofSeconds(20), () -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("redis on port " + port + " exited: " + log(confName));
            }
            try (Jedis client = port == masterPort || port == replicaPort ? client(port) : sentinel(port)) {
                return "PONG".equals(client.ping());
            } catch (RuntimeException e) {
                return false;
            }
        });
    }

    private String log(String confName) {
        try {
            return Files.readString(dir.resolve(confName.replace(".conf", ".log")));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    public int masterPort() {
        return masterPort;
    }

    public int replicaPort() {
        return replicaPort;
    }

    /** {@code redis.sentinel.nodes} for this group. */
    public String nodes() {
        return sentinelPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(","));
    }

    public List<Integer> sentinelPorts() {
        return List.copyOf(sentinelPorts);
    }

    /** Which binaries run the group, for the test's output. */
    public String version() {
        return binaries.version() + " (" + String.join(" ", binaries.server()) + "; sentinels: "
                + String.join(" ", binaries.sentinel()) + ")";
    }

    /** A connection to the master or the replica (no password). */
    public Jedis client(int port) {
        return new Jedis(new HostAndPort("127.0.0.1", port),
                DefaultJedisClientConfig.builder().connectionTimeoutMillis(1000).socketTimeoutMillis(1000).build());
    }

    public Jedis sentinel(int port) {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder().connectionTimeoutMillis(1000)
                .socketTimeoutMillis(1000);
        if (sentinelPassword != null) {
            config.password(sentinelPassword);
        }
        return new Jedis(new HostAndPort("127.0.0.1", port), config.build());
    }

    /** The master's port as the first sentinel that answers says; null when none does. */
    public Integer masterNow() {
        for (int port : sentinelPorts) {
            try (Jedis sentinel = sentinel(port)) {
                List<String> address = sentinel.sentinelGetMasterAddrByName(MASTER_NAME);
                if (address != null && address.size() == 2) {
                    return Integer.parseInt(address.get(1));
                }
            } catch (RuntimeException e) {
                // the next one
            }
        }
        return null;
    }

    /** INFO's section from the server at the port; "" when it does not answer. */
    public String info(int port, String section) {
        try (Jedis client = client(port)) {
            return client.info(section);
        } catch (RuntimeException e) {
            return "";
        }
    }

    /** SIGKILL: the process is gone at once, without a word to its replica or clients. */
    public void kill(int port) throws InterruptedException {
        Process process = processes.get(port);
        process.destroyForcibly();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            throw new IllegalStateException("redis on port " + port + " survived SIGKILL");
        }
    }

    /** SIGSTOP: the process stays, answers nothing and reads nothing until {@link #resume}. */
    public void pause(int port) throws IOException, InterruptedException {
        signal(port, "STOP");
    }

    /** SIGCONT. */
    public void resume(int port) throws IOException, InterruptedException {
        signal(port, "CONT");
    }

    private void signal(int port, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(processes.get(port).pid()))
                .redirectErrorStream(true).start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            throw new IllegalStateException("kill -" + signal + " failed: " + new String(kill.getInputStream().readAllBytes(),
                    StandardCharsets.UTF_8));
        }
    }

    @Override
    public void close() {
        killAll();
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
        } catch (IOException e) {
            // a temp dir left behind
        }
    }

    private void killAll() {
        for (Process process : processes.values()) {
            process.destroyForcibly();
        }
        for (Process process : processes.values()) {
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /**
     * Debian's binaries when installed (redis-sentinel if there, else redis-server --sentinel), else embedded-redis's
     * redis-server; each checked to run.
     */
    private static synchronized Binaries binaries() throws IOException {
        if (found == null) {
            found = findBinaries();
        }
        return found;
    }

    private static Binaries findBinaries() throws IOException {
        Path server = onPath("redis-server");
        if (server != null) {
            Path sentinel = onPath("redis-sentinel");
            List<String> sentinelCommand = sentinel != null ? List.of(sentinel.toString())
                    : List.of(server.toString(), "--sentinel");
            return new Binaries(List.of(server.toString()), sentinelCommand, version(server));
        }
        Path embedded = ExecutableProvider.newJarResourceProvider().get().toPath();
        return new Binaries(List.of(embedded.toString()), List.of(embedded.toString(), "--sentinel"), version(embedded));
    }

    private static Path onPath(String name) {
        for (String folder : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(folder, name);
            if (!folder.isEmpty() && Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static String version(Path binary) throws IOException {
        Process process = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException(binary + " --version did not answer");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        if (process.exitValue() != 0 || !out.startsWith("Redis server")) {
            throw new IOException(binary + " --version said: " + out);
        }
        return out.replaceFirst(" sha=.*", "");
    }
}
