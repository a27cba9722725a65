package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.pulse.aggregate.AggregationPlan;
import io.pulse.aggregate.BatchAggregator;
import io.pulse.aggregate.ConsumedRecord;
import io.pulse.aggregate.WindowSpec;
import io.pulse.source.wikimedia.RecentChangeParser;
import io.pulse.source.wikimedia.WikimediaIngest;
import io.pulse.store.AggregateStore;
import io.pulse.store.KnownOffsets;
import io.pulse.testkit.CapturedLog;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A batch whose dead letter Kafka is slow to acknowledge (the dead-letter topic's leader away) cannot
 * commit until it is: its offsets must not pass a dead letter Kafka may still lose. But it must not
 * hold the rows every replica updates meanwhile (a wiki's current minute): it used to write them and
 * then wait, inside its transaction, and another replica's batch of the same wiki and minute waited on
 * its row locks for as long as Kafka took (up to the 10 min delivery timeout), stalling the whole group.
 */
@QuarkusTest
@TestProfile(SlowDeadLetterTopicTest.SlowDeadLetters.class)
class SlowDeadLetterTopicTest {

    public static class SlowDeadLetters implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("mp.messaging.outgoing.wikimedia-dead-letters.interceptor.classes",
                    HeldAcknowledgements.class.getName(), "pulse.wikimedia.ingest.max-unsettled", "50",
                    "pulse.wikimedia.ingest.stalled-after", "2s",
                    "mp.messaging.outgoing.wikimedia-dead-letters.value.serializer", RefusingSerializer.class.getName());
        }
    }

    static final String WIKI = "slowdeadletterwiki";

    @Inject
    AggregateStore store;

    @Inject
    RecentChangeParser parser;

    @Test
    void shouldHoldNoSharedRowsWhileKafkaKeepsTheBatchsDeadLetterWaiting() {
        long now = Instant.now().getEpochSecond();
        String marker = "slow-dlq-" + System.nanoTime();
        HeldAcknowledgements.hold();
        try {
            // One poll: a record the aggregator cannot read (dead-lettered) and a change of the wiki.
            TopicReader.produce(WikimediaPipelineTest.TOPIC, List.of("{\"truncated\": \"" + marker,
                    DeadLetterTest.event(marker + "-1", WIKI, now)));
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> HeldAcknowledgements.sent(marker) && HeldAcknowledgements.holding());

            // Another replica's batch: the same wiki and minute, its own partition and offsets.
            String other = DeadLetterTest.event(marker + "-2", WIKI, now);
            BatchAggregator aggregator = new BatchAggregator(WindowSpec.of(Duration.ofMinutes(1), Duration.ofMinutes(2)));
            AggregationPlan committed = store.apply("other-replica-" + marker, WikimediaPipelineTest.TOPIC,
                    store.prepare(List.of(new ConsumedRecord(0, 0, null, other, parser.parse(other))), aggregator),
                    aggregator, KnownOffsets.NONE).await().atMost(Duration.ofSeconds(30));

            assertThat(committed.aggregates().events()).isEqualTo(1);
            assertThat(changes()).as("the other replica's change; this one's waits for Kafka").isEqualTo(1);
        } finally {
            HeldAcknowledgements.release();
        }
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(changes()).isEqualTo(2));
        assertThat(TopicReader.readAll(DeadLetterTest.DLQ).stream()
                .filter(r -> r.value() != null && r.value().contains(marker)).count()).isEqualTo(1);
    }

    /**
     * The ingest's dead letter waits for Kafka too, while the events topic takes the events after it: they
     * settled one after another, and the resume tracker kept each of them (the position cannot pass the dead
     * letter) for as long as Kafka took, a heap's worth in a day of a refusing dead-letter topic. Now the feed
     * pauses once {@code max-unsettled} (50 here) events wait behind it, and goes on when it is acknowledged:
     * every event published once.
     */
    @Test
    void shouldPauseTheIngestBehindADeadLetterKafkaKeepsWaiting() {
        TestSseServer server = SseServerResource.server();
        String marker = "stuck-ingest-dlq-" + System.nanoTime();
        long base = Instant.now().minusSeconds(600).getEpochSecond();
        int total = 2000;
        List<String> events = new java.util.ArrayList<>();
        // Valid JSON the parser refuses (no change in it): stamped with its time, so that a resume by time
        // after earlier tests' events still sends it.
        events.add("{\"meta\":{\"id\":\"" + marker + "\"},\"timestamp\":" + base + "}");
        for (int i = 0; i < total; i++) {
            events.add(DeadLetterTest.event(marker + "-" + i, "stuckdlqwiki", base + i / 10));
        }
        HeldAcknowledgements.hold();
        try {
            server.append(events);
            await().atMost(Duration.ofSeconds(60)).until(() -> HeldAcknowledgements.sent(marker) && HeldAcknowledgements.holding());
            // Paused: 50 and what one 64 KB read holds (about 130 of these) at most went past the dead letter.
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500))
                    .until(() -> published(marker).size() <= 50 + 200);
            // Connected, the channels ready: only the stalled resume position says that nothing gets through.
            await().atMost(Duration.ofSeconds(30)).until(() -> Boolean.TRUE.equals(pipelineHealth("ingest.stalled")));
            assertThat(pipelineHealth("degraded")).isEqualTo(true);
            assertThat(pipelineHealth("ingest.connected")).isEqualTo(true);
        } finally {
            HeldAcknowledgements.release();
        }
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> published(marker).size() >= total);
        await().atMost(Duration.ofSeconds(30)).until(() -> Boolean.FALSE.equals(pipelineHealth("ingest.stalled")));
        // Each once, and in the feed's order (one page: one partition). Reads that waited for room were
        // handled in the order they came: numbered out of it, the position could pass events not yet sent.
        List<String> expected = new java.util.ArrayList<>();
        for (int i = 0; i < total; i++) {
            expected.add(marker + "-" + i);
        }
        assertThat(published(marker)).isEqualTo(expected);
        await().atMost(Duration.ofSeconds(30)).until(() -> TopicReader.readAll(DeadLetterTest.DLQ).stream()
                .filter(r -> r.value() != null && r.value().contains("\"" + marker + "\"")).count() == 1);
    }

    /**
     * An ingest dead letter whose send fails is sent again until Kafka takes it, and lands once. The retries were
     * silent: the resume position waited on them with nothing in the log to say why. Now the first failure of a
     * letter is a warning, and its landing after failures is said.
     */
    @Test
    void shouldSendAFailedDeadLetterAgainAndSaySo() {
        String marker = "refused-dlq-" + System.nanoTime();
        long base = Instant.now().minusSeconds(600).getEpochSecond();
        RefusingSerializer.refuse(marker, 2);
        List<String> said;
        try (CapturedLog log = CapturedLog.of(WikimediaIngest.class)) {
            SseServerResource.server().append(List.of(
                    "{\"meta\":{\"id\":\"" + marker + "\"},\"timestamp\":" + base + "}",
                    DeadLetterTest.event(marker + "-after", "refuseddlqwiki", base)));

            await().atMost(Duration.ofSeconds(60)).until(() -> TopicReader.readAll(DeadLetterTest.DLQ).stream()
                    .anyMatch(r -> r.value() != null && r.value().contains("\"" + marker + "\"")));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> log.messages().stream().anyMatch(m -> m.startsWith("Dead-lettered")));
            said = log.messages();
        }
        assertThat(RefusingSerializer.refusals()).isEqualTo(2);
        assertThat(TopicReader.readAll(DeadLetterTest.DLQ).stream()
                .filter(r -> r.value() != null && r.value().contains("\"" + marker + "\"")).count()).isEqualTo(1);
        assertThat(said).filteredOn(t -> t.contains("dead-letter") || t.contains("Dead-letter"))
                .hasSize(2)
                .anySatisfy(t -> assertThat(t).startsWith("Could not dead-letter event ").contains("refused for the test"))
                .anySatisfy(t -> assertThat(t).startsWith("Dead-lettered event ").endsWith("after 2 failed sends"));
        assertThat(published(marker)).containsExactly(marker + "-after");
    }

    /** A value of the pipeline's readiness check. */
    private static Object pipelineHealth(String key) {
        return io.restassured.RestAssured.given().get("/q/health/ready").then().extract().jsonPath()
                .get("checks.find { it.name == 'pulse-pipeline' }.data.'" + key + "'");
    }

    /** The ids of the events published with this marker, in the topic's order. */
    private static List<String> published(String marker) {
        return TopicReader.readAll(WikimediaPipelineTest.TOPIC).stream()
                .map(r -> TopicReader.header(r, io.pulse.ingest.PulseHeaders.EVENT_ID))
                .filter(id -> id != null && id.startsWith(marker + "-")).toList();
    }

    private static long changes() {
        return StoredAggregates.scalar("SELECT coalesce(sum(changes), 0) FROM wiki_edit_counts WHERE wiki = ?", WIKI);
    }
}
