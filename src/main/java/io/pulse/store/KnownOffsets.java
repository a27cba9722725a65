package io.pulse.store;

import java.util.List;

import io.pulse.aggregate.ConsumedRecord;
import io.smallrye.mutiny.Uni;

/**
 * How far this replica knows PostgreSQL accounts for each partition of the events topic: the highest of
 * what it read from the store on each assignment ({@link StoredOffsetSeeker}) and what it committed,
 * since it started (or since the topic was created again). Stored offsets only move forward, so a
 * partition stored behind that means PostgreSQL lost commits it had acknowledged (a crash with
 * asynchronous commits, a failover to a standby that had not received them, a restore), while the
 * consumer reads on past them. The records in between are read again and counted with the next batch
 * ({@link AggregateStore#apply}).
 * Below the known offset, every rejected record's dead letter was acknowledged by Kafka (before the
 * commit that stored it): the aggregator does not send those again.
 */
public interface KnownOffsets {

    /** Nothing known, nothing to read again: what a test or a one-off writer passes. */
    KnownOffsets NONE = new KnownOffsets() {
        @Override
        public void assigned(int partition, long nextOffset) {
        }

        @Override
        public long known(int partition) {
            return -1;
        }

        @Override
        public Uni<List<ConsumedRecord>> reread(int partition, long from, long to) {
            return Uni.createFrom().item(List.of());
        }
    };

    /**
     * The partition was assigned to this replica, which resumes at the offset read from the store (-1:
     * it could not be read). What is known only rises: a stored offset below it means lost commits.
     */
    void assigned(int partition, long nextOffset);

    /**
     * Kafka no longer holds the partition's offsets {@code from} to {@code to} (exclusive), which the store
     * had not counted (deleted by retention while no replica read them): they never will be.
     */
    default void expired(int partition, long from, long to) {
    }

    /** The partition was taken from this replica (revoked or lost): what is known of it stays. */
    default void revoked(int partition) {
    }

    /** What was known no longer applies: the partition ends below it (its topic was deleted and created again). */
    default void forget(int partition) {
    }

    /** The offset up to which PostgreSQL accounted for the partition, as far as this replica knows; -1 if unknown. */
    long known(int partition);

    /** The partition's records from offset {@code from} (inclusive) to {@code to} (exclusive), parsed. */
    Uni<List<ConsumedRecord>> reread(int partition, long from, long to);
}
