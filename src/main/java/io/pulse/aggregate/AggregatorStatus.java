package io.pulse.aggregate;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;

import io.vertx.pgclient.PgException;

/** What the aggregator last did, for health and metrics: degraded while its transactions fail. */
@ApplicationScoped
public class AggregatorStatus {

    private final AtomicLong consecutiveFailures = new AtomicLong();
    private final AtomicLong committedEvents = new AtomicLong();
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong lateEvents = new AtomicLong();
    private volatile String lastError;
    private volatile String lastErrorKind;
    private volatile Instant lastCommit;
    private volatile long firstReceivedAt = Long.MAX_VALUE;

    void failed(Throwable failure) {
        consecutiveFailures.incrementAndGet();
        lastError = failure.toString();
        lastErrorKind = kindOf(failure);
    }

    /**
     * What kind of failure it was, without its message: messages name hosts, ports, users and SQL, which
     * readiness (often open to anyone who can reach the pod) must not publish. The full text is logged.
     */
    static String kindOf(Throwable failure) {
        List<Throwable> causes = Causes.of(failure);
        String kind = causes.get(causes.size() - 1).getClass().getSimpleName();
        return causes.stream().filter(PgException.class::isInstance).map(t -> ((PgException) t).getSqlState()).findFirst()
                .map(sqlState -> kind + " (SQLSTATE " + sqlState + ")").orElse(kind);
    }

    void committed(AggregationPlan plan) {
        consecutiveFailures.set(0);
        committedEvents.addAndGet(plan.aggregates().events());
        lateEvents.addAndGet(plan.aggregates().lateEvents());
        lastCommit = Instant.now();
        commits.incrementAndGet();
    }

    /** Transactions committed since the start: a change means the stored figures moved (live snapshots follow it). */
    public long commits() {
        return commits.get();
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

    /** {@link #lastError()} without its message, fit to publish. */
    public String lastErrorKind() {
        return lastErrorKind;
    }

    public Instant lastCommit() {
        return lastCommit;
    }
}
