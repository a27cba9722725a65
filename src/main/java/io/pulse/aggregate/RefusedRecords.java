package io.pulse.aggregate;

import java.util.List;
import java.util.function.Function;

import org.jboss.logging.Logger;

import io.pulse.source.wikimedia.ParseResult;
import io.smallrye.mutiny.Uni;

/**
 * Commits a batch PostgreSQL refused ({@link DataRefusal}) by halves, to find the records it refuses:
 * each half is tried in its own transaction, a refused half is split again, and a single refused
 * record is dead-lettered with PostgreSQL's reason and its offset committed, so the partition moves
 * on. The halves go in the batch's order, and a prefix of a batch is a prefix of each of its
 * partitions, so every transaction advances the stored offsets exactly past what it counted.
 * A refusal caused by records together (the same row twice in one upsert) ends when they fall into
 * different halves, with nothing dead-lettered. A batch of n records with one refused takes about
 * 2·log2(n) transactions; batches PostgreSQL takes whole never come here.
 */
final class RefusedRecords {

    private static final Logger LOG = Logger.getLogger(RefusedRecords.class);

    private final Function<List<ConsumedRecord>, Uni<Void>> deadLetter;
    private final Function<List<ConsumedRecord>, Uni<AggregationPlan>> apply;

    /**
     * @param deadLetter sends a refused record's dead letter, acknowledged before its offset commits
     * @param apply one transaction for these records: aggregates and offsets together;
     *        it counts what it commits as it commits, since after an outage the whole batch is retried
     *        and the parts committed before it are then skipped as already counted
     */
    RefusedRecords(Function<List<ConsumedRecord>, Uni<Void>> deadLetter,
            Function<List<ConsumedRecord>, Uni<AggregationPlan>> apply) {
        this.deadLetter = deadLetter;
        this.apply = apply;
    }

    /**
     * @param records a batch whose transaction PostgreSQL refused as a whole
     * @return done once every record is committed or dead-lettered; fails when a transaction fails for
     *         another reason than a refusal (what was committed by then stays committed)
     */
    Uni<Void> commit(List<ConsumedRecord> records, Throwable refusal) {
        return Uni.createFrom().deferred(() -> split(RereadRecordsRefused.searched(refusal, records), refusal));
    }

    private Uni<Void> split(List<ConsumedRecord> records, Throwable refusal) {
        if (records.size() == 1) {
            ConsumedRecord r = records.get(0);
            String reason = "refused by PostgreSQL: " + DataRefusal.of(refusal).orElse(refusal.toString());
            LOG.warnf("Dead-lettering the record at partition %d, offset %d: %s", r.partition(), r.offset(), reason);
            ConsumedRecord rejected = new ConsumedRecord(r.partition(), r.offset(), r.key(), r.value(),
                    new ParseResult.Rejected(reason), r.timestampMs());
            List<ConsumedRecord> alone = List.of(rejected);
            return deadLetter.apply(alone).chain(() -> apply.apply(alone)).replaceWithVoid();
        }
        int half = records.size() / 2;
        return attempt(records.subList(0, half)).chain(() -> attempt(records.subList(half, records.size())));
    }

    private Uni<Void> attempt(List<ConsumedRecord> records) {
        return apply.apply(records).replaceWithVoid()
                .onFailure(DataRefusal::is)
                .recoverWithUni(refusal -> split(RereadRecordsRefused.searched(refusal, records), refusal));
    }
}
