package io.pulse.aggregate;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import io.pulse.store.KnownOffsets;
import io.smallrye.mutiny.Uni;

/**
 * How far PostgreSQL accounts for each partition this replica reads, as far as it knows: raised when
 * the partition is assigned (the stored offset it resumes at) and by each commit; forgotten when the
 * partition ends below it (its topic created again: {@code StoredOffsetSeeker}).
 */
@ApplicationScoped
public class AccountedOffsets implements KnownOffsets {

    private static final Logger LOG = Logger.getLogger(AccountedOffsets.class);

    private final Map<Integer, Long> known = new ConcurrentHashMap<>();
    /** The partitions assigned to this replica and not revoked since. */
    private final Set<Integer> owned = ConcurrentHashMap.newKeySet();
    private final RecordRereader rereader;
    private final Counter reread;
    private final Counter expired;

    public AccountedOffsets(RecordRereader rereader, MeterRegistry registry) {
        this.rereader = rereader;
        this.reread = Counter.builder("pulse.aggregate.reread.records")
                .description("Records read again from Kafka because PostgreSQL lost commits it had acknowledged")
                .register(registry);
        this.expired = Counter.builder("pulse.aggregate.expired.records")
                .description("Offsets of the events topic never counted because Kafka had deleted them (retention)"
                        + " before the aggregator read them; transaction markers included")
                .register(registry);
    }

    /**
     * Raises what was known, never lowers it: stored offsets only move forward, so a stored offset below
     * what this replica committed means lost commits, wherever the partition was meanwhile. The consumer
     * resumes at the stored offset, but a batch polled before the rebalance may commit first, and must
     * read the lost records again; lowered, the batch saw no loss, and the records delivered again were
     * then skipped as counted. Unknown (-1: the stored offsets could not be read) changes nothing.
     */
    @Override
    public void assigned(int partition, long nextOffset) {
        known.merge(partition, nextOffset, Math::max);
        owned.add(partition);
    }

    @Override
    public void expired(int partition, long from, long to) {
        expired.increment(to - from);
    }

    @Override
    public void revoked(int partition) {
        owned.remove(partition);
    }

    /** What is known of the partitions this replica owns now, those known at all. */
    public Map<Integer, Long> ownedKnown() {
        Map<Integer, Long> out = new HashMap<>();
        for (int partition : owned) {
            long k = known(partition);
            if (k > 0) {
                out.put(partition, k);
            }
        }
        return out;
    }

    /** After a commit: the plan's progress is what PostgreSQL now stores for the batch's partitions. */
    public void committed(AggregationPlan plan) {
        plan.progress().values().forEach(p -> known.merge(p.partition(), p.nextOffset(), Math::max));
    }

    @Override
    public void forget(int partition) {
        known.remove(partition);
    }

    @Override
    public long known(int partition) {
        return known.getOrDefault(partition, -1L);
    }

    @Override
    public Uni<List<ConsumedRecord>> reread(int partition, long from, long to) {
        return rereader.reread(partition, from, to).invoke(again -> {
            if (again.firstHeld() > from) {
                LOG.warnf("Offsets %d to %d of partition %d, whose commits PostgreSQL lost, are no longer in Kafka"
                        + " (retention): they cannot be counted again", from, again.firstHeld() - 1, partition);
                expired(partition, from, again.firstHeld());
            }
            reread.increment(again.records().size());
        }).map(RecordRereader.Reread::records);
    }
}
