package io.pulse.api.metrics;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;

/**
 * Events per second of a growing count, measured over at least a minimum span. Snapshots come every
 * half second, but the aggregator commits in batches of a few thousand events: a rate over half a
 * second jumps with each batch that falls in or out of it. The base is the newest sample at least
 * the span old (until there is one, the oldest), so with samples farther apart than the span the
 * rate is simply over the last interval. After a gap longer than {@code maxGap} (no feed ran: nobody was
 * subscribed) the samples before it are dropped: a rate over the whole gap would show an hour's average
 * as the rate of now.
 */
final class RateOverSpan {

    private record Sample(long atNanos, long count) {
    }

    private final long minSpanNanos;
    private final long maxGapNanos;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();
    private int basis = -1;

    RateOverSpan(Duration minSpan, Duration maxGap) {
        this.minSpanNanos = minSpan.toNanos();
        this.maxGapNanos = maxGap.toNanos();
    }

    /**
     * As {@link #add(long, long)} for a count measured now; null (not known) and no sample for one that was
     * not (the last count known, answered while it could not be read). Kept as a sample stamped now, it became
     * the base a second later, and everything counted since the last real measure showed as that second's
     * rate: at 100 events/s, one failed read of the topic's end showed 650/s. Nor is it 0: the dashboard
     * showed a broker it could not read as a feed that had stopped.
     */
    synchronized Double add(long atNanos, long count, boolean measured) {
        return measured ? add(atNanos, count) : null;
    }

    /**
     * As {@link #add(long, long, boolean)} for a count over {@code basis} (a topic's partitions): when it changes, the
     * samples before are no base (partitions added join the count at once, with all they hold: a false spike).
     */
    synchronized Double add(long atNanos, long count, boolean measured, int basis) {
        if (measured && basis != this.basis) {
            samples.clear();
            this.basis = basis;
            add(atNanos, count);
            return null; // not known yet: 0 reads as a feed that stopped
        }
        return add(atNanos, count, measured);
    }

    /** Adds a sample and answers the rate since the base (0 for the first sample, after a gap, or for a count that went back). */
    synchronized double add(long atNanos, long count) {
        if (!samples.isEmpty() && atNanos - samples.peekLast().atNanos() > maxGapNanos) {
            samples.clear();
        }
        samples.addLast(new Sample(atNanos, count));
        while (samples.size() > 2) {
            Iterator<Sample> oldestFirst = samples.iterator();
            oldestFirst.next();
            if (atNanos - oldestFirst.next().atNanos() < minSpanNanos) {
                break; // the second oldest is too recent to be the base: the oldest stays
            }
            samples.removeFirst();
        }
        Sample base = samples.peekFirst();
        double seconds = (atNanos - base.atNanos()) / 1e9;
        return seconds <= 0 ? 0 : Math.max(0, count - base.count()) / seconds;
    }
}
