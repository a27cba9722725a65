package io.pulse.alert;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.pulse.aggregate.AggregateConfig;

/**
 * Per-partition alerting state: the evaluator, with the spike rule's page counts. A newly assigned
 * partition gets a new evaluator, its page counts rebuilt from the stored aggregates ({@link WarmUp}),
 * tagged with the consumer group generation it was assigned in. A record polled in an earlier
 * generation (a batch still in flight while the group rebalanced) is not evaluated: the new state was
 * rebuilt as of the stored offsets, from which the record is delivered again, and evaluated then;
 * evaluating it now as well would count it twice in the baselines.
 * <p>
 * A revoked partition's state is released once no record polled before the revocation is left to
 * evaluate: when a batch polled in a later generation is evaluated (batches are evaluated in the order
 * they were polled). Kept for good, the states of every partition a replica ever held added up, up to
 * 60 MB each (the spike rule's page counts), as the group moved partitions between replicas.
 */
@ApplicationScoped
public class AlertPartitions {

    private static final int REMEMBERED_ALERTS = 10_000;

    private static final int NOT_REVOKED = Integer.MAX_VALUE;

    /** @param revokedIn the newest generation a record of the partition may have been polled in; or NOT_REVOKED */
    private record Owned(AlertEvaluator evaluator, int generation, int revokedIn) {

        Owned(AlertEvaluator evaluator, int generation) {
            this(evaluator, generation, NOT_REVOKED);
        }
    }

    private final long windowMs;
    private final int maxPages;
    private final Map<Integer, Owned> owned = new ConcurrentHashMap<>();
    private volatile int newestGeneration = -1; // of the assignments seen; written on the polling thread only

    @Inject
    public AlertPartitions(AlertConfig config, AggregateConfig aggregate) {
        this(aggregate.window().toMillis(), config.maxTrackedPages());
    }

    AlertPartitions(long windowMs, int maxPages) {
        this.windowMs = windowMs;
        this.maxPages = maxPages;
    }

    /**
     * The state that evaluates a record of {@code partition} polled in group generation {@code polledIn};
     * null when the record was polled before the partition was assigned again. A revoked partition's
     * state stays while batches polled before the revocation are evaluated: one still in flight may commit
     * before the new owner reads the store, and is then never delivered again (skipped, its alerts would
     * be lost).
     */
    public AlertEvaluator evaluator(int partition, int polledIn) {
        // Absent only where no rebalance listener assigns partitions (a consumer outside a group).
        Owned state = owned.computeIfAbsent(partition, p -> new Owned(fresh(), polledIn));
        return polledIn >= state.generation() ? state.evaluator() : null;
    }

    /** State for a partition that has seen nothing yet. */
    public AlertEvaluator fresh() {
        return new AlertEvaluator(windowMs, maxPages, REMEMBERED_ALERTS);
    }

    /** A newly assigned partition's state replaces whatever an earlier assignment left. */
    public void assigned(int partition, AlertEvaluator state, int generation) {
        rebalanced(generation);
        owned.put(partition, new Owned(state, generation));
    }

    /** The group generation of an assignment, with or without partitions for this replica. */
    public void rebalanced(int generation) {
        if (generation > newestGeneration) {
            newestGeneration = generation;
        }
    }

    /**
     * Partitions taken away (revoked or lost) in {@code generation}: -1 when the consumer has left the group,
     * so the newest generation assigned bounds the generations their records were polled in.
     */
    public void revoked(Collection<Integer> partitions, int generation) {
        int polledAtMostIn = Math.max(generation, newestGeneration);
        partitions.forEach(p -> owned.computeIfPresent(p,
                (k, state) -> new Owned(state.evaluator(), state.generation(), polledAtMostIn)));
    }

    /**
     * Before a batch polled in {@code generation} is evaluated: the records of partitions revoked in an
     * earlier generation were all evaluated before it, so their states can go.
     */
    void evaluating(int generation) {
        if (generation >= 0) { // -1: outside a group, nothing is ever revoked
            owned.values().removeIf(state -> state.revokedIn() < generation);
        }
    }

    /** Whether this replica keeps a state for {@code partition}. */
    boolean tracks(int partition) {
        return owned.containsKey(partition);
    }
}
