package dev.marketdata.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Logger;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/** The lines one logger writes while this is open ("LEVEL message"), for tests that count log lines. */
public final class CapturedLog implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Logger logger;
    private final AbstractAppender appender;

    public CapturedLog(Class<?> source) {
        logger = (Logger) LogManager.getLogger(source);
        appender = new AbstractAppender("captured-" + source.getSimpleName(), null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
            }
        };
        appender.start();
        logger.addAppender(appender);
        // Log4j gives the logger a configuration of its own for the appender, as additive as the one it had: the
        // root's is not, so a capture opened before any other configuration took the logger's lines from the console
        // and target/test-logs/gateway.log for the rest of the JVM.
        LoggerConfig own = logger.getContext().getConfiguration().getLoggerConfig(logger.getName());
        if (own.getName().equals(logger.getName()) && !own.isAdditive()) {
            own.setAdditive(true);
            logger.getContext().updateLoggers();
        }
    }

    public List<String> lines() {
        return List.copyOf(lines);
    }

    public List<String> linesAt(String level) {
        return lines.stream().filter(l -> l.startsWith(level + " ")).toList();
    }

    public void clear() {
        lines.clear();
    }

    @Override
    public void close() {
        logger.removeAppender(appender);
        appender.stop();
    }
}
