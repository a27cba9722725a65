package io.pulse.aggregate;

import java.util.Map;

/**
 * A batch folded before its partitions' stored progress is read: the plan as if nothing of it had
 * been counted and no event seen before it, and per partition what a stored progress must not
 * contradict for that plan to stand ({@link BatchAggregator#plan(java.util.List, Preplan, Map)}).
 * It lets the next batch be folded while the previous one's transaction runs.
 */
public record Preplan(AggregationPlan plan, Map<Integer, Span> spans) {

    /**
     * One partition's records in the batch: the first offset, and the earliest event time judged on
     * time ({@code Long.MAX_VALUE}: none), which a newer stored event time could make late.
     */
    public record Span(long firstOffset, long earliestOnTimeMs) {
    }
}
