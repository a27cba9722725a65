package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A replica frozen in the middle of a batch's transaction (a long pause, SIGSTOP, its network cut) after
 * its upserts: its rows, which every replica updates, stayed locked for as long as its session lived (two
 * hours of TCP keep-alive), and every other replica waited. PostgreSQL now ends the idle transaction after
 * {@code pulse.aggregate.idle-transaction-timeout}; the thawed replica finds its transaction gone, retries
 * the batch, and the totals stay exact.
 */
class FrozenReplicaIT {

    static final Duration PATIENCE = Duration.ofSeconds(120);

    @BeforeAll
    static void infra() {
        FaultFixture.infra();
    }

    @Test
    void shouldFreeTheRowsOfAReplicaFrozenInsideItsTransaction() throws Exception {
        String wiki = "frozenwiki";
        String topic = "pulse.faults.frozen";
        FaultFixture.infra().kafka().createTopic(topic, 1);
        long start = Instant.now().minusSeconds(2 * 3600).getEpochSecond();
        List<String> first = FaultFixture.events(wiki, 100, 11, start);
        List<String> second = FaultFixture.events(wiki, 100, 12, start); // the same windows: rows that exist
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        ExpectedAggregates expected = ExpectedAggregates.of(all, 60);

        try (PulseProcess aggregator = PulseProcess.aggregator("frozen").consuming(topic, "frozen-group")
                .env("PULSE_AGGREGATE_IDLE_TRANSACTION_TIMEOUT", "3s")
                .env("PULSE_AGGREGATE_LOCK_TIMEOUT", "10m")) { // it waits for the rows below, without giving up
            aggregator.start();
            FaultFixture.produce(topic, first);
            FaultFixture.awaitCounted(wiki, first.size());

            // Hold the wiki's rows, so that the next batch's upserts wait; freeze the service while they do,
            // then let them through: its transaction has written, and its process cannot commit.
            try (Connection holder = StoredAggregates.connect(); Statement s = holder.createStatement()) {
                holder.setAutoCommit(false);
                s.executeUpdate("UPDATE wiki_edit_counts SET changes = changes WHERE wiki = '" + wiki + "'");
                FaultFixture.produce(topic, second);
                await().atMost(PATIENCE).until(() -> StoredAggregates.scalar("SELECT count(*) FROM pg_stat_activity"
                        + " WHERE application_name = 'pulse' AND wait_event_type = 'Lock'") > 0);
                aggregator.pause();
                holder.rollback();
            }
            try {
                // Another replica's update of the same rows: it waited for the frozen one's before.
                try (Connection other = StoredAggregates.connect(); Statement s = other.createStatement()) {
                    s.execute("SET lock_timeout = '30s'");
                    try (PreparedStatement update = other.prepareStatement(
                            "UPDATE wiki_edit_counts SET changes = changes WHERE wiki = ?")) {
                        update.setString(1, wiki);
                        assertThat(update.executeUpdate()).isPositive();
                    }
                }
                assertThat(FaultFixture.counted(wiki)).as("nothing of the frozen transaction committed").isEqualTo(first.size());
            } finally {
                aggregator.resume();
            }

            FaultFixture.awaitCounted(wiki, all.size());
            FaultFixture.assertExactTotals(expected, wiki);
        }
    }
}
