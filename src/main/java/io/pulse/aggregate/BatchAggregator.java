package io.pulse.aggregate;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.pulse.source.wikimedia.ParseResult;

/**
 * Folds a batch of records into window aggregates, given how far the store already accounts for
 * each partition. Records below a partition's stored offset were counted before (a redelivery after
 * a crash, a rebalance, or a second replica that briefly owned the partition) and are skipped: this
 * is what makes counting exactly-once. Pure and deterministic: the same records and progress always
 * give the same plan, so a rolled-back transaction can simply be recomputed.
 */
public final class BatchAggregator {

    private final WindowSpec windows;

    public BatchAggregator(WindowSpec windows) {
        this.windows = windows;
    }

    public AggregationPlan plan(List<ConsumedRecord> records, Map<Integer, PartitionProgress> stored) {
        Map<Integer, PartitionProgress> progress = new HashMap<>(stored);
        WindowedAggregates aggregates = new WindowedAggregates(windows);
        List<ConsumedRecord> rejected = new ArrayList<>();
        long alreadyCounted = 0;
        long ignored = 0;
        for (ConsumedRecord r : records) {
            PartitionProgress p = progress.computeIfAbsent(r.partition(), PartitionProgress::fresh);
            if (r.offset() < p.nextOffset()) {
                alreadyCounted++;
                continue;
            }
            long maxEventTime = p.maxEventTimeMs();
            if (r.parsed() instanceof ParseResult.Accepted accepted) {
                long t = accepted.change().eventTimeMs();
                aggregates.add(accepted.change(), windows.isLate(t, maxEventTime));
                maxEventTime = Math.max(maxEventTime, t);
            } else if (r.parsed() instanceof ParseResult.Rejected) {
                rejected.add(r);
            } else {
                ignored++;
            }
            progress.put(r.partition(), new PartitionProgress(r.partition(), r.offset() + 1, maxEventTime));
        }
        return new AggregationPlan(aggregates, progress, rejected, alreadyCounted, ignored);
    }
}
