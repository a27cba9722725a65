package io.pulse.alert;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.pulse.aggregate.AggregateConfig;

/**
 * Per-partition alerting state: the evaluator (with the spike rule's page counts) and, after an
 * assignment, the offset from which alerts are raised again. Records before it were handled by the
 * previous owner or run; they are re-read only to rebuild the page baselines ("warm-up").
 */
@ApplicationScoped
public class AlertPartitions {

    private static final int REMEMBERED_ALERTS = 10_000;

    private final long windowMs;
    private final int maxPages;
    private final Map<Integer, AlertEvaluator> evaluators = new ConcurrentHashMap<>();
    private final Map<Integer, Long> raiseFrom = new ConcurrentHashMap<>();

    @Inject
    public AlertPartitions(AlertConfig config, AggregateConfig aggregate) {
        this(aggregate.window().toMillis(), config.maxTrackedPages());
    }

    AlertPartitions(long windowMs, int maxPages) {
        this.windowMs = windowMs;
        this.maxPages = maxPages;
    }

    public AlertEvaluator evaluator(int partition) {
        return evaluators.computeIfAbsent(partition, p -> new AlertEvaluator(windowMs, maxPages, REMEMBERED_ALERTS));
    }

    /** @return false while the partition is warming up (the record's alerts were raised before) */
    public boolean raises(int partition, long offset) {
        Long from = raiseFrom.get(partition);
        return from == null || offset >= from;
    }

    /** A newly assigned partition starts with fresh state; alerts resume at {@code resumeAt} (null: at once). */
    public void assigned(int partition, Long resumeAt) {
        evaluators.remove(partition);
        if (resumeAt == null) {
            raiseFrom.remove(partition);
        } else {
            raiseFrom.put(partition, resumeAt);
        }
    }
}
