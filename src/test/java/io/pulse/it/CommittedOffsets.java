package io.pulse.it;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

import io.pulse.aggregate.ConsumedRecord;
import io.pulse.store.KnownOffsets;
import io.smallrye.mutiny.Uni;

/**
 * Known offsets as a replica keeps them, for tests that drive the store by hand: up to what the test
 * recorded as committed; a re-read served from the test's own records, and logged.
 */
public final class CommittedOffsets implements KnownOffsets {

    public final Map<Integer, Long> committed = new HashMap<>();
    public final List<String> rereads = new ArrayList<>();
    private final BiFunction<Integer, Integer, List<ConsumedRecord>> records;

    /** @param records the records from offset {@code from} (inclusive) to {@code to} (exclusive) */
    public CommittedOffsets(BiFunction<Integer, Integer, List<ConsumedRecord>> records) {
        this.records = records;
    }

    @Override
    public void assigned(int partition, long nextOffset) {
    }

    @Override
    public long known(int partition) {
        return committed.getOrDefault(partition, -1L);
    }

    @Override
    public Uni<List<ConsumedRecord>> reread(int partition, long from, long to) {
        rereads.add(partition + ":" + from + "-" + to);
        return Uni.createFrom().item(records.apply((int) from, (int) to));
    }
}
