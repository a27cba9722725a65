package io.pulse.alert;

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
 */
@ApplicationScoped
public class AlertPartitions {

    private static final int REMEMBERED_ALERTS = 10_000;

    private record Owned(AlertEvaluator evaluator, int generation) {
    }

    private final long windowMs;
    private final int maxPages;
    private final Map<Integer, Owned> owned = new ConcurrentHashMap<>();

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
     * state stays until it is assigned again: a batch still in flight may commit before the new owner
     * reads the store, and is then never delivered again (skipped, its alerts would be lost).
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
        owned.put(partition, new Owned(state, generation));
    }
}
