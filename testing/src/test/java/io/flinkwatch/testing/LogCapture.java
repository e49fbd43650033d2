package io.flinkwatch.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Collects the log lines of one logger and its children (through the real log4j 2 configuration of
 * the tests), with their level and the thread that logged them, until closed.
 */
public final class LogCapture implements AutoCloseable {

    /** One logged line. */
    public record Line(Level level, String thread, String message) {
        @Override
        public String toString() {
            return level + " [" + thread + "] " + message;
        }
    }

    private final List<Line> lines = new ArrayList<>();
    private final LoggerContext context;
    private final String loggerName;
    private final boolean addedConfig;
    private final AbstractAppender appender;

    private LogCapture(String loggerName) {
        this.context = (LoggerContext) LogManager.getContext(false);
        this.loggerName = loggerName;
        this.appender =
                new AbstractAppender(
                        "capture-" + UUID.randomUUID(), null, null, true, Property.EMPTY_ARRAY) {
                    @Override
                    public void append(LogEvent event) {
                        synchronized (lines) {
                            lines.add(
                                    new Line(
                                            event.getLevel(),
                                            event.getThreadName(),
                                            event.getMessage().getFormattedMessage()));
                        }
                    }
                };
        appender.start();
        Configuration config = context.getConfiguration();
        LoggerConfig logger = config.getLoggerConfig(loggerName);
        if (!logger.getName().equals(loggerName)) {
            // A logger config of its own, inheriting level and appenders from its parent.
            logger = new LoggerConfig(loggerName, null, true);
            logger.setParent(config.getLoggerConfig(loggerName));
            config.addLogger(loggerName, logger);
            addedConfig = true;
        } else {
            addedConfig = false;
        }
        logger.addAppender(appender, null, null);
        context.updateLoggers();
    }

    /** Starts collecting what {@code loggerName} and the loggers under it log. */
    public static LogCapture of(String loggerName) {
        return new LogCapture(loggerName);
    }

    /** The lines so far. */
    public List<Line> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    /** Waits up to {@code millis} for a line containing all of {@code parts}. */
    public Line await(long millis, String... parts) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (true) {
            for (Line line : lines()) {
                boolean all = true;
                for (String part : parts) {
                    all &= line.message().contains(part);
                }
                if (all) {
                    return line;
                }
            }
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError(
                        "no log line with "
                                + List.of(parts)
                                + " within "
                                + millis
                                + " ms: "
                                + lines());
            }
            Thread.sleep(50);
        }
    }

    @Override
    public void close() {
        Configuration config = context.getConfiguration();
        if (addedConfig) {
            config.removeLogger(loggerName);
        } else {
            config.getLoggerConfig(loggerName).removeAppender(appender.getName());
        }
        context.updateLoggers();
        appender.stop();
    }
}
