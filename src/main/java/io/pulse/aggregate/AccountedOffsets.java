package io.pulse.aggregate;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import io.pulse.store.KnownOffsets;
import io.smallrye.mutiny.Uni;

/**
 * How far PostgreSQL accounts for each partition this replica reads, as far as it knows: set when the
 * partition is assigned (the stored offset it resumes at), raised by each commit.
 */
@ApplicationScoped
public class AccountedOffsets implements KnownOffsets {

    private final Map<Integer, Long> known = new ConcurrentHashMap<>();
    private final RecordRereader rereader;
    private final Counter reread;

    public AccountedOffsets(RecordRereader rereader, MeterRegistry registry) {
        this.rereader = rereader;
        this.reread = Counter.builder("pulse.aggregate.reread.records")
                .description("Records read again from Kafka because PostgreSQL lost commits it had acknowledged")
                .register(registry);
    }

    // Replaces what was known: the partition may have been elsewhere meanwhile.
    @Override
    public void assigned(int partition, long nextOffset) {
        known.put(partition, nextOffset);
    }

    /** After a commit: the plan's progress is what PostgreSQL now stores for the batch's partitions. */
    public void committed(AggregationPlan plan) {
        plan.progress().values().forEach(p -> known.merge(p.partition(), p.nextOffset(), Math::max));
    }

    @Override
    public long known(int partition) {
        return known.getOrDefault(partition, -1L);
    }

    @Override
    public Uni<List<ConsumedRecord>> reread(int partition, long from, long to) {
        return rereader.reread(partition, from, to).invoke(records -> reread.increment(records.size()));
    }
}
