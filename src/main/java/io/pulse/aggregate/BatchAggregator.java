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
        return fold(records, stored, null);
    }

    /** The batch folded against no stored progress, to be confirmed or redone once the progress is read. */
    public Preplan preplan(List<ConsumedRecord> records) {
        Map<Integer, Preplan.Span> spans = new HashMap<>();
        return new Preplan(fold(records, Map.of(), spans), spans);
    }

    /**
     * The same plan as {@link #plan(List, Map)}, taken from the preplan when the stored progress changes
     * none of its decisions: no record of the batch is below a stored offset, and no stored event time is
     * new enough to make a change the preplan judged on time late. Otherwise (after a crash, a
     * rebalance, a late change first in its partition's batch) folded again.
     */
    public AggregationPlan plan(List<ConsumedRecord> records, Preplan preplan, Map<Integer, PartitionProgress> stored) {
        Map<Integer, PartitionProgress> progress = new HashMap<>(stored);
        for (Map.Entry<Integer, Preplan.Span> e : preplan.spans().entrySet()) {
            int partition = e.getKey();
            Preplan.Span span = e.getValue();
            PartitionProgress before = stored.getOrDefault(partition, PartitionProgress.fresh(partition));
            if (before.nextOffset() > span.firstOffset() || (span.earliestOnTimeMs() != Long.MAX_VALUE
                    && windows.isLate(span.earliestOnTimeMs(), before.maxEventTimeMs()))) {
                return plan(records, stored);
            }
            PartitionProgress after = preplan.plan().progress().get(partition);
            progress.put(partition, new PartitionProgress(partition, after.nextOffset(),
                    Math.max(before.maxEventTimeMs(), after.maxEventTimeMs())));
        }
        AggregationPlan folded = preplan.plan();
        return new AggregationPlan(folded.aggregates(), progress, folded.rejected(), 0, folded.ignored());
    }

    private AggregationPlan fold(List<ConsumedRecord> records, Map<Integer, PartitionProgress> stored,
            Map<Integer, Preplan.Span> spans) {
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
            Preplan.Span span = spans == null ? null
                    : spans.computeIfAbsent(r.partition(), k -> new Preplan.Span(r.offset(), Long.MAX_VALUE));
            long maxEventTime = p.maxEventTimeMs();
            if (r.parsed() instanceof ParseResult.Accepted accepted) {
                long t = accepted.change().eventTimeMs();
                boolean late = windows.isLate(t, maxEventTime);
                aggregates.add(accepted.change(), late);
                // Never past when it was published: one change stamped up to max-future-skew (an hour) ahead
                // made every honest change of its partition late for that hour, and moved the dashboard's
                // current minute an hour ahead. The timestamp travels with the record: still deterministic.
                maxEventTime = Math.max(maxEventTime, Math.min(t, r.timestampMs()));
                if (span != null && !late && t < span.earliestOnTimeMs()) {
                    spans.put(r.partition(), new Preplan.Span(span.firstOffset(), t));
                }
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
