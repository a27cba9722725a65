package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.pulse.ingest.PulseHeaders;
import io.pulse.source.wikimedia.WikimediaIngest;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The checkpoint store refusing saves (the database away for hours) while Kafka takes the events: a
 * restart reads back everything published after the last saved checkpoint and keeps every id of it in
 * memory: a tail of hours could fill the heap at each start. The feed now pauses once
 * {@code max-unsaved} (300 here) events are past the saved checkpoint, and goes on after a save.
 */
@QuarkusTest
@TestProfile(UnsavedCheckpointTest.SmallUnsavedBound.class)
class UnsavedCheckpointTest {

    public static class SmallUnsavedBound implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pulse.wikimedia.ingest.max-unsaved", "300");
        }
    }

    @Inject
    WikimediaIngest ingest;

    @Inject
    MeterRegistry registry;

    @Test
    void shouldPauseTheFeedWhileNoCheckpointIsSavedAndGoOnOnceOneIs() {
        TestSseServer server = SseServerResource.server();
        String marker = "unsaved-" + System.nanoTime();
        long base = Instant.now().minusSeconds(600).getEpochSecond();
        // Appended once this start's connection is open: a connection resumes at the first event stamped at or after
        // the saved position, which an earlier test class may have left ahead of these events.
        await().atMost(Duration.ofSeconds(60)).until(ingest::connected);
        server.append(List.of(DeadLetterTest.event(marker + "-first", "unsavedwiki", base)));
        String first = TestSseServer.idFor(base * 1000);
        await().atMost(Duration.ofSeconds(60)).until(() -> first.equals(checkpointId()));

        // Positions are refused; recording a run's start (a start, not a save) is not.
        StoredAggregates.execute("CREATE FUNCTION refuse_position() RETURNS trigger LANGUAGE plpgsql AS"
                + " 'BEGIN RAISE EXCEPTION ''checkpoint saves refused by the test''; END'");
        StoredAggregates.execute("CREATE TRIGGER refuse_position BEFORE UPDATE ON ingest_checkpoints FOR EACH ROW"
                + " WHEN (NEW.last_event_id IS DISTINCT FROM OLD.last_event_id) EXECUTE FUNCTION refuse_position()");
        int total = 1000;
        List<String> expected = new ArrayList<>();
        List<String> events = new ArrayList<>();
        for (int i = 0; i < total; i++) {
            expected.add(marker + "-" + i);
            events.add(DeadLetterTest.event(marker + "-" + i, "unsavedwiki", base + 1 + i / 10));
        }
        try {
            server.append(events);
            await().atMost(Duration.ofSeconds(60)).until(() -> published(marker).size() >= 300);
            // Paused: 300, and what one 64 KB read holds (about 130 of these) at most.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500))
                    .until(() -> published(marker).size() <= 300 + 200);
            assertThat(checkpointId()).isEqualTo(first);
            // Counted, not silent: the pause came only after max-unsaved events.
            assertThat(saves("failed")).isPositive();
        } finally {
            StoredAggregates.execute("DROP TRIGGER refuse_position ON ingest_checkpoints");
            StoredAggregates.execute("DROP FUNCTION refuse_position()");
        }
        double savedBefore = saves("saved");
        // Saves succeed again: the rest follows, each event once and in the feed's order (one page, one partition).
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> published(marker).size() >= total);
        assertThat(published(marker)).isEqualTo(expected);
        String last = TestSseServer.idFor((base + 1 + (total - 1) / 10) * 1000);
        await().atMost(Duration.ofSeconds(60)).until(() -> last.equals(checkpointId()));
        // The counter moves once the save's answer reaches the service, a moment after the row is visible here.
        await().atMost(Duration.ofSeconds(10)).until(() -> saves("saved") > savedBefore);
    }

    private double saves(String outcome) {
        var counter = registry.find("pulse.ingest.checkpoint.saves").tags("outcome", outcome).counter();
        return counter == null ? 0 : counter.count();
    }

    /** The ids of the events published with this marker (the first one's aside), in the topic's order. */
    private static List<String> published(String marker) {
        return TopicReader.readAll(WikimediaPipelineTest.TOPIC).stream()
                .map(r -> TopicReader.header(r, PulseHeaders.EVENT_ID))
                .filter(id -> id != null && id.startsWith(marker + "-") && !id.equals(marker + "-first")).toList();
    }

    private static String checkpointId() {
        return StoredAggregates.text("SELECT max(last_event_id) FROM ingest_checkpoints WHERE source = '"
                + TestSseServer.CHECKPOINT + "'");
    }
}
