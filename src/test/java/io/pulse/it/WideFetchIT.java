package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A replica that owns many partitions with a backlog (one replica left after scaling out, or catching
 * up after a stop) reads bounded fetch responses. Each response is one heap buffer and, per socket read,
 * a direct buffer of what is left of it: at 2 MB a partition with Kafka's 50 MB response default, the
 * consumers' memory would grow with the partition count until direct memory ran out.
 */
class WideFetchIT {

    static final int PARTITIONS = 12;
    static final long MB = 1024 * 1024;
    /** A response may end with one whole producer batch past the limit. */
    static final long SLACK = 256 * 1024;
    static final Pattern FETCH_SIZE_MAX = Pattern.compile(
            "^kafka_consumer_fetch_manager_fetch_size_max\\{.*client_id=\"([^\"]+)\".*\\} (\\S+)$");

    @BeforeAll
    static void infra() {
        FaultFixture.infra();
    }

    @Test
    void shouldReadBoundedResponsesWhateverThePartitionCount() throws Exception {
        String wiki = "widefetchwiki";
        String topic = "pulse.faults.widefetch";
        FaultFixture.infra().kafka().createTopic(topic, PARTITIONS);
        List<String> events = FaultFixture.events(wiki, 100_000, 17);
        long bytes = events.stream().mapToLong(e -> e.getBytes(StandardCharsets.UTF_8).length).sum();
        assertThat(bytes).as("a backlog past 2 MB a partition").isGreaterThan(PARTITIONS * 2 * MB);
        FaultFixture.produce(topic, events);

        try (PulseProcess pulse = PulseProcess.aggregator("widefetch").consuming(topic, "widefetch-group")) {
            pulse.start();
            FaultFixture.awaitCounted(wiki, events.size());

            // Unbounded, the first responses would hold 2 MB per partition.
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                Map<String, Double> largest = largestFetches(pulse);
                assertThat(largest.get("kafka-consumer-wikimedia-events-in")).as("aggregator's largest response")
                        .isBetween(6.0 * MB, 8.0 * MB + SLACK);
            });
        }
    }

    /** Kafka's fetch-size-max per consumer (bytes, over the last minute), as Prometheus exposes it. */
    private static Map<String, Double> largestFetches(PulseProcess pulse) throws Exception {
        Map<String, Double> largest = new HashMap<>();
        for (String line : pulse.get("/q/metrics").body().split("\n")) {
            Matcher m = FETCH_SIZE_MAX.matcher(line);
            if (m.matches() && !m.group(2).equals("NaN")) {
                largest.merge(m.group(1), Double.parseDouble(m.group(2)), Math::max);
            }
        }
        return largest;
    }
}
