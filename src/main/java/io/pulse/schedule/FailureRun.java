package io.pulse.schedule;

import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

/**
 * Says a run of failures of periodic work once: the first as a warning, the next ones at debug (a database away for
 * an hour is said once, not at every tick), and the first success after them at info.
 */
public final class FailureRun {

    private final Logger log;
    private final String doing;
    private final Supplier<String> detail;
    private final BooleanSupplier stopping;
    private int failures;

    /** @param doing what the work does, after "Could not": "check for lost commits" */
    public FailureRun(Logger log, String doing) {
        this(log, doing, () -> "");
    }

    /** @param detail said after {@code doing} in the warning only: what the failures leave as it is */
    public FailureRun(Logger log, String doing, Supplier<String> detail) {
        this(log, doing, detail, () -> false);
    }

    private FailureRun(Logger log, String doing, Supplier<String> detail, BooleanSupplier stopping) {
        this.log = log;
        this.doing = doing;
        this.detail = detail;
        this.stopping = stopping;
    }

    /**
     * This run, saying nothing of the failures once {@code stopping} says true: the service stopping, work fails
     * on the pool closing, which is no outage to report.
     */
    public FailureRun quietOnce(BooleanSupplier stopping) {
        return new FailureRun(log, doing, detail, stopping);
    }

    public synchronized void failed(Throwable failure) {
        if (stopping.getAsBoolean()) {
            return;
        }
        if (failures++ == 0) {
            log.warnf("Could not %s%s: %s; trying again at each tick", doing, detail.get(), failure.toString());
        } else {
            log.debugf("Could not %s again: %s", doing, failure.toString());
        }
    }

    public synchronized void succeeded() {
        if (failures > 0) {
            log.infof("Could %s again, after %d failed tries", doing, failures);
            failures = 0;
        }
    }

    /** Failures from now on start a new run: its first is a warning again. */
    public synchronized void reset() {
        failures = 0;
    }

    /** The failures in a row since the last success. */
    public synchronized int failures() {
        return failures;
    }
}
