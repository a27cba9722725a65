package io.pulse.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.pulse.it.CommittedOffsets;
import io.pulse.it.StoredAggregates;
import io.pulse.source.wikimedia.RecentChangeParser;
import io.pulse.store.AggregateStore;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;

/**
 * A record PostgreSQL refuses (dead-lettered), then a crash loses the commits that counted its batch:
 * the next batch reads them again, the refused record among them, parsed as fine as the first time.
 * The search by halves must look among the records read again too. It used to search the new batch
 * only, dead-letter its first (innocent) record, be refused again, and retry that forever with every
 * partition stalled behind it.
 */
@QuarkusTest
class RefusedRereadTest {

    final String WIKI = "rereadrefused" + System.nanoTime() + "wiki"; // a wiki of each test's own
    static final int REFUSED = 5;

    @Inject
    AggregateStore store;

    @Inject
    RecentChangeParser parser;

    final BatchAggregator aggregator = new BatchAggregator(WindowSpec.of(Duration.ofMinutes(1), Duration.ofMinutes(2)));
    final String group = "reread-refused-" + System.nanoTime();
    final String topic = "pulse.test.reread-refused";
    final List<Long> deadLettered = new ArrayList<>();
    final List<String> lines = new ArrayList<>();

    final CommittedOffsets here = new CommittedOffsets(this::records);
    final Map<Integer, Long> committed = here.committed;

    final RefusedRecords byHalves = new RefusedRecords(this::deadLetter, this::apply);

    @Test
    void shouldFindTheRefusedRecordAmongThoseReadAgain() {
        loseTheRefusedRecordsCommit(false);
    }

    /** The same with no batch after the loss: the periodic check reads them again, and searches them by halves. */
    @Test
    void shouldFindTheRefusedRecordAmongThoseTheLostCommitsCheckReadsAgain() {
        loseTheRefusedRecordsCommit(true);
    }

    private void loseTheRefusedRecordsCommit(boolean byTheCheck) {
        String refusedTitle = "Refused " + group;
        long start = Instant.now().minusSeconds(3600).getEpochSecond();
        for (int i = 0; i < 20; i++) {
            lines.add(event(i, i == REFUSED ? refusedTitle : "Page " + i, start + i));
        }
        StoredAggregates.execute("ALTER TABLE page_edit_counts ADD CONSTRAINT test_reread_refused CHECK (title <> '"
                + refusedTitle + "') NOT VALID");
        try {
            commit(records(0, 10));
            assertThat(deadLettered).containsExactly((long) REFUSED);
            assertThat(changes()).isEqualTo(9);

            // PostgreSQL loses those commits: the wiki's rows and the offset (a crash with asynchronous
            // commits, a failover); this replica still knows it had committed up to 10.
            for (String table : new String[] { "wiki", "type", "namespace", "user", "page" }) {
                StoredAggregates.execute("DELETE FROM " + table + "_edit_counts WHERE wiki = '" + WIKI + "'");
            }
            StoredAggregates.execute("UPDATE consumer_offsets SET next_offset = 0, max_event_time = NULL"
                    + " WHERE consumer_group = '" + group + "' AND topic = '" + topic + "'");

            if (byTheCheck) {
                // No batch comes: the lost-commits check reads them again, as RecentChangeAggregator.recountLost does.
                store.recountLost(group, topic, Map.of(0, 10L), aggregator, here).replaceWithVoid()
                        .onFailure(DataRefusal::is).recoverWithUni(refusal -> byHalves.commit(List.of(), refusal))
                        .await().atMost(Duration.ofSeconds(60));
                assertThat(changes()).isEqualTo(9);
                assertThat(deadLettered).containsExactly((long) REFUSED, (long) REFUSED);
                assertThat(StoredAggregates.scalar("SELECT next_offset FROM consumer_offsets WHERE consumer_group = ?"
                        + " AND topic = ? AND kafka_partition = 0", group, topic)).isEqualTo(10);
                return;
            }
            commit(records(10, 20));

            // A plain count: every event but the refused one, once; the refused one dead-lettered (again),
            // no innocent record with it.
            assertThat(changes()).isEqualTo(19);
            assertThat(StoredAggregates.scalar("SELECT count(*) FROM page_edit_counts WHERE wiki = ?", WIKI)).isEqualTo(19);
            assertThat(deadLettered).containsExactly((long) REFUSED, (long) REFUSED);
            assertThat(StoredAggregates.scalar("SELECT next_offset FROM consumer_offsets WHERE consumer_group = ?"
                    + " AND topic = ? AND kafka_partition = 0", group, topic)).isEqualTo(20);
        } finally {
            StoredAggregates.execute("ALTER TABLE page_edit_counts DROP CONSTRAINT test_reread_refused");
        }
    }

    /** As the aggregator commits a batch: whole, or by halves once PostgreSQL refuses it. */
    private void commit(List<ConsumedRecord> records) {
        apply(records).replaceWithVoid()
                .onFailure(DataRefusal::is).recoverWithUni(refusal -> byHalves.commit(records, refusal))
                .await().atMost(Duration.ofSeconds(60));
    }

    private Uni<AggregationPlan> apply(List<ConsumedRecord> records) {
        return store.apply(group, topic, store.prepare(records, aggregator), aggregator, here).invoke(plan -> plan.progress().forEach((p, progress) ->
                committed.merge(p, progress.nextOffset(), Math::max)));
    }

    private Uni<Void> deadLetter(List<ConsumedRecord> rejected) {
        rejected.forEach(r -> deadLettered.add(r.offset()));
        return Uni.createFrom().voidItem();
    }

    private List<ConsumedRecord> records(int from, int to) {
        List<ConsumedRecord> out = new ArrayList<>();
        for (int offset = from; offset < to; offset++) {
            out.add(new ConsumedRecord(0, offset, null, lines.get(offset), parser.parse(lines.get(offset))));
        }
        return out;
    }

    private long changes() {
        return StoredAggregates.scalar("SELECT coalesce(sum(changes), 0) FROM wiki_edit_counts WHERE wiki = ?", WIKI);
    }

    private String event(int i, String title, long timestamp) {
        return "{\"$schema\":\"/mediawiki/recentchange/1.0.0\",\"meta\":{\"id\":\"" + WIKI + "-" + i
                + "\",\"domain\":\"" + WIKI + ".example.org\",\"dt\":\"" + Instant.ofEpochSecond(timestamp)
                + "\"},\"type\":\"edit\",\"namespace\":0,\"title\":\"" + title + "\",\"comment\":\"\",\"timestamp\":"
                + timestamp + ",\"user\":\"User " + i + "\",\"bot\":false,\"length\":{\"old\":10,\"new\":20},\"wiki\":\""
                + WIKI + "\"}";
    }
}
