package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pulse.source.wikimedia.RecentChange;

/**
 * The spike rule judges a page's window against the windows before it. Across a restart those
 * counts come back from the stored aggregates, so a busy page is no "spike" just because the new
 * process has not seen it yet, while a page that was quiet still is one.
 */
class SpikeBaselineIT {

    static final int PARTITIONS = 4;

    @BeforeAll
    static void infra() {
        FaultFixture.infra();
    }

    @Test
    void shouldJudgeTheFirstWindowsAfterARestartAgainstTheStoredBaselines() {
        String wiki = "baselinewiki";
        String topic = "pulse.faults.baseline";
        FaultFixture.infra().kafka().createTopic(topic, PARTITIONS);
        // Two busy pages in different partitions, so each partition's counts are rebuilt on their own.
        String busy = "Busy page 0";
        String otherBusy = busy;
        for (int i = 1; partitionOf(wiki, otherBusy) == partitionOf(wiki, busy); i++) {
            otherBusy = "Busy page " + i;
        }
        long t0 = Instant.now().minusSeconds(2 * 3600).getEpochSecond() / 60 * 60;
        // Ten minutes of 15 changes a minute to each busy page (below the rule's 20: no alert)...
        List<String> before = new ArrayList<>();
        for (int minute = 0; minute < 10; minute++) {
            for (int i = 0; i < 15; i++) {
                before.add(edit(wiki, busy, t0 + minute * 60 + i * 3, before.size()));
                before.add(edit(wiki, otherBusy, t0 + minute * 60 + i * 3, before.size()));
            }
        }
        // ...then, after the restart, 25 in the next minute to each, and to a page that was quiet.
        List<String> after = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            for (String page : List.of(busy, otherBusy, "Quiet page")) {
                after.add(edit(wiki, page, t0 + 600 + i * 2, before.size() + after.size()));
            }
        }

        try (PulseProcess aggregator = PulseProcess.aggregator("baseline").consuming(topic, "baseline-group")) {
            FaultFixture.produce(topic, before);
            aggregator.start();
            FaultFixture.awaitCounted(wiki, before.size());
            assertThat(aggregator.terminate()).isIn(0, 143);

            FaultFixture.produce(topic, after);
            aggregator.start();
            FaultFixture.awaitCounted(wiki, before.size() + after.size());
            assertThat(aggregator.logText()).containsPattern("spike baselines rebuilt from \\d+ stored page counts");
        }
        // A batch's alerts are stored before its aggregates commit: all are in by now. 25 changes are
        // no spike against a baseline of 15 a minute, and one against nothing.
        assertThat(StoredAggregates.texts("SELECT title FROM alerts WHERE wiki = ? AND rule = 'page-spike'", wiki))
                .containsExactly("Quiet page");
    }

    private static String edit(String wiki, String title, long timestamp, int n) {
        return FaultFixture.event(wiki, wiki + "-" + n, "edit", 0, title, "User " + n % 7, false, timestamp, 1000, 1010);
    }

    private static int partitionOf(String wiki, String title) {
        return BuiltInPartitioner.partitionForKey(RecentChange.partitionKey(wiki, title).getBytes(StandardCharsets.UTF_8), PARTITIONS);
    }
}
