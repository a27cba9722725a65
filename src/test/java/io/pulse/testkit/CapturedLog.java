package io.pulse.testkit;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import org.jboss.logmanager.ExtLogRecord;

/**
 * What one logger says while open, at every level (its own level restored at the close), through the JBoss log manager the tests and the service log
 * with (the pom's {@code java.util.logging.manager}).
 */
public final class CapturedLog extends Handler implements AutoCloseable {

    private final Logger logger;
    private final Level level;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    private CapturedLog(String name) {
        this.logger = Logger.getLogger(name);
        this.level = logger.getLevel();
        logger.setLevel(Level.ALL);
        logger.addHandler(this);
    }

    public static CapturedLog of(String name) {
        return new CapturedLog(name);
    }

    public static CapturedLog of(Class<?> type) {
        return of(type.getName());
    }

    public List<LogRecord> records() {
        return records;
    }

    /** The messages said so far, formatted. */
    public List<String> messages() {
        return records.stream().map(CapturedLog::text).toList();
    }

    public static String text(LogRecord record) {
        return record instanceof ExtLogRecord formatted ? formatted.getFormattedMessage() : record.getMessage();
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(level);
    }
}
