package io.pulse.ingest;

import java.time.Duration;

/**
 * How long events have waited without the resume position moving: nothing settles (a publish Kafka keeps
 * refusing, a dead letter it keeps waiting). The feed stays connected and the channels ready meanwhile, so nothing
 * else reports it. Sampled by whoever asks (the health check); zero while no event waits.
 */
public final class SettleWatch {

    private long covered = -1;
    private long sinceNanos;

    /** Forgets what was seen: a new run (a start, a handover back) is not stalled by the last one's wait. */
    public synchronized void reset() {
        covered = -1;
    }

    /**
     * @param unsettled events begun and not yet behind the position
     * @param covered   events behind the position, ever (moves whenever the position does)
     */
    public synchronized Duration stalledFor(long unsettled, long covered, long nowNanos) {
        if (unsettled == 0 || covered != this.covered) {
            this.covered = unsettled == 0 ? -1 : covered;
            sinceNanos = nowNanos;
            return Duration.ZERO;
        }
        return Duration.ofNanos(nowNanos - sinceNanos);
    }
}
