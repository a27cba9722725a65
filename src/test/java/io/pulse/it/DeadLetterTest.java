package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import io.pulse.aggregate.AggregatorStatus;
import io.pulse.ingest.PulseHeaders;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;

/**
 * Bad input never stops the stream and never disappears: each malformed event lands in the
 * dead-letter topic with its reason, is counted, and the next good event is aggregated.
 */
@QuarkusTest
class DeadLetterTest {

    static final String DLQ = "pulse.wikimedia.recentchange.dlq";

    @Inject
    AggregatorStatus status;

    @Test
    void shouldDeadLetterEveryKindOfBadSseEventAndKeepGoing() {
        TestSseServer server = SseServerResource.server();
        double countedBefore = deadLetterCount("ingest");
        double emptyBefore = Counters.sum("pulse_ingest_events_total", "outcome=\"empty\"");
        String marker = "dlq-" + System.nanoTime();
        long now = Instant.now().getEpochSecond();

        String oversized = event(marker + "-4", "deadletterwiki", now).replace("\"comment\":\"\"",
                "\"comment\":\"" + "x".repeat(1_100_000) + "\"");
        server.append(List.of(
                "this is not json " + marker,
                "{\"meta\":{\"id\":\"" + marker + "-1\",\"domain\":\"test.wikipedia.org\"},\"comment\":\"" + marker + "\"}",
                event(marker + "-2", "deadletterwiki", now).replace("\"bot\":false", "\"bot\":\"yes\""),
                event(marker + "-3", "deadletterwiki", now + 365L * 24 * 3600),
                event(marker + "-3b", "deadletterwiki", 946_684_800L), // 2000-01-01, before Wikipedia
                oversized));
        server.appendRaw(("{\"meta\":{\"id\":\"" + marker + "-5\"},\"title\":\"caf")
                .getBytes(StandardCharsets.UTF_8));
        byte[] invalid = ("{\"meta\":{\"id\":\"" + marker + "-6\"},\"title\":\"\u00ff\u00fe\"}")
                .getBytes(StandardCharsets.ISO_8859_1); // not UTF-8
        server.appendRaw(invalid);
        server.appendRaw(new byte[0]); // an event with empty data, as EventStreams sends now and then: not a dead letter
        server.append(List.of(event(marker + "-ok", "deadletterwiki", now)));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(StoredAggregates.scalar(
                "SELECT coalesce(sum(changes), 0) FROM wiki_edit_counts WHERE wiki = 'deadletterwiki'")).isEqualTo(1));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(deadLetterCount("ingest") - countedBefore)
                .isEqualTo(8));
        assertThat(Counters.sum("pulse_ingest_events_total", "outcome=\"empty\"") - emptyBefore).as("dropped, counted").isEqualTo(1);

        // This test's dead letters only: each holds the marker, but the oversized event, whose data the decoder
        // dropped, is known by its SSE id (its timestamp) alone. The parser's detail after "malformed JSON: "
        // is Jackson's wording, not Pulse's.
        String oversizedId = TestSseServer.idFor(now * 1000);
        List<String> reasons = TopicReader.readAll(DLQ).stream()
                .filter(r -> r.value() != null && (r.value().contains(marker)
                        || r.value().isEmpty() && oversizedId.equals(TopicReader.header(r, PulseHeaders.SSE_ID))))
                .map(r -> TopicReader.header(r, PulseHeaders.STAGE) + ": "
                        + TopicReader.header(r, PulseHeaders.REASON).replaceFirst("^malformed JSON: .*", "malformed JSON"))
                .toList();
        assertThat(reasons).containsExactlyInAnyOrder(
                "ingest: malformed JSON", // not JSON
                "ingest: missing field 'type'",
                "ingest: field 'bot' must be a boolean",
                "ingest: event time more than PT1H in the future: " + Instant.ofEpochSecond(now + 365L * 24 * 3600),
                "ingest: event time before 2001-01-15T00:00:00Z: 2000-01-01T00:00:00Z",
                "ingest: event data of " + oversized.getBytes(StandardCharsets.UTF_8).length + " bytes exceeds the limit",
                "ingest: malformed JSON", // cut short
                "ingest: event data is not valid UTF-8");
    }

    @Test
    void shouldDeadLetterARecordTheAggregatorCannotReadAndCountTheNextOne() {
        double countedBefore = deadLetterCount("aggregate");
        long now = Instant.now().getEpochSecond();
        String marker = "aggregate-dlq-" + System.nanoTime();

        // Another producer's records: a tombstone, truncated JSON, and an event whose bytes are not UTF-8
        // (the aggregator parses the bytes as read, so it must not count what a String decode would mangle).
        byte[] latin1 = event(marker + "-latin1", "aggregatordlqwiki", now).replace("Dead letters", "Caf\u00e9")
                .getBytes(StandardCharsets.ISO_8859_1);
        TopicReader.produceTombstone(WikimediaPipelineTest.TOPIC, marker + "-tombstone");
        TopicReader.produceBytes(WikimediaPipelineTest.TOPIC, List.of(
                ("{\"truncated\": " + marker).getBytes(StandardCharsets.UTF_8), latin1,
                event(marker + "-ok", "aggregatordlqwiki", now).getBytes(StandardCharsets.UTF_8)));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(StoredAggregates.scalar(
                "SELECT coalesce(sum(changes), 0) FROM wiki_edit_counts WHERE wiki = 'aggregatordlqwiki'")).isEqualTo(1));
        // The tombstone has a key, so it may sit in another partition than the rest: awaited on its own.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(deadLetterCount("aggregate") - countedBefore)
                .isEqualTo(3));
        List<ConsumerRecord<String, String>> dead = TopicReader.readAll(DLQ).stream()
                .filter(r -> r.value().contains(marker) || (r.key() != null && r.key().contains(marker))).toList();
        assertThat(dead).hasSize(3);
        assertThat(dead).allSatisfy(r -> assertThat(TopicReader.header(r, PulseHeaders.STAGE)).isEqualTo("aggregate"));
        assertThat(dead).anySatisfy(r -> assertThat(TopicReader.header(r, PulseHeaders.REASON)).startsWith("malformed JSON"));
        assertThat(dead).anySatisfy(r -> {
            assertThat(r.key()).isEqualTo(marker + "-tombstone");
            assertThat(TopicReader.header(r, PulseHeaders.REASON)).isEqualTo("empty event");
        });
        assertThat(dead).anySatisfy(r -> {
            assertThat(r.value()).contains(marker + "-latin1");
            assertThat(TopicReader.header(r, PulseHeaders.REASON)).isEqualTo("event data is not valid UTF-8");
        });
    }

    /** Canaries and other streams' events written to the topic by another producer: counted as ignored, not dead. */
    @Test
    void shouldCountTheRecordsTheAggregatorIgnores() {
        double ignoredBefore = Counters.sum("pulse_aggregate_events_total", "outcome=\"ignored\"");
        double deadBefore = deadLetterCount("aggregate");
        long now = Instant.now().getEpochSecond();
        String marker = "ignored-" + System.nanoTime();
        TopicReader.produce(WikimediaPipelineTest.TOPIC, List.of(
                "{\"meta\":{\"domain\":\"canary\",\"id\":\"" + marker + "-canary\"}}",
                event(marker + "-other", "ignoredwiki", now).replace("\"dt\":", "\"stream\":\"mediawiki.page-create\",\"dt\":"),
                event(marker + "-ok", "ignoredwiki", now)));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(
                Counters.sum("pulse_aggregate_events_total", "outcome=\"ignored\"") - ignoredBefore).isEqualTo(2));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(StoredAggregates.scalar(
                "SELECT coalesce(sum(changes), 0) FROM wiki_edit_counts WHERE wiki = 'ignoredwiki'")).isEqualTo(1));
        assertThat(deadLetterCount("aggregate")).isEqualTo(deadBefore);
    }

    /**
     * A poll of bad records from another producer: more dead letters at once than the emitter
     * takes (its buffer of 128 and the sink's 1,024 in flight). Sent all at once, they failed the batch
     * on every retry and stalled the partition for good.
     */
    @Test
    void shouldDeadLetterAFloodOfBadRecordsAndCountTheNextOne() {
        double before = deadLetterCount("aggregate");
        String marker = "flood-" + System.nanoTime();
        int bad = 9_000;
        List<String> records = new ArrayList<>();
        for (int i = 0; i < bad; i++) {
            records.add("{\"truncated\": \"" + marker + "-" + i);
        }
        records.add(event(marker + "-ok", "floodwiki", Instant.now().getEpochSecond()));
        TopicReader.produce(WikimediaPipelineTest.TOPIC, records);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(StoredAggregates.scalar(
                "SELECT coalesce(sum(changes), 0) FROM wiki_edit_counts WHERE wiki = 'floodwiki'")).isEqualTo(1));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(deadLetterCount("aggregate") - before)
                .isEqualTo(bad));
    }

    /** A header Pulse reads, with no value: another producer's record, counted as any other. */
    @Test
    void shouldCountARecordWhoseReceivedAtHeaderHasNoValue() {
        long now = Instant.now().getEpochSecond();
        String marker = "null-header-" + System.nanoTime();
        TopicReader.produceWithHeader(WikimediaPipelineTest.TOPIC, event(marker + "-1", "nullheaderwiki", now),
                PulseHeaders.RECEIVED_AT, null);
        TopicReader.produce(WikimediaPipelineTest.TOPIC, List.of(event(marker + "-2", "nullheaderwiki", now)));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(StoredAggregates.scalar(
                "SELECT coalesce(sum(changes), 0) FROM wiki_edit_counts WHERE wiki = 'nullheaderwiki'")).isEqualTo(2));
    }

    /**
     * Text PostgreSQL cannot store: a NUL character (no text value may hold one, nor a jsonb value, where
     * an alert puts the event id) or a key longer than a B-tree entry may be. Such a record used to fail
     * its batch's transaction on every retry, stalling the partition for good; it must be dead-lettered
     * like any other bad event, from either side.
     */
    @Test
    void shouldDeadLetterTextTheDatabaseCannotStoreAndCountTheNextOne() {
        double ingestBefore = deadLetterCount("ingest");
        double aggregateBefore = deadLetterCount("aggregate");
        long now = Instant.now().getEpochSecond();
        String marker = "unstorable-" + System.nanoTime();
        String nulTitle = event(marker + "-nul-title", "unstorablewiki", now).replace("Dead letters", "Dead\\u0000letters");
        String nulUser = event(marker + "-nul-user", "unstorablewiki", now).replace("\"Tester\"", "\"Tes\\u0000ter\"");
        // Random letters: PostgreSQL compresses a key before measuring it, and 3,000 of one letter would fit.
        String random = new Random(42).ints(3_000, 'a', 'z' + 1)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        String longTitle = event(marker + "-long-title", "unstorablewiki", now).replace("Dead letters", random);
        // A page blanked (an alert, whose details hold the event id): the id reached PostgreSQL's jsonb.
        String nulId = event(marker + "-nul-id\\u0000", "unstorablewiki", now)
                .replace("\"old\":10,\"new\":15", "\"old\":10000,\"new\":15");
        String ok = event(marker + "-ok", "unstorablewiki", now);

        // Another producer's records, straight to the topic: only the aggregator sees them.
        TopicReader.produce(WikimediaPipelineTest.TOPIC, List.of(nulTitle, nulUser, longTitle, nulId, ok));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(StoredAggregates.scalar(
                "SELECT coalesce(sum(changes), 0) FROM wiki_edit_counts WHERE wiki = 'unstorablewiki'")).isEqualTo(1));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(deadLetterCount("aggregate") - aggregateBefore)
                .isEqualTo(4));

        // The same through the SSE ingest: stopped there, before Kafka.
        SseServerResource.server().append(List.of(nulTitle.replace(marker, marker + "-sse"),
                nulUser.replace(marker, marker + "-sse"), longTitle.replace(marker, marker + "-sse"),
                nulId.replace(marker, marker + "-sse"), ok.replace(marker, marker + "-sse")));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(StoredAggregates.scalar(
                "SELECT coalesce(sum(changes), 0) FROM wiki_edit_counts WHERE wiki = 'unstorablewiki'")).isEqualTo(2));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(deadLetterCount("ingest") - ingestBefore)
                .isEqualTo(4));

        List<String> reasons = TopicReader.readAll(DLQ).stream().filter(r -> r.value() != null && r.value().contains(marker))
                .map(r -> TopicReader.header(r, PulseHeaders.STAGE) + ": " + TopicReader.header(r, PulseHeaders.REASON))
                .toList();
        assertThat(reasons).containsExactlyInAnyOrder(
                "aggregate: field 'title' contains a NUL character", "aggregate: field 'user' contains a NUL character",
                "aggregate: field 'title' is longer than 1024 bytes", "aggregate: field 'meta.id' contains a NUL character",
                "ingest: field 'title' contains a NUL character", "ingest: field 'user' contains a NUL character",
                "ingest: field 'title' is longer than 1024 bytes", "ingest: field 'meta.id' contains a NUL character");
    }

    /**
     * Titles with unpaired surrogates (valid JSON escapes, not Unicode): the database client writes each
     * as '?', so two such titles of one batch became the same row twice in one upsert, which
     * PostgreSQL refuses on every retry.
     */
    @Test
    void shouldDeadLetterTextThatIsNotUnicodeAndCountTheNextOne() {
        double before = deadLetterCount("aggregate");
        long now = Instant.now().getEpochSecond();
        String marker = "surrogates-" + System.nanoTime();
        TopicReader.produce(WikimediaPipelineTest.TOPIC, List.of(
                event(marker + "-high", "surrogateswiki", now).replace("Dead letters", "Half \\ud800"),
                event(marker + "-low", "surrogateswiki", now).replace("Dead letters", "Half \\udc00"),
                event(marker + "-pair", "surrogateswiki", now).replace("Dead letters", "Whole \\ud83d\\ude00")));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(StoredAggregates.scalar(
                "SELECT coalesce(sum(changes), 0) FROM page_edit_counts WHERE wiki = 'surrogateswiki'"
                        + " AND title = 'Whole \uD83D\uDE00'")).as("a proper pair is counted").isEqualTo(1));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(deadLetterCount("aggregate") - before)
                .isEqualTo(2));
        assertThat(StoredAggregates.scalar("SELECT coalesce(sum(changes), 0) FROM page_edit_counts WHERE wiki = 'surrogateswiki'"))
                .isEqualTo(1);
    }

    /**
     * Page lengths no page has: the byte sums of a window would pass PostgreSQL's bigint (or wrap
     * around in the batch's fold), failing the batch on every retry from the second such event on.
     */
    @Test
    void shouldDeadLetterImpossiblePageLengthsAndCountTheNextOne() {
        double before = deadLetterCount("aggregate");
        long now = Instant.now().getEpochSecond();
        String marker = "lengths-" + System.nanoTime();
        List<String> impossible = List.of(
                event(marker + "-huge-1", "lengthswiki", now).replace("\"new\":15", "\"new\":9000000000000000000"),
                event(marker + "-huge-2", "lengthswiki", now).replace("\"new\":15", "\"new\":9000000000000000000"),
                event(marker + "-negative", "lengthswiki", now).replace("\"old\":10", "\"old\":-9000000000000000000"));
        for (String record : impossible) { // one batch each: the sums meet in PostgreSQL, not in one fold
            TopicReader.produce(WikimediaPipelineTest.TOPIC, List.of(record));
        }
        TopicReader.produce(WikimediaPipelineTest.TOPIC, List.of(event(marker + "-ok", "lengthswiki", now)));

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(StoredAggregates.scalar(
                "SELECT coalesce(sum(changes), 0) * 1000 + coalesce(sum(bytes_added), 0) FROM wiki_edit_counts"
                        + " WHERE wiki = 'lengthswiki'")).as("one change of 5 bytes: the good one").isEqualTo(1005));
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(deadLetterCount("aggregate") - before)
                .isEqualTo(3));
    }

    /**
     * A record PostgreSQL refuses for a reason the parser does not know: here a check constraint the
     * test adds, standing for any next cause like the five above. Its batch used to be retried forever.
     * Now the batch is committed by halves: the refused record is dead-lettered with PostgreSQL's
     * reason, and every other record is counted once.
     */
    @Test
    void shouldDeadLetterARecordTheDatabaseRefusesAndCountEveryOtherOne() throws SQLException {
        double before = deadLetterCount("aggregate");
        long now = Instant.now().getEpochSecond();
        String marker = "refused-" + System.nanoTime();
        String refusedTitle = "Refused " + marker;
        execute("ALTER TABLE page_edit_counts ADD CONSTRAINT test_refused_title CHECK (title <> '" + refusedTitle + "') NOT VALID");
        try {
            List<String> events = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                events.add(event(marker + "-" + i, "refusedwiki", now).replace("Dead letters", i == 23 ? refusedTitle : "Page " + i));
            }
            TopicReader.produce(WikimediaPipelineTest.TOPIC, events);

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(StoredAggregates.scalar(
                    "SELECT coalesce(sum(changes), 0) FROM wiki_edit_counts WHERE wiki = 'refusedwiki'")).isEqualTo(39));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(deadLetterCount("aggregate") - before)
                    .isEqualTo(1));
            List<ConsumerRecord<String, String>> dead = TopicReader.readAll(DLQ).stream()
                    .filter(r -> r.value() != null && r.value().contains(marker)).toList();
            assertThat(dead).singleElement().satisfies(r -> {
                assertThat(r.value()).contains(marker + "-23");
                assertThat(TopicReader.header(r, PulseHeaders.STAGE)).isEqualTo("aggregate");
                assertThat(TopicReader.header(r, PulseHeaders.REASON))
                        .startsWith("refused by PostgreSQL: SQLSTATE 23514: ").contains("test_refused_title");
            });
            assertThat(StoredAggregates.scalar("SELECT count(*) FROM page_edit_counts WHERE wiki = 'refusedwiki'"))
                    .isEqualTo(39);
        } finally {
            execute("ALTER TABLE page_edit_counts DROP CONSTRAINT test_refused_title");
        }
    }

    /**
     * PostgreSQL refusing a batch's alerts (their insert) is no refusal of the batch's records: it used to
     * send the batch into the search by halves, which committed every record and dropped the alerts.
     * The batch is retried instead, and counted with its alerts once they can be stored.
     */
    @Test
    void shouldRetryABatchWhoseAlertsPostgreSqlRefusesInsteadOfDroppingThem() throws SQLException {
        long now = Instant.now().getEpochSecond();
        String marker = "alert-refused-" + System.nanoTime();
        String title = "Blanked " + marker;
        execute("ALTER TABLE alerts ADD CONSTRAINT test_refused_alert CHECK (title IS DISTINCT FROM '" + title + "') NOT VALID");
        try {
            TopicReader.produce(WikimediaPipelineTest.TOPIC, List.of(
                    event(marker + "-blanked", "alertrefusedwiki", now).replace("Dead letters", title)
                            .replace("\"old\":10,\"new\":15", "\"old\":10000,\"new\":100"), // a mass blanking
                    event(marker + "-ok", "alertrefusedwiki", now)));

            await().atMost(Duration.ofSeconds(60)).until(() -> String.valueOf(status.lastError()).contains("test_refused_alert"));
            // Readiness says what kind of failure it is, never its message: that names tables, SQL, hosts.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(RestAssured.get("/q/health/ready").asString())
                    .containsPattern("\"aggregator.lastErrorKind\"\\s*:\\s*\"PgException \\(SQLSTATE 23514\\)\"")
                    .doesNotContain("test_refused_alert"));
            assertThat(StoredAggregates.scalar("SELECT coalesce(sum(changes), 0) FROM wiki_edit_counts WHERE wiki = 'alertrefusedwiki'"))
                    .as("the batch waits for its alerts").isZero();
        } finally {
            execute("ALTER TABLE alerts DROP CONSTRAINT test_refused_alert");
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(StoredAggregates.scalar(
                "SELECT coalesce(sum(changes), 0) FROM wiki_edit_counts WHERE wiki = 'alertrefusedwiki'")).isEqualTo(2));
        assertThat(StoredAggregates.scalar("SELECT count(*) FROM alerts WHERE rule = 'mass-blanking' AND title = ?", title))
                .isEqualTo(1);
        assertThat(TopicReader.readAll(DLQ).stream().filter(r -> r.value() != null && r.value().contains(marker))).isEmpty();
    }

    /**
     * An event within {@code max-event-bytes} that the events topic will not take (its
     * {@code max.message.bytes} set below it): Kafka refuses it on every send, and the ingest used to
     * send it again forever, holding up every event after it. It is dead-lettered instead.
     */
    @Test
    void shouldDeadLetterAnEventKafkaRefusesAndPublishTheNextOne() {
        double before = deadLetterCount("ingest");
        long now = Instant.now().getEpochSecond();
        String marker = "kafka-refused-" + System.nanoTime();
        // Not below the producer's batch.size (128 KB): Kafka 4.1's producer would split such batches
        // forever (KAFKA-8350), which no caller can handle (README, "does not guarantee").
        TopicReader.setTopicConfig(WikimediaPipelineTest.TOPIC, "max.message.bytes", "200000");
        try {
            SseServerResource.server().append(List.of(
                    event(marker + "-large", "kafkarefusedwiki", now).replace("\"comment\":\"\"",
                            "\"comment\":\"" + "x".repeat(300_000) + "\""),
                    event(marker + "-ok", "kafkarefusedwiki", now)));

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(StoredAggregates.scalar(
                    "SELECT coalesce(sum(changes), 0) FROM wiki_edit_counts WHERE wiki = 'kafkarefusedwiki'")).isEqualTo(1));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(deadLetterCount("ingest") - before)
                    .isEqualTo(1));
            assertThat(TopicReader.readAll(DLQ).stream().filter(r -> r.value() != null && r.value().contains(marker)))
                    .singleElement().satisfies(r -> {
                        assertThat(r.value()).contains(marker + "-large");
                        assertThat(TopicReader.header(r, PulseHeaders.STAGE)).isEqualTo("ingest");
                        assertThat(TopicReader.header(r, PulseHeaders.REASON))
                                .startsWith("refused by Kafka: org.apache.kafka.common.errors.RecordTooLargeException");
                    });
        } finally {
            TopicReader.setTopicConfig(WikimediaPipelineTest.TOPIC, "max.message.bytes", null);
        }
    }

    /**
     * A dead letter larger than the dead-letter topic takes (its {@code max.message.bytes} set below the
     * events topic's): Kafka refused it on every send, and it was sent again forever, holding up the feed
     * (at the ingest) or the partition (at the aggregator) behind it. Now its first 1,024 characters are
     * sent instead, with its length in a header.
     */
    @Test
    void shouldDeadLetterTheStartOfADeadLetterKafkaRefusesAndCountTheNextOne() {
        double ingestBefore = deadLetterCount("ingest");
        double aggregateBefore = deadLetterCount("aggregate");
        long now = Instant.now().getEpochSecond();
        String marker = "dlq-refused-" + System.nanoTime();
        String atIngest = "not json " + marker + " " + "x".repeat(200_000);
        String atAggregator = "{\"truncated\": \"" + marker + " " + "y".repeat(150_000);
        TopicReader.readAll(DLQ); // creates the topic if no test dead-lettered anything yet
        // Below both dead letters, above the dead-letter producer's batch.size (16 KB; KAFKA-8350).
        TopicReader.setTopicConfig(DLQ, "max.message.bytes", "100000");
        try {
            SseServerResource.server().append(List.of(atIngest, event(marker + "-ok", "dlqrefusedwiki", now)));
            TopicReader.produce(WikimediaPipelineTest.TOPIC,
                    List.of(atAggregator, event(marker + "-ok2", "dlqrefusedwiki", now)));

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(StoredAggregates.scalar(
                    "SELECT coalesce(sum(changes), 0) FROM wiki_edit_counts WHERE wiki = 'dlqrefusedwiki'")).isEqualTo(2));
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                assertThat(deadLetterCount("ingest") - ingestBefore).isEqualTo(1);
                assertThat(deadLetterCount("aggregate") - aggregateBefore).isEqualTo(1);
            });
            List<ConsumerRecord<String, String>> dead = TopicReader.readAll(DLQ).stream()
                    .filter(r -> r.value() != null && r.value().contains(marker)).toList();
            assertThat(dead).hasSize(2).allSatisfy(r -> assertThat(r.value()).hasSize(1024));
            assertThat(dead).anySatisfy(r -> {
                assertThat(r.value()).isEqualTo(atIngest.substring(0, 1024));
                assertThat(TopicReader.header(r, PulseHeaders.STAGE)).isEqualTo("ingest");
                assertThat(TopicReader.header(r, PulseHeaders.REASON)).startsWith("malformed JSON");
                assertThat(TopicReader.header(r, "pulse-dlq-truncated-from-chars")).isEqualTo(Integer.toString(atIngest.length()));
            });
            assertThat(dead).anySatisfy(r -> {
                assertThat(r.value()).isEqualTo(atAggregator.substring(0, 1024));
                assertThat(TopicReader.header(r, PulseHeaders.STAGE)).isEqualTo("aggregate");
                assertThat(TopicReader.header(r, PulseHeaders.REASON)).startsWith("malformed JSON");
                assertThat(TopicReader.header(r, "pulse-dlq-truncated-from-chars"))
                        .isEqualTo(Integer.toString(atAggregator.length()));
            });
        } finally {
            TopicReader.setTopicConfig(DLQ, "max.message.bytes", null);
        }
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = StoredAggregates.connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    static String event(String id, String wiki, long timestamp) {
        return "{\"$schema\":\"/mediawiki/recentchange/1.0.0\",\"meta\":{\"id\":\"" + id
                + "\",\"domain\":\"test.wikipedia.org\",\"dt\":\"2024-01-01T00:00:00Z\"},\"type\":\"edit\","
                + "\"namespace\":0,\"title\":\"Dead letters\",\"comment\":\"\",\"timestamp\":" + timestamp
                + ",\"user\":\"Tester\",\"bot\":false,\"length\":{\"old\":10,\"new\":15},\"wiki\":\"" + wiki + "\"}";
    }

    /** The dead-letter counter as Prometheus exposes it. */
    static double deadLetterCount(String stage) {
        return Counters.sum("pulse_dead_letters_total", "stage=\"" + stage + "\"");
    }
}
