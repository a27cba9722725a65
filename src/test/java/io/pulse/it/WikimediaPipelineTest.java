package io.pulse.it;

import static io.pulse.it.StoredAggregates.restrictTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.pulse.ingest.PulseHeaders;
import io.pulse.it.TestSseServer.Fault;
import io.pulse.testkit.PulseInfraResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The whole pipeline on real recordings: local SSE feed → ingest → Kafka → aggregator → PostgreSQL,
 * compared with totals computed by a plain loop over the same file.
 */
@QuarkusTest
@QuarkusTestResource(value = PulseInfraResource.class, restrictToAnnotatedClass = false)
@QuarkusTestResource(value = SseServerResource.class, restrictToAnnotatedClass = false)
class WikimediaPipelineTest {

    static final String TOPIC = "pulse.wikimedia.recentchange";
    static final Duration PATIENCE = Duration.ofSeconds(120);

    @Test
    void shouldCountEveryEventExactlyOnceAcrossDroppedConnections() {
        ExpectedAggregates expected = ExpectedAggregates.ofRecording("editgroups-one_qs_batch.jsonl", 60);
        TestSseServer server = SseServerResource.server();
        int connectionsBefore = server.connections().size();
        // Three connections cut mid-stream, one refused with 503 + Retry-After, then a healthy one.
        server.inject(new Fault.DropAfter(700), new Fault.HttpError(503, 1), new Fault.DropAfter(900),
                new Fault.DropAfter(1100));
        server.disconnectAll();
        server.append(expected.lines);

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(
                restrictTo(StoredAggregates.wikiWindows("wikidatawiki"), expected.wikiWindows))
                .isEqualTo(expected.wikiWindows));
        assertThat(restrictTo(StoredAggregates.userChanges("wikidatawiki"), expected.wikiWindows))
                .isEqualTo(expected.userChanges);
        assertThat(restrictTo(StoredAggregates.pageChanges("wikidatawiki"), expected.wikiWindows))
                .isEqualTo(expected.pageChanges);
        assertThat(restrictTo(StoredAggregates.typeChanges("wikidatawiki"), expected.wikiWindows))
                .isEqualTo(expected.typeChanges);
        assertThat(restrictTo(StoredAggregates.namespaceChanges("wikidatawiki"), expected.wikiWindows))
                .isEqualTo(expected.namespaceChanges);

        // Kafka holds each event exactly once, although the resumes re-delivered some.
        Map<String, Long> published = TopicReader.readAll(TOPIC).stream()
                .map(r -> TopicReader.header(r, PulseHeaders.EVENT_ID))
                .filter(expected.eventIds::contains)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(published).hasSize(expected.eventIds.size());
        assertThat(published.values()).allMatch(count -> count == 1);
        assertThat(server.eventsSent()).as("the resumes re-delivered events").isGreaterThan(expected.eventIds.size());

        List<TestSseServer.Connection> reconnects = server.connections().subList(connectionsBefore, server.connections().size());
        assertThat(reconnects).hasSizeGreaterThanOrEqualTo(5);
        assertThat(reconnects).filteredOn(c -> c.status() == 503).hasSize(1);
        assertThat(reconnects.subList(1, reconnects.size())).allSatisfy(c -> assertThat(c.lastEventId()).contains("timestamp"));
        assertThat(server.connections()).allSatisfy(c -> assertThat(c.userAgent()).startsWith("Pulse/").contains("("));
    }

    @Test
    void shouldRecoverFromTooManyRequestsPartialLinesAndStalledConnections() {
        String wiki = "ssefaultwiki";
        List<String> events = FaultFixture.events(wiki, 1500, 29, Instant.now().minusSeconds(1800).getEpochSecond());
        ExpectedAggregates expected = ExpectedAggregates.of(events, 60);
        TestSseServer server = SseServerResource.server();
        int connectionsBefore = server.connections().size();
        // 429 with Retry-After; a data line cut in half then closed; a connection gone silent without
        // closing (replaced after the 5 s idle timeout of the test profile); then healthy. Faults count
        // the events of their own connection, re-deliveries included: each meets enough events to strike.
        server.inject(new Fault.HttpError(429, 1), new Fault.CutLineAfter(200), new Fault.StallAfter(300));
        server.disconnectAll();
        server.append(events);

        // Four connections: the server never closes the stalled one, so the fourth proves the idle watchdog.
        await().atMost(PATIENCE).until(() -> server.connections().size() >= connectionsBefore + 4);
        await().atMost(PATIENCE).untilAsserted(() -> FaultFixture.assertExactTotals(expected, wiki));
        FaultFixture.assertPublishedOnce(TOPIC, expected.eventIds);

        List<TestSseServer.Connection> reconnects = server.connections().subList(connectionsBefore, server.connections().size());
        assertThat(reconnects.get(0).status()).isEqualTo(429);
        assertThat(reconnects.subList(1, reconnects.size())).allSatisfy(c -> assertThat(c.lastEventId()).contains("timestamp"));
    }

    @Test
    void shouldAggregateTheCurrentSchemaRecordingExactly() {
        ExpectedAggregates expected = ExpectedAggregates.ofRecording("polars-book-wikimedia.ndjson", 60);
        SseServerResource.server().append(expected.lines);

        await().atMost(PATIENCE).untilAsserted(() -> assertThat(
                restrictTo(StoredAggregates.wikiWindows("enwiki"), expected.wikiWindows))
                .isEqualTo(expected.wikiWindows));
        assertThat(restrictTo(StoredAggregates.userChanges("enwiki"), expected.wikiWindows))
                .isEqualTo(expected.userChanges);
        assertThat(restrictTo(StoredAggregates.pageChanges("enwiki"), expected.wikiWindows))
                .isEqualTo(expected.pageChanges);

        // The hourly contributors view ranks the recording's most active user first.
        Map.Entry<String, Long> top = expected.userChanges.entrySet().stream()
                .collect(Collectors.groupingBy(e -> e.getKey().substring(e.getKey().indexOf('/') + 1),
                        Collectors.summingLong(Map.Entry::getValue)))
                .entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow();
        assertThat(StoredAggregates.scalar("SELECT changes FROM top_contributors_hourly WHERE wiki = 'enwiki'"
                + " AND hour = '2023-07-29T07:00:00Z' AND user_name = ?", top.getKey())).isEqualTo(top.getValue());
    }

    @Test
    void shouldPersistTheResumePositionOfTheLastEventPublished() {
        List<String> lines = ExpectedAggregates.readLines("editgroups-qs_batch_with_new_items.jsonl");
        TestSseServer server = SseServerResource.server();
        int before = server.size();
        String lastId = TestSseServer.idFor(Long.parseLong(lines.get(lines.size() - 1)
                .replaceAll(".*\"timestamp\": ?(\\d+).*", "$1")) * 1000);
        server.append(lines);
        await().atMost(PATIENCE).until(() -> server.size() == before + lines.size());
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(StoredAggregates.scalar(
                "SELECT count(*) FROM ingest_checkpoints WHERE source = ? AND last_event_id = ?", TestSseServer.CHECKPOINT, lastId))
                .isEqualTo(1));
    }
}
