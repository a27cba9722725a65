package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.pulse.alert.Alert;
import io.pulse.alert.AlertPublisher;
import io.pulse.alert.Severity;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A batch that raises more alerts at once than the alerts channel's emitter takes (its buffer of 128
 * and the sink's 1,024 in flight): a catch-up batch during a blanking spree, or rules set low. Sent
 * all at once, they failed the batch on every retry, stalling the aggregator.
 */
@QuarkusTest
class AlertBurstTest {

    @Inject
    AlertPublisher publisher;

    @Test
    void shouldStoreAndPublishABurstLargerThanTheEmitterTakes() {
        String wiki = "burst" + System.nanoTime() % 1_000_000_000L + "wiki";
        Instant incident = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        List<Alert> burst = new ArrayList<>();
        for (int i = 0; i < 9_000; i++) {
            String key = wiki + ":Page " + i;
            burst.add(new Alert("mass-blanking:" + key + "@" + incident, "mass-blanking", Severity.CRITICAL, key, wiki,
                    "Page " + i, "Vandal", incident, Instant.now(), "a page blanked", Map.of("bytesRemoved", 9900), null,
                    null));
        }

        List<Alert> published = publisher.raise(burst).await().atMost(Duration.ofSeconds(60));

        assertThat(published).as("new, so published").hasSize(burst.size());
        assertThat(StoredAggregates.scalar("SELECT count(*) FROM alerts WHERE wiki = '" + wiki
                + "' AND published_at IS NOT NULL")).isEqualTo(burst.size());
    }
}
