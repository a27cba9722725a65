package io.pulse.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

import org.junit.jupiter.api.Test;

import io.pulse.source.wikimedia.ParseResult;
import io.pulse.source.wikimedia.RecentChange;
import io.smallrye.mutiny.Uni;
import io.vertx.pgclient.PgException;

/**
 * The search for refused records, against a store simulated by what a transaction does: fold the
 * records against the stored offsets, refuse or commit the whole, advance the offsets. The
 * expectation is computed by plain loops over the input.
 */
class RefusedRecordsTest {

    private static final long MINUTE = 60_000;
    private static final long T0 = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

    private final BatchAggregator aggregator = new BatchAggregator(new WindowSpec(MINUTE, 2 * MINUTE));

    /** One PostgreSQL, as the aggregator's transactions see it. */
    private final class Store {
        final Map<Integer, PartitionProgress> offsets = new HashMap<>();
        final List<List<ConsumedRecord>> transactions = new ArrayList<>();
        final List<ConsumedRecord> deadLetters = new ArrayList<>();
        final List<AggregationPlan> committed = new ArrayList<>();
        long counted;
        final Predicate<List<ConsumedRecord>> refuses;

        Store(Predicate<List<ConsumedRecord>> refuses) {
            this.refuses = refuses;
        }

        Uni<AggregationPlan> apply(List<ConsumedRecord> records) {
            return Uni.createFrom().item(() -> {
                transactions.add(List.copyOf(records));
                AggregationPlan plan = aggregator.plan(records, offsets);
                List<ConsumedRecord> written = records.stream().filter(r -> r.parsed() instanceof ParseResult.Accepted)
                        .filter(r -> r.offset() >= offsets.getOrDefault(r.partition(), PartitionProgress.fresh(r.partition())).nextOffset())
                        .toList();
                if (refuses.test(written)) {
                    throw new PgException("new row violates check constraint \"no_poison\"", "ERROR", "23514", null);
                }
                offsets.putAll(plan.progress());
                counted += plan.aggregates().events();
                committed.add(plan);
                return plan;
            });
        }

        Uni<Void> deadLetter(List<ConsumedRecord> records) {
            return Uni.createFrom().item(() -> deadLetters.addAll(records)).replaceWithVoid();
        }
    }

    @Test
    void shouldDeadLetterTheRefusedRecordsAndCommitEveryOtherOneOnceInOrder() {
        List<ConsumedRecord> batch = batch(1_000, 3);
        Set<Long> poisoned = Set.of(17L, 18L, 300L); // offsets in partition 1 (0-332)
        Store store = new Store(written -> written.stream().anyMatch(r -> r.partition() == 1 && poisoned.contains(r.offset())));
        Throwable refusal = failure(store.apply(batch));

        new RefusedRecords(store::deadLetter, store::apply).commit(batch, refusal).await().indefinitely();

        long expectedCounted = 0;
        Map<Integer, Long> expectedNext = new HashMap<>();
        for (ConsumedRecord r : batch) {
            if (!(r.partition() == 1 && poisoned.contains(r.offset()))) {
                expectedCounted++;
            }
            expectedNext.merge(r.partition(), r.offset() + 1, Math::max);
        }
        assertEquals(expectedCounted, store.counted);
        expectedNext.forEach((partition, next) -> assertEquals(next, store.offsets.get(partition).nextOffset()));
        assertEquals(poisoned, Set.copyOf(store.deadLetters.stream().map(ConsumedRecord::offset).toList()));
        assertTrue(store.deadLetters.stream().allMatch(r -> r.partition() == 1
                && ((ParseResult.Rejected) r.parsed()).reason().equals(
                        "refused by PostgreSQL: SQLSTATE 23514: new row violates check constraint \"no_poison\"")));
        // Every committed transaction starts where the stored offsets stood: nothing counted twice or skipped.
        assertTrue(store.committed.stream().allMatch(p -> p.alreadyCounted() == 0));
        assertTrue(store.transactions.size() < 2 + 3 * 2 * 11, "about 2·log2(n) transactions per refused record: "
                + store.transactions.size());
    }

    @Test
    void shouldDeadLetterNothingWhenOnlyRecordsTogetherAreRefused() {
        List<ConsumedRecord> batch = batch(64, 1);
        // The same row twice in one upsert: refused only while both records are in one transaction.
        Store store = new Store(written -> written.stream().filter(r -> r.offset() == 10 || r.offset() == 50).count() == 2);

        new RefusedRecords(store::deadLetter, store::apply).commit(batch, failure(store.apply(batch))).await().indefinitely();

        assertEquals(64, store.counted);
        assertTrue(store.deadLetters.isEmpty());
        assertEquals(2, store.committed.size(), "the two halves");
        assertEquals(64, store.offsets.get(0).nextOffset());
    }

    @Test
    void shouldDeadLetterARecordRefusedAloneInABatchOfOne() {
        List<ConsumedRecord> batch = batch(1, 1);
        Store store = new Store(written -> !written.isEmpty());

        new RefusedRecords(store::deadLetter, store::apply).commit(batch, failure(store.apply(batch))).await().indefinitely();

        assertEquals(0, store.counted);
        assertEquals(1, store.deadLetters.size());
        assertEquals(1, store.offsets.get(0).nextOffset());
    }

    /** The refused record's offset commits only once Kafka took its dead letter: else it would be lost. */
    @Test
    void shouldNotCommitARefusedRecordWhoseDeadLetterKafkaDidNotTake() {
        List<ConsumedRecord> batch = batch(8, 1);
        Store store = new Store(written -> written.stream().anyMatch(r -> r.offset() == 5));
        RuntimeException kafkaDown = new RuntimeException("Topic pulse.wikimedia.recentchange.dlq not present in metadata");
        RefusedRecords byHalves = new RefusedRecords(records -> Uni.createFrom().failure(kafkaDown), store::apply);

        Throwable failure = assertThrows(RuntimeException.class,
                () -> byHalves.commit(batch, failure(store.apply(batch))).await().indefinitely());

        assertSame(kafkaDown, failure);
        assertEquals(5, store.offsets.get(0).nextOffset(), "the records before it, not it");
        assertEquals(5, store.counted);
    }

    @Test
    void shouldStopAtAFailureThatIsNotARefusal() {
        List<ConsumedRecord> batch = batch(100, 2);
        Store refusing = new Store(written -> written.stream().anyMatch(r -> r.offset() == 30));
        Throwable refusal = failure(refusing.apply(batch));
        RuntimeException outage = new RuntimeException("Connection refused");
        List<List<ConsumedRecord>> tried = new ArrayList<>();
        RefusedRecords byHalves = new RefusedRecords(refusing::deadLetter, records -> {
            tried.add(records);
            return tried.size() == 1 ? refusing.apply(records) : Uni.createFrom().failure(outage);
        });

        Throwable failure = assertThrows(RuntimeException.class, () -> byHalves.commit(batch, refusal).await().indefinitely());

        assertSame(outage, failure);
        assertEquals(2, tried.size(), "no more transactions after the outage");
        assertTrue(refusing.deadLetters.isEmpty());
    }

    @Test
    void shouldTellRefusalsOfTheDataFromOtherFailures() {
        for (String state : List.of("21000", "22021", "22003", "22P05", "23514", "54000")) {
            Throwable wrapped = new RuntimeException(new PgException("refused", "ERROR", state, null));
            assertEquals("SQLSTATE " + state + ": refused", DataRefusal.of(wrapped).orElseThrow(), state);
        }
        for (String state : List.of("40001", "40P01", "08006", "57P01", "42P01", "53300", "XX000")) {
            assertFalse(DataRefusal.is(new PgException("not the data", "ERROR", state, null)), state);
        }
        assertFalse(DataRefusal.is(new IllegalStateException("Pool closed")));
    }

    private static Throwable failure(Uni<?> attempt) {
        return assertThrows(PgException.class, () -> attempt.await().atMost(Duration.ofSeconds(5)));
    }

    /** n records over the given partitions, round robin, each partition's offsets from 0, on time. */
    private static List<ConsumedRecord> batch(int n, int partitions) {
        List<ConsumedRecord> records = new ArrayList<>(n);
        long[] next = new long[partitions];
        for (int i = 0; i < n; i++) {
            int partition = i % partitions;
            long offset = next[partition]++;
            RecentChange c = new RecentChange("id-" + i, "en.wikipedia.org", "enwiki", "edit", 0, "page-" + i, "user-" + (i % 7),
                    false, T0 + i, 10, null);
            records.add(new ConsumedRecord(partition, offset, c.partitionKey(), "{}", new ParseResult.Accepted(c)));
        }
        assertInstanceOf(ParseResult.Accepted.class, records.get(0).parsed());
        return records;
    }
}
