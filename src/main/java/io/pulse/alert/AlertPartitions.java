package io.pulse.alert;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.pulse.aggregate.AggregateConfig;

/**
 * Per-partition alerting state: the evaluator, with the spike rule's page counts. A newly assigned
 * partition gets a new evaluator, its page counts rebuilt from the stored aggregates ({@link WarmUp}).
 */
@ApplicationScoped
public class AlertPartitions {

    private static final int REMEMBERED_ALERTS = 10_000;

    private final long windowMs;
    private final int maxPages;
    private final Map<Integer, AlertEvaluator> evaluators = new ConcurrentHashMap<>();

    @Inject
    public AlertPartitions(AlertConfig config, AggregateConfig aggregate) {
        this(aggregate.window().toMillis(), config.maxTrackedPages());
    }

    AlertPartitions(long windowMs, int maxPages) {
        this.windowMs = windowMs;
        this.maxPages = maxPages;
    }

    public AlertEvaluator evaluator(int partition) {
        return evaluators.computeIfAbsent(partition, p -> fresh());
    }

    /** State for a partition that has seen nothing yet. */
    public AlertEvaluator fresh() {
        return new AlertEvaluator(windowMs, maxPages, REMEMBERED_ALERTS);
    }

    /** A newly assigned partition's state replaces whatever an earlier assignment left. */
    public void assigned(int partition, AlertEvaluator state) {
        evaluators.put(partition, state);
    }
}
