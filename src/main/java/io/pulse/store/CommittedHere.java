package io.pulse.store;

import java.util.List;

import io.pulse.aggregate.ConsumedRecord;
import io.smallrye.mutiny.Uni;

/**
 * What this replica committed itself, and how to read those records again: stored offsets only move
 * forward, so a partition stored behind what this replica committed means PostgreSQL lost acknowledged
 * commits (a failover to a standby that had not received them, a restore from backup). The records in
 * between are read again and counted with the next batch ({@link AggregateStore#apply}).
 */
public interface CommittedHere {

    /** Nothing committed here, and nothing to read again: what a test or a one-off writer passes. */
    CommittedHere NOTHING = new CommittedHere() {
        @Override
        public long upTo(int partition) {
            return -1;
        }

        @Override
        public Uni<List<ConsumedRecord>> reread(int partition, long from, long to) {
            return Uni.createFrom().item(List.of());
        }
    };

    /** The next offset of the partition after the last batch this replica committed; -1 if none. */
    long upTo(int partition);

    /** The partition's records from offset {@code from} (inclusive) to {@code to} (exclusive), parsed. */
    Uni<List<ConsumedRecord>> reread(int partition, long from, long to);
}
