package io.pulse.bench;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.pulse.testkit.PulseInfra;

/**
 * Watches the aggregator's committed offset in PostgreSQL from outside the service, every 10 ms:
 * event k of a one-partition topic is committed at the first observation where the offset exceeds its
 * record's ({@link RecordOffsets}: transaction markers take offsets too).
 * Independent of the service's own latency timer; at most one polling interval late.
 */
final class CommitWatcher implements AutoCloseable {

    private final List<long[]> observations = new ArrayList<>(); // {epoch ms, committed offset}
    private final Thread thread;
    private volatile boolean running = true;
    private volatile long committed;

    CommitWatcher(PulseInfra infra, String committedOffsetQuery) {
        thread = new Thread(() -> {
            try (Connection c = infra.postgres().connect(infra.database()); Statement s = c.createStatement()) {
                while (running) {
                    try (ResultSet rs = s.executeQuery(committedOffsetQuery)) {
                        rs.next();
                        long offset = rs.getLong(1);
                        if (offset > committed) {
                            synchronized (observations) {
                                observations.add(new long[] { System.currentTimeMillis(), offset });
                            }
                            committed = offset;
                        }
                    }
                    Thread.sleep(10); // the polling interval is the measurement's resolution
                }
            } catch (Exception e) {
                if (running) {
                    throw new IllegalStateException("Watching the committed offset failed", e);
                }
            }
        }, "bench-commit-watcher");
        thread.setDaemon(true);
        thread.start();
    }

    long committed() {
        return committed;
    }

    /** Latency of each measured event: it is record {@code firstRecord + k}, sent at {@code sentAt[k]}. */
    long[] latencies(long firstRecord, long[] sentAt, RecordOffsets records) {
        List<long[]> coverage = new ArrayList<>();
        synchronized (observations) {
            observations.forEach(o -> coverage.add(new long[] { o[0], records.recordsBefore(o[1]) - firstRecord }));
        }
        return latencies(coverage, sentAt);
    }

    /**
     * For observations {epoch ms, k events covered} of a prefix that only grows, each event's first
     * covering observation minus its send time; events never covered are left out.
     */
    static long[] latencies(List<long[]> coverage, long[] sentAt) {
        long[] latencies = new long[sentAt.length];
        int k = 0;
        for (long[] o : coverage) {
            while (k < sentAt.length && k < o[1]) {
                latencies[k] = o[0] - sentAt[k];
                k++;
            }
        }
        return Arrays.copyOf(latencies, k);
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join(1000);
    }
}
