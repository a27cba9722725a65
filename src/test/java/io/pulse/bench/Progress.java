package io.pulse.bench;

import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * A count another process advances (offsets committed, records published), sampled every 100 ms
 * until it reaches a target: the rate between the first and the last observation, and over the
 * second half alone (a warm JVM).
 */
record Progress(long[] first, long[] half, long[] last) {

    static Progress until(long target, Duration timeout, Callable<Long> count) throws Exception {
        long[] first = null;
        long[] half = null;
        long[] last = null;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            long n = count.call();
            long now = System.nanoTime();
            if (first == null && n > 0) {
                first = new long[] { now, n };
            }
            if (half == null && n >= target / 2) {
                half = new long[] { now, n };
            }
            last = new long[] { now, n };
            if (n >= target) {
                break;
            }
            Thread.sleep(100); // sampling an external process's progress
        }
        return new Progress(first, half, last);
    }

    double rate() {
        return rate(first, last);
    }

    double secondHalfRate() {
        return rate(half, last);
    }

    long count() {
        return last == null ? 0 : last[1];
    }

    /** Events per second between two {time ns, count} observations; 0 when there is no interval. */
    private static double rate(long[] from, long[] to) {
        return from == null || to == null || to[0] == from[0] ? 0 : (to[1] - from[1]) / ((to[0] - from[0]) / 1e9);
    }
}
