package io.pulse.aggregate;

import java.util.List;
import java.util.Map;

/**
 * What one batch changes: the aggregates to add, where each partition stands afterwards, and the
 * records it rejected past the stored offsets (their dead letters are the aggregator's business, sent
 * before the transaction: {@code AheadOfCommit}). Computed against the progress stored in PostgreSQL,
 * inside the transaction.
 */
public record AggregationPlan(
        WindowedAggregates aggregates,
        Map<Integer, PartitionProgress> progress,
        List<ConsumedRecord> rejected,
        long alreadyCounted,
        long ignored) {
}
