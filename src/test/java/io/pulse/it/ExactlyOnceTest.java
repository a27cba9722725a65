package io.pulse.it;

import static io.pulse.it.StoredAggregates.restrictTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pulse.aggregate.AccountedOffsets;
import io.pulse.aggregate.AggregationPlan;
import io.pulse.aggregate.BatchAggregator;
import io.pulse.aggregate.ConsumedRecord;
import io.pulse.aggregate.WindowSpec;
import io.pulse.source.wikimedia.RecentChangeParser;
import io.pulse.store.AggregateStore;
import io.pulse.store.KnownOffsets;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;

/**
 * Exactly-once counting: a transaction that fails after writing its aggregates leaves no trace and
 * is retried; records delivered again (after a crash, a rebalance, a second replica) are skipped.
 */
@QuarkusTest
class ExactlyOnceTest {

    @Inject
    AggregateStore store;

    @Inject
    RecentChangeParser parser;

    @Test
    void shouldRollBackAFailedBatchAndCountItOnceOnRetry() {
        List<String> lines = renameWiki(ExpectedAggregates.readLines("editgroups-qs_batch_with_new_items.jsonl"),
                "exactlyoncewiki");
        ExpectedAggregates expected = ExpectedAggregates.of(lines, 60);
        // The first two attempts to advance the offsets fail, after the aggregates were written.
        // A sequence, not a table, counts the attempts: it survives the rollback it causes.
        StoredAggregates.execute("""
                DROP SEQUENCE IF EXISTS injected_failures;
                CREATE SEQUENCE injected_failures;
                CREATE OR REPLACE FUNCTION fail_offset_commit() RETURNS trigger AS $$
                BEGIN
                    IF NEW.consumer_group = 'pulse-aggregator' AND nextval('injected_failures') <= 2 THEN
                        RAISE EXCEPTION 'injected failure after writing the aggregates';
                    END IF;
                    RETURN NEW;
                END $$ LANGUAGE plpgsql;
                CREATE TRIGGER fail_offset_commit BEFORE UPDATE ON consumer_offsets
                    FOR EACH ROW EXECUTE FUNCTION fail_offset_commit();
                """);
        try {
            TopicReader.produce(WikimediaPipelineTest.TOPIC, lines);

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                    restrictTo(StoredAggregates.wikiWindows("exactlyoncewiki"), expected.wikiWindows))
                    .isEqualTo(expected.wikiWindows));
            assertThat(StoredAggregates.scalar("SELECT last_value FROM injected_failures"))
                    .as("the failures were really injected").isGreaterThanOrEqualTo(3);
            assertThat(restrictTo(StoredAggregates.userChanges("exactlyoncewiki"), expected.wikiWindows))
                    .isEqualTo(expected.userChanges);
        } finally {
            StoredAggregates.execute("""
                    DROP TRIGGER IF EXISTS fail_offset_commit ON consumer_offsets;
                    DROP FUNCTION IF EXISTS fail_offset_commit();
                    DROP SEQUENCE IF EXISTS injected_failures;
                    """);
        }
    }

    @Test
    void shouldSkipRecordsAlreadyCountedWhenTheyAreDeliveredAgain() {
        List<String> lines = renameWiki(ExpectedAggregates.readLines("polars-book-wikimedia.ndjson"),
                "redeliverywiki").subList(0, 30);
        BatchAggregator aggregator = new BatchAggregator(WindowSpec.of(Duration.ofMinutes(1), Duration.ofMinutes(2)));
        String group = "redelivery-test";
        String topic = "pulse.test.redelivery";

        AggregationPlan first = apply(group, topic, records(lines, 0, 20), aggregator);
        AggregationPlan again = apply(group, topic, records(lines, 0, 20), aggregator);
        AggregationPlan overlapping = apply(group, topic, records(lines, 10, 30), aggregator);

        assertThat(first.aggregates().events()).isEqualTo(20);
        assertThat(again.aggregates().events()).isZero();
        assertThat(again.alreadyCounted()).isEqualTo(20);
        assertThat(overlapping.aggregates().events()).isEqualTo(10);
        assertThat(overlapping.alreadyCounted()).isEqualTo(10);
        assertThat(StoredAggregates.scalar("SELECT sum(changes) FROM wiki_edit_counts WHERE wiki = 'redeliverywiki'"))
                .isEqualTo(30);
        assertThat(StoredAggregates.scalar("SELECT next_offset FROM consumer_offsets WHERE consumer_group = ?"
                + " AND topic = ? AND kafka_partition = 0", group, topic)).isEqualTo(30);
    }

    /**
     * PostgreSQL loses commits it acknowledged (a failover to a standby that had not received them, a
     * restore from backup): the stored offset falls behind what this replica committed, while its
     * consumer reads on from where it was. The records in between are read again and counted with the
     * next batch; before, they were skipped for good.
     */
    @Test
    void shouldCountAgainTheRecordsOfCommitsPostgreSqlLost() {
        List<String> lines = ExpectedAggregates.readLines("polars-book-wikimedia.ndjson").subList(0, 30);
        List<String> kept = renameWiki(lines.subList(0, 10), "keptcommitwiki");
        List<String> lost = renameWiki(lines.subList(10, 30), "lostcommitwiki");
        List<String> all = new ArrayList<>(kept);
        all.addAll(lost);
        BatchAggregator aggregator = new BatchAggregator(WindowSpec.of(Duration.ofMinutes(1), Duration.ofMinutes(2)));
        String group = "lost-commits-test";
        String topic = "pulse.test.lost-commits";
        CommittedOffsets here = new CommittedOffsets((from, to) -> records(all, from, to));
        Map<Integer, Long> committed = here.committed;
        List<String> rereads = here.rereads;

        committed.put(0, apply(group, topic, records(all, 0, 10), aggregator, here).progress().get(0).nextOffset());
        String keptMaxEventTime = StoredAggregates.text("SELECT max_event_time::text FROM consumer_offsets"
                + " WHERE consumer_group = '" + group + "' AND topic = '" + topic + "'");
        committed.put(0, apply(group, topic, records(all, 10, 20), aggregator, here).progress().get(0).nextOffset());
        // PostgreSQL loses the second commit: its rows (the only ones of their wiki) and its offset.
        for (String table : new String[] { "wiki", "type", "namespace", "user", "page" }) {
            StoredAggregates.execute("DELETE FROM " + table + "_edit_counts WHERE wiki = 'lostcommitwiki'");
        }
        StoredAggregates.execute("UPDATE consumer_offsets SET next_offset = 10, max_event_time = '" + keptMaxEventTime
                + "' WHERE consumer_group = '" + group + "' AND topic = '" + topic + "'");

        AggregationPlan next = apply(group, topic, records(all, 20, 30), aggregator, here);

        assertThat(rereads).containsExactly("0:10-20");
        assertThat(next.aggregates().events()).isEqualTo(20);
        FaultFixture.assertExactTotals(ExpectedAggregates.of(lost, 60), "lostcommitwiki");
        FaultFixture.assertExactTotals(ExpectedAggregates.of(kept, 60), "keptcommitwiki");
        assertThat(StoredAggregates.scalar("SELECT next_offset FROM consumer_offsets WHERE consumer_group = ?"
                + " AND topic = ? AND kafka_partition = 0", group, topic)).isEqualTo(30);

        // Delivered again after that (a restart seeks to the stored offset): skipped, nothing read again.
        AggregationPlan again = apply(group, topic, records(all, 20, 30), aggregator, here);
        assertThat(again.aggregates().events()).isZero();
        assertThat(rereads).hasSize(1);
    }

    /**
     * PostgreSQL loses acknowledged commits, then a rebalance gives the partition back to this replica
     * before its next commit: the assignment reads the stored offset (behind) and the consumer resumes
     * there, but a batch polled before the rebalance still commits first. It must read the lost records
     * again: the assignment used to replace what this replica knew with the stored offset, the batch then
     * saw no loss, moved the offset past it, and the records delivered again from the stored offset were
     * skipped as counted. Counted nowhere.
     */
    @Test
    void shouldCountAgainTheRecordsOfLostCommitsWhenThePartitionIsAssignedAgainBeforeTheNextCommit() {
        List<String> lines = ExpectedAggregates.readLines("polars-book-wikimedia.ndjson").subList(0, 30);
        List<String> all = renameWiki(lines, "reassignedlostwiki");
        BatchAggregator aggregator = new BatchAggregator(WindowSpec.of(Duration.ofMinutes(1), Duration.ofMinutes(2)));
        String group = "lost-then-reassigned-test";
        String topic = "pulse.test.lost-then-reassigned";
        List<String> rereads = new ArrayList<>();
        AccountedOffsets accounted = new AccountedOffsets(null, new SimpleMeterRegistry()) {
            @Override
            public Uni<List<ConsumedRecord>> reread(int partition, long from, long to) {
                rereads.add(partition + ":" + from + "-" + to);
                return Uni.createFrom().item(records(all, (int) from, (int) to));
            }
        };
        accounted.assigned(0, 0);
        accounted.committed(apply(group, topic, records(all, 0, 10), aggregator, accounted));
        accounted.committed(apply(group, topic, records(all, 10, 20), aggregator, accounted));
        // PostgreSQL loses the second commit: its rows and its offset.
        for (String table : new String[] { "wiki", "type", "namespace", "user", "page" }) {
            StoredAggregates.execute("DELETE FROM " + table + "_edit_counts WHERE wiki = 'reassignedlostwiki'");
        }
        StoredAggregates.execute("UPDATE consumer_offsets SET next_offset = 0, max_event_time = NULL"
                + " WHERE consumer_group = '" + group + "' AND topic = '" + topic + "'");
        accounted.committed(apply(group, topic, records(all, 0, 10), aggregator, KnownOffsets.NONE)); // the kept one

        accounted.assigned(0, 10); // the rebalance: the store says 10, and the consumer seeks there
        accounted.committed(apply(group, topic, records(all, 20, 30), aggregator, accounted)); // polled before it
        accounted.committed(apply(group, topic, records(all, 10, 20), aggregator, accounted)); // delivered again
        accounted.committed(apply(group, topic, records(all, 20, 30), aggregator, accounted));

        assertThat(rereads).containsExactly("0:10-20");
        FaultFixture.assertExactTotals(ExpectedAggregates.of(all, 60), "reassignedlostwiki");
    }

    private AggregationPlan apply(String group, String topic, List<ConsumedRecord> records, BatchAggregator aggregator) {
        return apply(group, topic, records, aggregator, KnownOffsets.NONE);
    }

    private AggregationPlan apply(String group, String topic, List<ConsumedRecord> records, BatchAggregator aggregator,
            KnownOffsets knownOffsets) {
        return store.apply(group, topic, store.prepare(records, aggregator), aggregator, knownOffsets)
                .await().atMost(Duration.ofSeconds(30));
    }

    private List<ConsumedRecord> records(List<String> lines, int from, int to) {
        List<ConsumedRecord> records = new ArrayList<>();
        for (int offset = from; offset < to; offset++) {
            records.add(new ConsumedRecord(0, offset, null, lines.get(offset), parser.parse(lines.get(offset))));
        }
        return records;
    }

    static List<String> renameWiki(List<String> lines, String wiki) {
        return lines.stream().map(l -> l.replaceAll("\"wiki\": ?\"[a-z]+\"", "\"wiki\": \"" + wiki + "\"")).toList();
    }
}
