package io.pulse.ingest;

import java.time.Duration;

/**
 * Whether a periodic task may act on this tick, or its process has just woken from a freeze (a long GC pause, a
 * SIGSTOP, a suspended VM): a tick that comes {@code gap} or more after the previous one starts a quiet period of
 * {@code quiet}, its own tick included. The ingest leader's checkpoint save uses it: woken past the election's session, a
 * replaced leader's first ticks (a fixed-rate schedule fires the missed ones at once) saved its older position over
 * its successor's before it heard it was replaced; by the quiet period's end it has (a commit fails as fenced
 * within milliseconds, the election's consumer hears within a heartbeat) and is stopped.
 */
public final class WakeGuard {

    private final long gapNanos;
    private final long quietNanos;
    private boolean ticked;
    private long lastTick;
    private boolean quiet;
    private long quietUntil;

    public WakeGuard(Duration gap, Duration quiet) {
        this.gapNanos = gap.toNanos();
        this.quietNanos = quiet.toNanos();
    }

    /** @param nowNanos {@link System#nanoTime()}, which goes on while the process is frozen */
    public synchronized boolean mayAct(long nowNanos) {
        if (ticked && nowNanos - lastTick >= gapNanos) {
            quiet = true;
            quietUntil = nowNanos + quietNanos;
        }
        ticked = true;
        lastTick = nowNanos;
        if (quiet && nowNanos - quietUntil < 0) {
            return false;
        }
        quiet = false;
        return true;
    }
}
