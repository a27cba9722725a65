package io.pulse.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.LogRecord;

import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.pulse.testkit.CapturedLog;

/** Through the JBoss log manager the tests run with (the pom's java.util.logging.manager), as the service logs. */
class FailureRunTest {

    private static final String NAME = FailureRunTest.class.getName();

    private CapturedLog log;
    private List<LogRecord> logged;

    @BeforeEach
    void capture() {
        log = CapturedLog.of(NAME);
        logged = log.records();
    }

    @AfterEach
    void release() {
        log.close();
    }

    @Test
    void shouldWarnOnceAFailureRunThenSayItsEnd() {
        FailureRun run = new FailureRun(Logger.getLogger(NAME), "save the checkpoint", () -> " (the position stays at 7)");
        run.failed(new IllegalStateException("database away"));
        run.failed(new IllegalStateException("still away"));
        run.failed(new IllegalStateException("still away"));
        run.succeeded();
        run.succeeded();

        assertThat(logged).extracting(r -> r.getLevel().intValue() >= Level.WARNING.intValue() ? "WARN"
                : r.getLevel().intValue() >= Level.INFO.intValue() ? "INFO" : "DEBUG", CapturedLog::text)
                .containsExactly(
                        tuple("WARN", "Could not save the checkpoint (the position stays at 7): java.lang.IllegalStateException:"
                                + " database away; trying again at each tick"),
                        tuple("DEBUG", "Could not save the checkpoint again: java.lang.IllegalStateException: still away"),
                        tuple("DEBUG", "Could not save the checkpoint again: java.lang.IllegalStateException: still away"),
                        tuple("INFO", "Could save the checkpoint again, after 3 failed tries"));
    }

    @Test
    void shouldWarnAgainAtTheFirstFailureOfTheNextRun() {
        FailureRun run = new FailureRun(Logger.getLogger(NAME), "check");
        run.failed(new IllegalStateException("one"));
        run.succeeded();
        run.failed(new IllegalStateException("two"));
        run.reset();
        run.failed(new IllegalStateException("three"));

        assertThat(logged).filteredOn(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                .extracting(CapturedLog::text).hasSize(3).allMatch(m -> m.startsWith("Could not check: "));
        assertThat(run.failures()).isEqualTo(1);
    }

    @Test
    void shouldSayNothingOnceStopping() {
        AtomicBoolean stopping = new AtomicBoolean();
        FailureRun run = new FailureRun(Logger.getLogger(NAME), "delete old windows").quietOnce(stopping::get);
        run.failed(new IllegalStateException("database away"));
        stopping.set(true);
        run.failed(new IllegalStateException("Pool closed"));
        run.failed(new IllegalStateException("Pool closed"));

        assertThat(logged).extracting(CapturedLog::text)
                .containsExactly("Could not delete old windows: java.lang.IllegalStateException: database away;"
                        + " trying again at each tick");
        assertThat(run.failures()).isEqualTo(1);
    }
}
