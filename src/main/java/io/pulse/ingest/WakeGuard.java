package io.pulse.ingest;

import java.time.Duration;

/**
 * Whether a periodic task may act now, or its process has just woken from a freeze (a long GC pause, a SIGSTOP, a
 * suspended VM). A heartbeat ({@link #beat}, every second or so, doing nothing else) that has not beaten for
 * {@code late} or more, seen by a beat or by the task, starts a quiet period of {@code quiet}. The task's own ticks
 * cannot tell: dropped while it runs (a slow save), and, with a long interval, barely late after a long freeze.
 * The ingest leader's checkpoint save uses it: woken past the election's session, a replaced leader's first ticks
 * (a fixed-rate schedule fires the missed ones at once) saved its older position over its successor's before it
 * heard it was replaced; by the quiet period's end it has (a commit fails as fenced within milliseconds, the
 * election's consumer hears within a heartbeat) and is stopped.
 */
public final class WakeGuard {

    private final long lateNanos;
    private final long quietNanos;
    private boolean beaten;
    private long lastBeat;
    private boolean quiet;
    private long quietUntil;

    public WakeGuard(Duration late, Duration quiet) {
        this.lateNanos = late.toNanos();
        this.quietNanos = quiet.toNanos();
    }

    /** @param nowNanos {@link System#nanoTime()}, which goes on while the process is frozen */
    public synchronized void beat(long nowNanos) {
        notice(nowNanos);
        beaten = true;
        lastBeat = nowNanos;
    }

    public synchronized boolean mayAct(long nowNanos) {
        notice(nowNanos);
        if (quiet && nowNanos - quietUntil < 0) {
            return false;
        }
        quiet = false;
        return true;
    }

    private void notice(long nowNanos) {
        if (beaten && nowNanos - lastBeat >= lateNanos) {
            quiet = true;
            quietUntil = nowNanos + quietNanos;
        }
    }
}
