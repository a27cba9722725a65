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
import io.pulse.store.AggregateStore;
import io.pulse.store.KnownOffsets;
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
                    HeldAcknowledgements.class.getName());
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

    private static long changes() {
        return StoredAggregates.scalar("SELECT coalesce(sum(changes), 0) FROM wiki_edit_counts WHERE wiki = ?", WIKI);
    }
}
