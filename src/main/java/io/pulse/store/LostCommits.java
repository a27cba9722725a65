package io.pulse.store;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.jboss.logging.Logger;

import io.pulse.aggregate.ConsumedRecord;
import io.pulse.aggregate.PartitionProgress;
import io.pulse.aggregate.Preplan;
import io.smallrye.mutiny.Uni;

/**
 * Finds, under the offset lock, the partitions PostgreSQL stores behind what this replica knew it had
 * stored ({@link KnownOffsets}), and reads the records in between again, to be counted with the batch.
 */
final class LostCommits {

    private static final Logger LOG = Logger.getLogger(LostCommits.class);

    private LostCommits() {
    }

    /**
     * The records between a partition's stored offset and this batch that PostgreSQL accounted for once,
     * as far as this replica knows, and no longer does, read again. None in the usual case, where the
     * batch starts at the stored offset (or below it, when records are delivered again).
     * {@code beforeReading} runs first, only when there is something to read again.
     */
    static Uni<List<ConsumedRecord>> reread(String topic, Preplan batch, Map<Integer, PartitionProgress> stored,
            KnownOffsets knownOffsets, Uni<?> beforeReading) {
        List<Uni<List<ConsumedRecord>>> rereads = new ArrayList<>(0);
        batch.spans().forEach((partition, span) -> {
            long from = stored.getOrDefault(partition, PartitionProgress.fresh(partition)).nextOffset();
            if (from < knownOffsets.known(partition) && from < span.firstOffset()) {
                LOG.warnf("PostgreSQL no longer accounts for offsets %d to %d of %s-%d, which it had stored (lost"
                        + " acknowledged commits: a crash, a failover or a restore?): reading them again",
                        from, span.firstOffset() - 1, topic, partition);
                rereads.add(knownOffsets.reread(partition, from, span.firstOffset()));
            }
        });
        if (rereads.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return beforeReading.chain(() -> Uni.join().all(rereads).andFailFast())
                .map(lists -> lists.stream().flatMap(List::stream).toList());
    }

    /** The records read again, then the batch's: per partition, in offset order. */
    static List<ConsumedRecord> before(List<ConsumedRecord> first, List<ConsumedRecord> then) {
        List<ConsumedRecord> all = new ArrayList<>(first.size() + then.size());
        all.addAll(first);
        all.addAll(then);
        return all;
    }
}
