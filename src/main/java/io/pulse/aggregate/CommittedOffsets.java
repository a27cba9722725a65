package io.pulse.aggregate;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.pulse.store.CommittedHere;
import io.smallrye.mutiny.Uni;

/** How far this replica committed each partition of the events topic, and how to read records again. */
final class CommittedOffsets implements CommittedHere {

    private final Map<Integer, Long> upTo = new ConcurrentHashMap<>();
    private final RecordRereader rereader;

    CommittedOffsets(RecordRereader rereader) {
        this.rereader = rereader;
    }

    /** After a commit: the plan's progress is what PostgreSQL now stores for the batch's partitions. */
    void committed(AggregationPlan plan) {
        plan.progress().values().forEach(p -> upTo.merge(p.partition(), p.nextOffset(), Math::max));
    }

    @Override
    public long upTo(int partition) {
        return upTo.getOrDefault(partition, -1L);
    }

    @Override
    public Uni<List<ConsumedRecord>> reread(int partition, long from, long to) {
        return rereader.reread(partition, from, to);
    }
}
