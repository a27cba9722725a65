package io.pulse.api;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether an SSE client takes what waits for it (/metrics/stream's snapshots, /alerts/stream's events). Stalled once
 * something has waited for it {@code after}, timed from when it was first seen waiting, not from the client's last
 * take: checks that ran late (a pause of the JVM, a busy pool) come in a burst, and would all have seen an old take
 * though the client reads. Any take starts the clock again; a stall is told once. Safe from any thread.
 */
public final class StallWatch {

    private static final long TAKING = Long.MIN_VALUE;
    private final long afterNanos;
    private final AtomicLong waitingSince = new AtomicLong(TAKING);
    private final AtomicBoolean told = new AtomicBoolean();

    public StallWatch(Duration after) {
        this.afterNanos = after.toNanos();
    }

    /** Something waits for the client at {@code now} (monotonic nanoseconds). */
    public void waiting(long now) {
        waitingSince.compareAndSet(TAKING, now);
    }

    public void taken() {
        waitingSince.set(TAKING);
    }

    /** True once: something has waited for the client {@code after} or longer at {@code now}. */
    public boolean stalled(long now) {
        long since = waitingSince.get();
        return since != TAKING && now - since >= afterNanos && told.compareAndSet(false, true);
    }
}
