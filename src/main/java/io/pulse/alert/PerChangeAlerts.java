package io.pulse.alert;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.pulse.aggregate.ConsumedRecord;
import io.pulse.source.wikimedia.ParseResult;
import io.smallrye.mutiny.Uni;

/**
 * Evaluates the per-change rules (watched user, page spike, mass blanking) on the records the
 * aggregator reads, parsed once for both: a consumer group of its own was 40% of the service's CPU
 * in a drain (bench/README.md, 26). State (the spike rule's page counts) is kept per partition, which
 * sees every change of its pages in order, and rebuilt from the stored aggregates when a partition is
 * assigned ({@link WarmUp}). A batch's alerts are raised before its aggregates commit, retried with
 * them: a crash in between re-reads the batch and raises the same ids again, which the store
 * de-duplicates; a database outage delays alerts but drops none. One that Kafka acknowledged but the outage kept
 * from being marked published is sent again: {@code pulse.alerts} is at least once, readers de-duplicate by id.
 */
@ApplicationScoped
public class PerChangeAlerts {

    private final AlertRules rules;
    private final AlertPublisher publisher;
    private final AlertConfig config;
    private final AlertPartitions partitions;

    public PerChangeAlerts(AlertRules rules, AlertPublisher publisher, AlertConfig config, AlertPartitions partitions) {
        this.rules = rules;
        this.publisher = publisher;
        this.config = config;
        this.partitions = partitions;
    }

    /**
     * Feeds a batch to the rules, in order, exactly once (a retried batch is not evaluated again).
     *
     * @param generation the consumer group generation the batch was polled in
     */
    public List<Alert> evaluate(List<ConsumedRecord> records, int generation) {
        if (!config.enabled()) {
            partitions.evaluating(generation); // the warm-up makes states with alerting off too: release them as well
            return List.of();
        }
        return evaluate(records, generation, rules.current(), partitions);
    }

    static List<Alert> evaluate(List<ConsumedRecord> records, int generation, RuleSet rules, AlertPartitions partitions) {
        partitions.evaluating(generation);
        List<Alert> alerts = new ArrayList<>();
        for (ConsumedRecord r : records) {
            if (!(r.parsed() instanceof ParseResult.Accepted accepted)) {
                continue; // the aggregator dead-letters it
            }
            AlertEvaluator evaluator = partitions.evaluator(r.partition(), generation);
            if (evaluator != null) { // else polled before a rebalance: delivered again, evaluated then
                alerts.addAll(evaluator.evaluate(accepted.change(), rules));
            }
        }
        return alerts;
    }

    /** Stores and publishes the alerts (the caller retries a failure, with the batch). */
    public Uni<Void> raise(List<Alert> alerts) {
        return publisher.raise(alerts).replaceWithVoid(); // an empty list costs nothing there
    }
}
