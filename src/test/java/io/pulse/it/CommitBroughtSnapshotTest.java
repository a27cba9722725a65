package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * A commit of the aggregator brings the next /metrics/stream snapshot forward: with an interval longer than the test
 * waits, the only snapshot that can show the new events after the first is one a commit brought. It must show them in
 * every figure read per snapshot: the type counts and the pipeline's counts, which a snapshot shares with the others for
 * half an interval unless a commit came since.
 */
@QuarkusTest
@TestProfile(CommitBroughtSnapshotTest.LongInterval.class)
class CommitBroughtSnapshotTest {

    public static class LongInterval implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pulse.metrics.interval", "60s", "pulse.metrics.min-interval", "50ms");
        }
    }

    @TestHTTPResource("/metrics/stream")
    String streamUrl;

    @Test
    void shouldSendASnapshotWithTheCommittedEventsSoonAfterTheCommitNotAtTheInterval() {
        String wiki = "commitwiki" + System.nanoTime() % 1_000_000;
        long now = Instant.now().getEpochSecond();
        int changes = 7;
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < changes; i++) {
            lines.add(DeadLetterTest.event("commit-brought-" + System.nanoTime() + "-" + i, wiki, now));
        }
        try (SseTestClient client = new SseTestClient(streamUrl + "?wiki=" + wiki)) {
            await().atMost(Duration.ofSeconds(30)).until(() -> !client.events().isEmpty());
            JsonNode first = client.events().get(0).data();
            long aggregatedBefore = first.get("pipeline").get("aggregated").asLong();

            TopicReader.produce(WikimediaPipelineTest.TOPIC, lines);

            // Well within the 60 s interval: the first snapshot's tick started it.
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                JsonNode last = client.last().data();
                assertThat(last.get("currentMinute").get("changes").asLong() + last.get("lastMinute").get("changes").asLong())
                        .isEqualTo(changes);
                assertThat(last.get("pipeline").get("aggregated").asLong()).isGreaterThanOrEqualTo(aggregatedBefore + changes);
            });
            assertThat(client.events()).extracting(e -> Long.parseLong(e.id())).isSorted().doesNotHaveDuplicates();
        }
    }
}
