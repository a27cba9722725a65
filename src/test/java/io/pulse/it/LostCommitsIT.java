package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * PostgreSQL loses the last commits it acknowledged while Pulse runs, as after a crash with
 * asynchronous commits or a failover to a standby that had not received them (simulated: the rows and
 * the offset those commits wrote are taken back). Pulse's consumer has read past them; it reads those
 * records again from Kafka and counts them with the next batch, so the totals stay exact. Before, they
 * were skipped for good.
 */
class LostCommitsIT {

    static final Duration PATIENCE = Duration.ofSeconds(120);

    /** The commits lost are this replica's own. */
    @Test
    void shouldCountAgainWhatPostgreSqlLostAfterAcknowledgingIt() throws Exception {
        loseCommits("lost-commits", false, true);
    }

    /** The commits lost were made before this replica was assigned the partition (another replica, an earlier run). */
    @Test
    void shouldCountAgainWhatPostgreSqlLostAfterThisReplicaResumedFromIt() throws Exception {
        loseCommits("lost-commits-resumed", true, true);
    }

    /**
     * No record comes after the loss (the stream stopped): no batch finds it, the periodic check does
     * ({@code pulse.aggregate.lost-commits-check}). Before, the totals stayed short until new records came.
     */
    @Test
    void shouldCountAgainWhatPostgreSqlLostOfAPartitionNoRecordComesFor() throws Exception {
        loseCommits("lost-commits-quiet", false, false);
    }

    private static void loseCommits(String name, boolean restartBeforeTheLoss, boolean moreRecords) throws Exception {
        FaultFixture.infra();
        String topic = "pulse.faults." + name;
        String group = name + "-group";
        String keptWiki = name.replace("-", "") + "keptwiki";
        String lostWiki = name.replace("-", "") + "lostwiki";
        FaultFixture.infra().kafka().createTopic(topic, 1);
        long start = Instant.now().minusSeconds(3 * 3600).getEpochSecond();
        List<String> kept = FaultFixture.events(keptWiki, 600, 51, start);
        List<String> lost = FaultFixture.events(lostWiki, 600, 52, start + 1800); // later in event time
        FaultFixture.produce(topic, kept);
        FaultFixture.produce(topic, lost.subList(0, 400));

        try (PulseProcess pulse = PulseProcess.aggregator(name).consuming(topic, group)
                .property("pulse.aggregate.lost-commits-check", "2s")) {
            pulse.start();
            FaultFixture.awaitCounted(lostWiki, 400);
            FaultFixture.awaitCounted(keptWiki, 600);
            if (restartBeforeTheLoss) {
                pulse.terminate();
                pulse.start();
                await().atMost(PATIENCE).until(() -> pulse.logText().contains("resuming at stored offsets {0=1000}"));
            }

            // The commits of offsets 600-999 are lost: their rows (the only ones of their wiki) and the
            // offset go back to what the commit of offsets 0-599 had stored.
            for (String table : new String[] { "wiki", "type", "namespace", "user", "page" }) {
                StoredAggregates.execute("DELETE FROM " + table + "_edit_counts WHERE wiki = '" + lostWiki + "'");
            }
            long keptNewest = start + 599L * 1800 / 600;
            StoredAggregates.execute("UPDATE consumer_offsets SET next_offset = 600, max_event_time = to_timestamp("
                    + keptNewest + ") WHERE consumer_group = '" + group + "' AND topic = '" + topic + "'");
            List<String> counted = moreRecords ? lost : lost.subList(0, 400);
            if (moreRecords) {
                FaultFixture.produce(topic, lost.subList(400, lost.size()));
            }

            FaultFixture.awaitCounted(lostWiki, counted.size());
            FaultFixture.assertExactTotals(ExpectedAggregates.of(counted, 60), lostWiki);
            FaultFixture.assertExactTotals(ExpectedAggregates.of(kept, 60), keptWiki);
            assertThat(pulse.logText()).contains("no longer accounts for offsets 600 to 999 of " + topic + "-0");
            assertThat(StoredAggregates.scalar("SELECT next_offset FROM consumer_offsets WHERE consumer_group = ? AND topic = ?",
                    group, topic)).isEqualTo(moreRecords ? 1200L : 1000L);
            assertThat(Counters.sum(pulse.get("/q/metrics").body(), "pulse_aggregate_reread_records_total", ""))
                    .isEqualTo(400);
        }
    }
}
