package io.pulse.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.Test;

import io.pulse.aggregate.ConsumedRecord;
import io.pulse.aggregate.PartitionProgress;
import io.pulse.source.wikimedia.ParseResult;
import io.pulse.source.wikimedia.RecentChange;

class WarmUpTest {

    static final int PARTITIONS = 4;
    static final long MINUTE = AlertEvaluatorTest.MINUTE;
    static final long T0 = AlertEvaluatorTest.T0;
    static final int GENERATION = 7;

    @Test
    void shouldPlaceEachPageInThePartitionKafkasProducerPutsItsKey() {
        Random random = new Random(5);
        for (int i = 0; i < 10_000; i++) {
            String key = "wiki" + random.nextInt(900) + ":" + "Page é字 " + random.nextInt(1_000_000);
            int expected = BuiltInPartitioner.partitionForKey(key.getBytes(StandardCharsets.UTF_8), 12);
            assertThat(WarmUp.partitionOf(key, 12)).as(key).isEqualTo(expected);
        }
    }

    @Test
    void shouldRebuildTheWindowsTheRuleLooksAtBeforeTheLeastAdvancedCountedPartition() {
        var stored = List.of(new PartitionProgress(0, 500, T0 + 30 * MINUTE), new PartitionProgress(1, 20, T0 + 59_000),
                new PartitionProgress(2, 0, Long.MIN_VALUE)); // a row but no event yet
        // Partition 1's newest window starts at T0: that one and the 10 before it.
        long now = T0 + 60 * MINUTE;
        assertThat(WarmUp.rebuildFrom(stored, MINUTE, 10, now)).isEqualTo(Instant.ofEpochMilli(T0 - 10 * MINUTE));
        assertThat(WarmUp.rebuildFrom(stored.subList(2, 3), MINUTE, 10, now)).as("nothing counted").isNull();
        assertThat(WarmUp.rebuildFrom(List.of(), MINUTE, 10, now)).isNull();
        // One event stamped 50 minutes ahead of the clock: the windows up to the clock's are rebuilt.
        var ahead = List.of(new PartitionProgress(3, 70, now + 50 * MINUTE + 30_000));
        assertThat(WarmUp.rebuildFrom(ahead, MINUTE, 10, now)).isEqualTo(Instant.ofEpochMilli(now - 10 * MINUTE));
    }

    @Test
    void shouldRebuildTheBaselinesOfTheAssignedPartitionsPagesFromTheStoredCounts() {
        int busy = WarmUp.partitionOf(change(T0).partitionKey(), PARTITIONS);
        // What page_edit_counts holds: the busy page changed 15 times a minute for 10 minutes.
        List<Object[]> stored = new ArrayList<>();
        for (int minute = 0; minute < 10; minute++) {
            stored.add(new Object[] { T0 + minute * MINUTE, 15L });
        }
        // Minute 10: 25 changes, no spike against a baseline of 15...
        List<ConsumedRecord> next = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            next.add(new ConsumedRecord(busy, 1000 + i, null, (byte[]) null,
                    new ParseResult.Accepted(change(T0 + 10 * MINUTE + i))));
        }
        Rebuilt ours = rebuild(stored, busy, (busy + 2) % PARTITIONS);
        assertThat(ours.seeded()).isEqualTo(stored.size());
        assertThat(PerChangeAlerts.evaluate(next, GENERATION, AlertEvaluatorTest.RULES, ours.partitions())).isEmpty();

        // ...but a spike where the page's counts were not rebuilt: another partition's rows are not ours.
        Rebuilt others = rebuild(stored, (busy + 1) % PARTITIONS, (busy + 3) % PARTITIONS);
        assertThat(others.seeded()).isZero();
        assertThat(PerChangeAlerts.evaluate(next, GENERATION, AlertEvaluatorTest.RULES, others.partitions()))
                .extracting(Alert::rule).containsExactly(PageSpikeRule.NAME);
    }

    /**
     * Partitions were added: the consumers' seeding filed the busy page's counts under its new partition, while the
     * ingest's producer, which has not seen the new partitions yet, still sends the page to its old one. There it
     * had no counts, and its usual 25 changes a minute were a spike against a baseline of 0. It is now judged only
     * once it has a whole window of its own there: not against the newest stored window, whose first changes were
     * stored (the restart came in its middle) and its last ones came here. A page never stored is judged at once.
     */
    @Test
    void shouldNotJudgeAPageWhoseCountsWereRebuiltInAnotherPartitionAgainstNone() {
        int seededIn = WarmUp.partitionOf(change(T0).partitionKey(), PARTITIONS);
        int stale = (seededIn + 1) % PARTITIONS;
        List<Object[]> stored = new ArrayList<>();
        for (int minute = 0; minute < 10; minute++) {
            stored.add(new Object[] { T0 + minute * MINUTE, minute < 9 ? 25L : 20L }); // minute 9: 20 of its 25 stored
        }
        Rebuilt rebuilt = rebuild(stored, seededIn, stale);

        assertThat(PerChangeAlerts.evaluate(batch(stale, 5, T0 + 9 * MINUTE + 50_000), GENERATION, AlertEvaluatorTest.RULES,
                rebuilt.partitions())).as("the rest of minute 9").isEmpty();
        assertThat(PerChangeAlerts.evaluate(batch(stale, 25, T0 + 10 * MINUTE), GENERATION, AlertEvaluatorTest.RULES,
                rebuilt.partitions())).as("its counts are in partition " + seededIn + ", minute 9's 5 here are not all").isEmpty();
        // Minute 11 is judged against minute 10, whole here: 30 against 25, no spike; minute 12's 150 against 27.5 are one.
        assertThat(PerChangeAlerts.evaluate(batch(stale, 30, T0 + 11 * MINUTE), GENERATION, AlertEvaluatorTest.RULES,
                rebuilt.partitions())).isEmpty();
        assertThat(PerChangeAlerts.evaluate(batch(stale, 150, T0 + 12 * MINUTE), GENERATION, AlertEvaluatorTest.RULES,
                rebuilt.partitions())).extracting(Alert::rule).containsExactly(PageSpikeRule.NAME);

        List<ConsumedRecord> newPage = batch(stale, titleIn(stale, "Never stored"), 25, T0 + 10 * MINUTE);
        assertThat(PerChangeAlerts.evaluate(newPage, GENERATION, AlertEvaluatorTest.RULES, rebuilt.partitions()))
                .as("a page in its own partition, never stored").extracting(Alert::rule).containsExactly(PageSpikeRule.NAME);
    }

    /**
     * The group rebalances while a batch is being evaluated, and the new state is rebuilt as of the
     * stored offsets, which the batch is not in yet: it is delivered again from there. Its records
     * evaluated after the new state took over would be counted twice: 4 stored in the window, half of
     * the 14-record batch, then all of it again make 25 changes, a spike; once, they make 18.
     */
    @Test
    void shouldNotEvaluateTheRestOfABatchPolledBeforeTheRebalanceThatRebuiltThePartitionsState() {
        int busy = WarmUp.partitionOf(change(T0).partitionKey(), PARTITIONS);
        List<Object[]> stored = new ArrayList<>();
        for (int minute = 0; minute <= 10; minute++) {
            stored.add(new Object[] { T0 + minute * MINUTE, 4L }); // 4 a minute, and 4 in minute 10 so far
        }
        List<ConsumedRecord> batch = batch(busy, 14, T0 + 10 * MINUTE + 30_000);
        AlertPartitions partitions = new AlertPartitions(MINUTE, 100);
        rebuild(partitions, stored, GENERATION, busy);

        assertThat(PerChangeAlerts.evaluate(batch.subList(0, 7), GENERATION, AlertEvaluatorTest.RULES, partitions)).isEmpty();
        rebuild(partitions, stored, GENERATION + 1, busy); // the rebalance, mid-batch
        assertThat(PerChangeAlerts.evaluate(batch.subList(7, 14), GENERATION, AlertEvaluatorTest.RULES, partitions)).isEmpty();
        // Delivered again from the stored offsets, polled in the new generation: 18 changes, no spike.
        assertThat(PerChangeAlerts.evaluate(batch, GENERATION + 1, AlertEvaluatorTest.RULES, partitions)).isEmpty();
        // The state counts the batch once: 2 more make 20 in the window, 5 times a baseline of 4.
        assertThat(PerChangeAlerts.evaluate(batch(busy, 2, T0 + 10 * MINUTE + 50_000), GENERATION + 1,
                AlertEvaluatorTest.RULES, partitions)).extracting(Alert::rule).containsExactly(PageSpikeRule.NAME);
    }

    /**
     * A batch polled before a rebalance that took the partition away, folded after it: evaluated by the
     * state it had. Its commit may land before the new owner reads the store, and it is then never
     * delivered again: skipping it would lose its alerts (a first version dropped revoked states so).
     */
    @Test
    void shouldStillEvaluateABatchOfAPartitionTakenAwayThatIsNotAssignedAgain() {
        int busy = WarmUp.partitionOf(change(T0).partitionKey(), PARTITIONS);
        AlertPartitions partitions = new AlertPartitions(MINUTE, 100);
        rebuild(partitions, List.of(), GENERATION, busy);
        // The next rebalance assigns this replica other partitions only.
        rebuild(partitions, List.of(), GENERATION + 1, (busy + 1) % PARTITIONS);

        assertThat(PerChangeAlerts.evaluate(batch(busy, 20, T0), GENERATION, AlertEvaluatorTest.RULES, partitions))
                .extracting(Alert::rule).containsExactly(PageSpikeRule.NAME);
    }

    /**
     * Partitions lost (the consumer fell out of the group: generation -1 in the callback): a batch polled
     * in the generation it last had is still evaluated with the lost partition's state; once a batch of a
     * later generation is, the state goes. One given back in the same rebalance keeps its new state.
     */
    @Test
    void shouldReleaseTheStateOfALostPartitionOnlyAfterTheBatchesPolledBeforeTheLoss() {
        int busy = WarmUp.partitionOf(change(T0).partitionKey(), PARTITIONS);
        int other = (busy + 1) % PARTITIONS;
        AlertPartitions partitions = new AlertPartitions(MINUTE, 100);
        rebuild(partitions, List.of(), GENERATION, busy, other);
        partitions.rebalanced(GENERATION + 2); // rebalances that changed nothing here (the cooperative protocol)
        partitions.revoked(List.of(busy, other), -1);
        rebuild(partitions, List.of(), GENERATION + 3, other); // rejoined: only the other one is given back

        assertThat(PerChangeAlerts.evaluate(batch(busy, 20, T0), GENERATION + 2, AlertEvaluatorTest.RULES, partitions))
                .as("polled before the loss").extracting(Alert::rule).containsExactly(PageSpikeRule.NAME);
        assertThat(partitions.tracks(busy)).isTrue();
        assertThat(PerChangeAlerts.evaluate(batch(other, 1, T0), GENERATION + 3, AlertEvaluatorTest.RULES, partitions))
                .isEmpty();
        assertThat(partitions.tracks(busy)).as("released").isFalse();
        assertThat(partitions.tracks(other)).as("assigned again").isTrue();
    }

    /** {@code n} changes to the busy page, a millisecond apart from {@code fromMs}, as records of {@code partition}. */
    private static List<ConsumedRecord> batch(int partition, int n, long fromMs) {
        return batch(partition, "Busy page", n, fromMs);
    }

    private static List<ConsumedRecord> batch(int partition, String title, int n, long fromMs) {
        List<ConsumedRecord> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            records.add(new ConsumedRecord(partition, fromMs + i, null, (byte[]) null,
                    new ParseResult.Accepted(AlertEvaluatorTest.change(title, "Someone " + i, fromMs + i, 1))));
        }
        return records;
    }

    /** An enwiki title starting with {@code prefix} whose page Kafka's partitioner puts in {@code partition} of 4. */
    static String titleIn(int partition, String prefix) {
        String title = prefix;
        while (WarmUp.partitionOf(RecentChange.partitionKey("enwiki", title), PARTITIONS) != partition) {
            title += "!";
        }
        return title;
    }

    /** The warm-up of one assignment: the stored counts of the busy page, fed as it reads them; the rows seeded. */
    private static long rebuild(AlertPartitions partitions, List<Object[]> stored, int generation, int... assigned) {
        Map<Integer, AlertEvaluator> states = new HashMap<>();
        for (int p : assigned) {
            states.put(p, partitions.fresh());
        }
        var seeder = new WarmUp.Seeder(states, PARTITIONS, 10);
        String page = change(T0).partitionKey();
        stored.forEach(row -> seeder.accept(page, (long) row[0], (long) row[1]));
        seeder.finish();
        states.forEach((p, state) -> partitions.assigned(p, state, generation));
        return seeder.seeded();
    }

    record Rebuilt(AlertPartitions partitions, long seeded) {
    }

    /** The same, into new state, with these partitions assigned. */
    private static Rebuilt rebuild(List<Object[]> stored, int... assigned) {
        AlertPartitions partitions = new AlertPartitions(MINUTE, 100);
        return new Rebuilt(partitions, rebuild(partitions, stored, GENERATION, assigned));
    }

    static RecentChange change(long timeMs) {
        return AlertEvaluatorTest.change("Busy page", "Someone", timeMs, 1);
    }
}
