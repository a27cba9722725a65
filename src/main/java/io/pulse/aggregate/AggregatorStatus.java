package io.pulse.aggregate;

import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

/** What the aggregator last did, for health and metrics: degraded while its transactions fail. */
@ApplicationScoped
public class AggregatorStatus {

    private final AtomicLong consecutiveFailures = new AtomicLong();
    private final AtomicLong committedEvents = new AtomicLong();
    private final AtomicLong lateEvents = new AtomicLong();
    private volatile String lastError;
    private volatile Instant lastCommit;
    private volatile long firstReceivedAt = Long.MAX_VALUE;

    void failed(Throwable failure) {
        consecutiveFailures.incrementAndGet();
        lastError = failure.toString();
    }

    void committed(AggregationPlan plan) {
        consecutiveFailures.set(0);
        committedEvents.addAndGet(plan.aggregates().events());
        lateEvents.addAndGet(plan.aggregates().lateEvents());
        lastCommit = Instant.now();
    }

    void received(long earliestReceivedAtMs) {
        if (earliestReceivedAtMs < firstReceivedAt) {
            firstReceivedAt = earliestReceivedAtMs;
        }
    }

    /** When the ingest received the first event this aggregator committed, or null. */
    public Instant firstReceivedAt() {
        return firstReceivedAt == Long.MAX_VALUE ? null : Instant.ofEpochMilli(firstReceivedAt);
    }

    public boolean degraded() {
        return consecutiveFailures.get() > 0;
    }

    public long consecutiveFailures() {
        return consecutiveFailures.get();
    }

    public long committedEvents() {
        return committedEvents.get();
    }

    public long lateEvents() {
        return lateEvents.get();
    }

    public String lastError() {
        return lastError;
    }

    public Instant lastCommit() {
        return lastCommit;
    }
}
