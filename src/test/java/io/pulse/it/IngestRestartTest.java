package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.pulse.ingest.PulseHeaders;
import io.pulse.replay.Recording;
import io.pulse.source.wikimedia.WikimediaIngest;
import io.pulse.store.IngestCheckpointStore;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A restart resumes from the persisted position. When that position is stale (the process was
 * killed after Kafka acknowledged events but before the checkpoint recorded them), the feed sends
 * those events again and the ingest must recognise them: nothing is published twice.
 */
@QuarkusTest
class IngestRestartTest {

    @Inject
    WikimediaIngest ingest;

    @Inject
    io.micrometer.core.instrument.MeterRegistry registry;

    @Inject
    IngestCheckpointStore checkpoints;

    @Test
    void shouldPublishNothingTwiceWhenRestartingFromAStaleCheckpoint() {
        TestSseServer server = SseServerResource.server();
        long base = Instant.now().minusSeconds(3600).getEpochSecond();
        String run = "restart-" + System.nanoTime();
        List<String> first = events(run + "-a", base, 40);
        List<String> second = events(run + "-b", base + 40, 40);

        server.append(first);
        String lastOfFirst = TestSseServer.idFor((base + 39) * 1000);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(StoredAggregates.scalar(
                "SELECT count(*) FROM ingest_checkpoints WHERE last_event_id = ?", lastOfFirst)).isEqualTo(1));
        String stalePositions = StoredAggregates.text(
                "SELECT kafka_positions FROM ingest_checkpoints WHERE source = '" + TestSseServer.CHECKPOINT + "'");

        server.append(second);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(restartWikiChanges()).isEqualTo(80));

        // Restart as if killed before the checkpoint covered the second half.
        ingest.stop();
        StoredAggregates.execute("UPDATE ingest_checkpoints SET last_event_id = '" + lastOfFirst
                + "', kafka_positions = '" + stalePositions + "' WHERE source = '" + TestSseServer.CHECKPOINT + "'");
        int sentBefore = server.eventsSent();
        // The restarted run's first connection goes silent before sending anything (replaced after the test
        // profile's 5 s idle timeout): meanwhile its checkpoint must still cover the tail the last run
        // published after that id. Saved with the topic's end offsets instead, a second restart (or a
        // failover) would read back only from there and publish a longer tail again.
        server.inject(new TestSseServer.Fault.StallAfter(0));
        ingest.start();
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(18)).until(() -> stalePositions.equals(
                StoredAggregates.text("SELECT kafka_positions FROM ingest_checkpoints WHERE source = '"
                        + TestSseServer.CHECKPOINT + "'")));

        // The feed re-sends the second half (and the first half's last second) ...
        await().atMost(Duration.ofSeconds(60)).until(() -> server.eventsSent() >= sentBefore + 41);
        // ... and the position moves past it again without publishing anything twice.
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(StoredAggregates.scalar(
                "SELECT count(*) FROM ingest_checkpoints WHERE last_event_id = ?",
                TestSseServer.idFor((base + 79) * 1000))).isEqualTo(1));
        Map<String, Long> published = timesPublished(run);
        assertThat(published).hasSize(80);
        assertThat(published.values()).allMatch(count -> count == 1);
        // Each record names the feed that published it: another feed's read-back leaves its ids alone.
        assertThat(TopicReader.readAll(WikimediaPipelineTest.TOPIC).stream()
                .filter(r -> String.valueOf(TopicReader.header(r, PulseHeaders.EVENT_ID)).startsWith(run))
                .map(r -> TopicReader.header(r, PulseHeaders.STREAM)))
                .hasSize(80).containsOnly(TestSseServer.CHECKPOINT);
        assertThat(restartWikiChanges()).isEqualTo(80);
    }

    /**
     * A position is kept per stream: a run of the bundled recording saved one, and the feed read now is
     * another. Sent to Wikimedia, the recording's id made it answer 404 for good; the recording's own
     * position must still be there for the next replay.
     */
    @Test
    void shouldResumeEachStreamFromItsOwnPosition() {
        TestSseServer server = SseServerResource.server();
        String replay = WikimediaIngest.checkpointKey(URI.create("http://localhost:8080/replay/wikimedia/recentchange"));
        String replayId = Recording.eventId(3999);
        ingest.stop();
        StoredAggregates.execute("INSERT INTO ingest_checkpoints (source, last_event_id, kafka_positions) VALUES ('"
                + replay + "', '" + replayId + "', '') ON CONFLICT (source) DO UPDATE SET last_event_id = EXCLUDED.last_event_id");
        try {
            int before = server.connections().size();
            ingest.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> server.connections().size() > before);
            List<TestSseServer.Connection> after = server.connections().subList(before, server.connections().size());
            assertThat(after).extracting(TestSseServer.Connection::lastEventId)
                    .noneMatch(id -> id != null && id.contains("pulse.replay"));
            assertThat(StoredAggregates.text("SELECT last_event_id FROM ingest_checkpoints WHERE source = '" + replay + "'"))
                    .isEqualTo(replayId);
        } finally {
            StoredAggregates.execute("DELETE FROM ingest_checkpoints WHERE source = '" + replay + "'");
        }
    }

    /**
     * The replay and the live feed take turns on one topic. A day of one between two runs of the other
     * would be read back in full at the other's start (its records after the other's checkpoint), past
     * the read-back's time limit: each run records where it began, and the other feed skips from there
     * to that run's saved prefix without reading it.
     */
    @Test
    void shouldSkipTheOtherFeedsLatestRunWhenReadingBack() {
        String replay = WikimediaIngest.checkpointKey(URI.create("http://localhost:8080/replay/wikimedia/recentchange"));
        ingest.stop();
        try {
            Map<Integer, Long> before = TopicReader.endOffsets(WikimediaPipelineTest.TOPIC);
            // The replay's run: 3,000 records, all of them in its saved prefix.
            List<String> replayed = new ArrayList<>();
            long base = Instant.now().minusSeconds(7200).getEpochSecond();
            for (int i = 0; i < 3000; i++) {
                replayed.add(DeadLetterTest.event("otherfeed-" + i, "otherfeedwiki", base + i / 10));
            }
            TopicReader.produceWithHeader(WikimediaPipelineTest.TOPIC, replayed, PulseHeaders.STREAM,
                    replay.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            Map<Integer, Long> after = TopicReader.endOffsets(WikimediaPipelineTest.TOPIC);
            StoredAggregates.execute("INSERT INTO ingest_checkpoints (source, last_event_id, kafka_positions, run_start_positions,"
                    + " run_started_at) VALUES ('" + replay + "', '" + Recording.eventId(2999) + "', '" + encode(after) + "', '"
                    + encode(before) + "', now()) ON CONFLICT (source) DO NOTHING");

            // The live feed stopped where the replay's run began.
            StoredAggregates.execute("INSERT INTO ingest_checkpoints (source, kafka_positions) VALUES ('" + TestSseServer.CHECKPOINT
                    + "', '" + encode(before) + "') ON CONFLICT (source) DO UPDATE SET kafka_positions = EXCLUDED.kafka_positions");
            int margin = org.eclipse.microprofile.config.ConfigProvider.getConfig()
                    .getValue("pulse.wikimedia.ingest.resume-margin", Integer.class);
            // The records a committed reader finds in the margin before the checkpoint (transaction markers
            // take offsets but are no records).
            Map<Integer, Long> marginStart = new java.util.HashMap<>();
            before.forEach((p, end) -> marginStart.put(p, Math.max(0, end - margin)));
            long ownMargin = TopicReader.countRecords(WikimediaPipelineTest.TOPIC, marginStart, before);

            double read = readBack();
            ingest.start();
            // This run's start is recorded (where the topic ended), for the replay's next read-back to skip it.
            await().atMost(Duration.ofSeconds(60)).until(() -> encode(after).equals(StoredAggregates.text(
                    "SELECT max(run_start_positions) FROM ingest_checkpoints WHERE source = '" + TestSseServer.CHECKPOINT + "'")));
            // The live feed read back the margin before its checkpoint, not the replay's 3,000 records after it.
            assertThat((long) (readBack() - read)).isEqualTo(ownMargin);
        } finally {
            StoredAggregates.execute("DELETE FROM ingest_checkpoints WHERE source = '" + replay + "'");
        }
    }

    /** Only what a run saved after it began is another feed's alone: a run that never saved has no range. */
    @Test
    void shouldKnowTheRangesOtherFeedsRunsAloneWrote() {
        StoredAggregates.execute("INSERT INTO ingest_checkpoints (source, kafka_positions, run_start_positions) VALUES"
                + " ('wikimedia:/saved', '0:15,1:5,2:40', '0:10,1:20'), ('wikimedia:/unsaved', NULL, '0:100'),"
                + " ('wikimedia:/reading', '0:500', '0:400')");
        try {
            Map<Integer, List<IngestCheckpointStore.OffsetRange>> ranges = checkpoints.othersRuns("wikimedia:/reading")
                    .await().atMost(Duration.ofSeconds(30));
            // (The test feed's own run may add ranges of its own: only these rows' are looked at.)
            assertThat(ranges.get(0)).contains(new IngestCheckpointStore.OffsetRange(10, 15))
                    .noneMatch(r -> r.from() == 100 || r.from() == 400);
            assertThat(ranges.getOrDefault(1, List.of())).noneMatch(r -> r.from() == 20);
            assertThat(ranges.getOrDefault(2, List.of())).noneMatch(r -> r.to() == 40);
        } finally {
            StoredAggregates.execute("DELETE FROM ingest_checkpoints WHERE source IN ('wikimedia:/saved',"
                    + " 'wikimedia:/unsaved', 'wikimedia:/reading')");
        }
    }

    /**
     * Runs of one feed with no other feed's run between them (a failover, a redeploy) share the first
     * one's start: the range another feed skips covers all of them, not the latest alone.
     */
    @Test
    void shouldKeepTheFirstStartOfAFeedsRunsUntilAnotherFeedRuns() {
        try {
            checkpoints.startRun("wikimedia:/a", Map.of(0, 10L)).await().atMost(Duration.ofSeconds(30));
            checkpoints.startRun("wikimedia:/a", Map.of(0, 50L)).await().atMost(Duration.ofSeconds(30));
            assertThat(runStart("wikimedia:/a")).isEqualTo("0:10");

            checkpoints.startRun("wikimedia:/b", Map.of(0, 60L)).await().atMost(Duration.ofSeconds(30));
            checkpoints.startRun("wikimedia:/a", Map.of(0, 70L)).await().atMost(Duration.ofSeconds(30));
            assertThat(runStart("wikimedia:/a")).isEqualTo("0:70");
            assertThat(runStart("wikimedia:/b")).isEqualTo("0:60");
        } finally {
            StoredAggregates.execute("DELETE FROM ingest_checkpoints WHERE source IN ('wikimedia:/a', 'wikimedia:/b')");
        }
    }

    private static String runStart(String source) {
        return StoredAggregates.text("SELECT max(run_start_positions) FROM ingest_checkpoints WHERE source = '" + source + "'");
    }

    private double readBack() {
        var counter = registry.find("pulse.ingest.read.back.records").counter();
        return counter == null ? 0 : counter.count();
    }

    private static String encode(Map<Integer, Long> offsets) {
        return offsets.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(","));
    }

    /**
     * A replica stopped while the database refused its saves, its last one too, and elected again after a
     * successor moved the checkpoint on: its checkpoint ticker, running from the start, saved the old term's
     * position over the successor's before the new run had read the checkpoint, putting the feed back by
     * the successor's whole term.
     */
    @Test
    void shouldNotSaveAnEarlierRunsPositionOverASuccessorsCheckpoint() throws Exception {
        TestSseServer server = SseServerResource.server();
        long base = Instant.now().minusSeconds(1800).getEpochSecond();
        String run = "stale-term-" + System.nanoTime();
        server.append(events(run + "-a", "staletermwiki", base, 10));
        String lastOfA = TestSseServer.idFor((base + 9) * 1000);
        await().atMost(Duration.ofSeconds(60)).until(() -> lastOfA.equals(checkpointId()));

        StoredAggregates.execute("CREATE FUNCTION refuse_checkpoint() RETURNS trigger LANGUAGE plpgsql AS"
                + " 'BEGIN RAISE EXCEPTION ''checkpoint saves refused by the test''; END'");
        StoredAggregates.execute("CREATE TRIGGER refuse_checkpoint BEFORE INSERT OR UPDATE ON ingest_checkpoints"
                + " FOR EACH ROW EXECUTE FUNCTION refuse_checkpoint()");
        try {
            server.append(events(run + "-b", "staletermwiki", base + 10, 10));
            await().atMost(Duration.ofSeconds(60)).until(() -> TestSseServer.idFor((base + 19) * 1000).equals(ingest.position()));
            ingest.stop();
        } finally {
            StoredAggregates.execute("DROP TRIGGER refuse_checkpoint ON ingest_checkpoints");
            StoredAggregates.execute("DROP FUNCTION refuse_checkpoint()");
        }
        assertThat(checkpointId()).isEqualTo(lastOfA);

        // A successor's term, meanwhile, read on and saved its position: past every event the shared test
        // server holds (other classes append events stamped ahead), so that resuming from it sends nothing.
        String successors = TestSseServer.idFor(Instant.now().plus(Duration.ofDays(3650)).toEpochMilli());
        StoredAggregates.execute("UPDATE ingest_checkpoints SET last_event_id = '" + successors + "' WHERE source = '"
                + TestSseServer.CHECKPOINT + "'");
        // Elected again, with the database slow: the start waits to read the checkpoint.
        try (java.sql.Connection slow = StoredAggregates.connect()) {
            slow.setAutoCommit(false);
            try (java.sql.Statement s = slow.createStatement()) {
                s.execute("LOCK TABLE ingest_checkpoints IN ACCESS EXCLUSIVE MODE");
            }
            ingest.start();
            await().atMost(Duration.ofSeconds(30)).until(() -> StoredAggregates.scalar("SELECT count(*) FROM pg_stat_activity"
                    + " WHERE wait_event_type = 'Lock' AND query ILIKE '%ingest_checkpoints%' AND query NOT ILIKE '%LOCK TABLE%'") > 0);
            slow.rollback();
        }
        // Nothing newer than the successor's position comes from the feed: the checkpoint stays the successor's.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(15)).until(() -> successors.equals(checkpointId()));
        await().atMost(Duration.ofSeconds(30)).until(() -> successors.equals(ingest.position()));
    }

    /**
     * Elected while the database refuses what the start needs: first the checkpoint's read (its table gone), then the
     * run's record (its writes refused). The start waits, without reading the feed, and goes on once the database
     * answers: it used to be tested only with a slow database, never with one that fails.
     */
    @Test
    void shouldStartOnceTheDatabaseAnswersWhatTheStartNeeds() throws Exception {
        TestSseServer server = SseServerResource.server();
        long base = Instant.now().minusSeconds(900).getEpochSecond();
        String run = "db-refused-" + System.nanoTime();
        ingest.stop();
        int connections = server.connections().size();
        StoredAggregates.execute("ALTER TABLE ingest_checkpoints RENAME TO ingest_checkpoints_away");
        boolean renamed = true;
        try {
            ingest.start();
            server.append(events(run, "dbrefusedwiki", base, 10));
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .until(() -> server.connections().size() == connections);

            // Counted by a sequence: it moves on even though the refused write's transaction rolls back.
            StoredAggregates.execute("CREATE SEQUENCE refused_run_starts");
            // The run's record only: the election's claim of a term (a row without a run start) passes.
            StoredAggregates.execute("CREATE FUNCTION refuse_run_start() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                    + " IF NEW.run_started_at IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.run_started_at IS DISTINCT FROM"
                    + " OLD.run_started_at) THEN PERFORM nextval('refused_run_starts');"
                    + " RAISE EXCEPTION 'run starts refused by the test'; END IF; RETURN NEW; END $$");
            StoredAggregates.execute("CREATE TRIGGER refuse_run_start BEFORE INSERT OR UPDATE ON ingest_checkpoints_away"
                    + " FOR EACH ROW EXECUTE FUNCTION refuse_run_start()");
            try {
                StoredAggregates.execute("ALTER TABLE ingest_checkpoints_away RENAME TO ingest_checkpoints");
                renamed = false;
                await().atMost(Duration.ofSeconds(60)).until(() -> StoredAggregates.scalar(
                        "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM refused_run_starts") >= 1);
                assertThat(server.connections()).hasSize(connections);
            } finally {
                StoredAggregates.execute("DROP TRIGGER refuse_run_start ON " + (renamed ? "ingest_checkpoints_away" : "ingest_checkpoints"));
                StoredAggregates.execute("DROP FUNCTION refuse_run_start()");
                StoredAggregates.execute("DROP SEQUENCE refused_run_starts");
            }
        } finally {
            if (renamed) {
                StoredAggregates.execute("ALTER TABLE ingest_checkpoints_away RENAME TO ingest_checkpoints");
            }
        }

        String last = TestSseServer.idFor((base + 9) * 1000);
        await().atMost(Duration.ofSeconds(60)).until(() -> last.equals(checkpointId()));
        assertThat(server.connections()).hasSizeGreaterThan(connections);
        Map<String, Long> published = timesPublished(run);
        assertThat(published).hasSize(10);
        assertThat(published.values()).allMatch(count -> count == 1);
    }

    /** How many times each event of the run was published to the events topic, by event id. */
    private static Map<String, Long> timesPublished(String run) {
        return TopicReader.readAll(WikimediaPipelineTest.TOPIC).stream()
                .map(r -> TopicReader.header(r, PulseHeaders.EVENT_ID))
                .filter(id -> id != null && id.startsWith(run))
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    private static String checkpointId() {
        return StoredAggregates.text("SELECT max(last_event_id) FROM ingest_checkpoints WHERE source = '" + TestSseServer.CHECKPOINT + "'");
    }

    private static long restartWikiChanges() {
        return StoredAggregates.scalar("SELECT coalesce(sum(changes), 0) FROM wiki_edit_counts WHERE wiki = 'restartwiki'");
    }

    /** Events one second apart, as a live feed's timestamps only move forward. */
    private static List<String> events(String idPrefix, long firstSecond, int count) {
        return events(idPrefix, "restartwiki", firstSecond, count);
    }

    private static List<String> events(String idPrefix, String wiki, long firstSecond, int count) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(DeadLetterTest.event(idPrefix + "-" + i, wiki, firstSecond + i));
        }
        return out;
    }
}
