package dev.marketdata;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.marketdata.api.ApiErrorHandling;
import dev.marketdata.pipeline.QualityRoutes;
import dev.marketdata.pipeline.ShutdownReport;
import dev.marketdata.pipeline.TickPipelineRoutes;
import org.apache.camel.main.Main;

/**
 * Starts the gateway. Run it from the repository root: {@code application.properties} and
 * {@code routes/*.camel.yaml} in the working directory override the copies packaged in the jar, so an
 * engineer can change symbols, streams, proxies or routes without a rebuild.
 */
public final class MarketDataApplication {

    /** Longer than any stop takes: Camel's shutdown timeout is 45 s, the flush bound at most 10 minutes. */
    private static final long LAST_LINE_WAIT_SECONDS = 15 * 60;

    private MarketDataApplication() {
    }

    public static void main(String... args) throws Exception {
        // On SIGTERM the JVM halts as soon as its shutdown hooks are done; Camel's hook is done once the context
        // has stopped, before this thread has said what the stop left unwritten. This hook waits for that line.
        CountDownLatch lastLineWritten = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                lastLineWritten.await(LAST_LINE_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "market-data-last-line"));
        ShutdownReport.defer();
        try {
            createMain(Path.of("")).run(args);
            awaitCamelShutdownHook();
            ShutdownReport.logDeferred();
        } catch (Exception e) {
            String problem = configurationProblem(e);
            if (problem == null) {
                throw e;
            }
            // A bad setting is the operator's to fix: one line naming it, not a stack trace.
            System.err.println("market-data: not started: " + problem);
            // Exiting runs Camel's shutdown hook, which would log "JVM shutdown hook triggered by SIGTERM" although
            // nobody sent one: the line above is the whole story.
            silence("org.apache.camel.main.DefaultMainShutdownStrategy");
            lastLineWritten.countDown();
            System.exit(2);
        } finally {
            lastLineWritten.countDown();
        }
    }

    /** Turns a logger off, when Log4j is the logging backend (it is a runtime dependency, so by reflection). */
    private static void silence(String logger) {
        try {
            Class<?> level = Class.forName("org.apache.logging.log4j.Level");
            Class.forName("org.apache.logging.log4j.core.config.Configurator")
                    .getMethod("setLevel", String.class, level)
                    .invoke(null, logger, level.getField("OFF").get(null));
        } catch (ReflectiveOperationException | LinkageError e) {
            // Another backend: the line stays.
        }
    }

    /** Camel's SIGTERM hook logs "... is shutdown" once the context is gone: let it, so that ours is the last line. */
    private static void awaitCamelShutdownHook() throws InterruptedException {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().contains("CamelHangupInterceptor") && t != Thread.currentThread()) {
                t.join(5_000);
            }
        }
    }

    /** The message of a configuration error ("Invalid <property> ..."), wherever it is in the cause chain. */
    static String configurationProblem(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof IllegalArgumentException && t.getMessage() != null && t.getMessage().startsWith("Invalid ")) {
                return t.getMessage();
            }
        }
        return null;
    }

    /** The gateway as it runs for users; tests start exactly this, with property overrides. */
    public static Main createMain(Path workingDirectory) {
        // No classpath scanning: the configuration and the Java DSL routes are named here, explicitly.
        Main main = new Main();
        main.configure().addConfiguration(MarketDataConfiguration.class);
        main.configure().addRoutesBuilder(TickPipelineRoutes.class);
        main.configure().addRoutesBuilder(QualityRoutes.class);
        main.configure().addRoutesBuilder(ApiErrorHandling.class);
        main.configure().addRoutesBuilder(dev.marketdata.kafka.KafkaRoutes.class);
        Path properties = workingDirectory.resolve("application.properties");
        // The working directory's file first: Camel takes a property from the first location that has it, so the
        // engineer's copy overrides the packaged one key by key, and what it leaves out keeps the packaged value.
        main.setPropertyPlaceholderLocations((Files.isRegularFile(properties) ? "file:" + properties.toAbsolutePath()
                + ";optional=true," : "") + "classpath:application.properties;optional=true");
        // Camel main applies CAMEL_SERVER_PORT to its HTTP server, but placeholders such as the management port's
        // {{camel.server.port}} would still resolve the file's value: a second server and a router looked up on
        // the wrong port. As an override, the environment's value is the one everything sees.
        for (String name : new String[] { "camel.server.port", "camel.server.host" }) {
            String fromEnv = System.getenv(name.toUpperCase(java.util.Locale.ROOT).replace('.', '_'));
            if (fromEnv != null && !fromEnv.isBlank()) {
                main.addOverrideProperty(name, fromEnv.trim());
            }
        }
        Path routes = workingDirectory.resolve("routes");
        main.configure().withRoutesIncludePattern(Files.isDirectory(routes)
                ? "file:" + routes.toAbsolutePath() + "/*.camel.yaml"
                : "classpath:routes/*.camel.yaml");
        return main;
    }
}
