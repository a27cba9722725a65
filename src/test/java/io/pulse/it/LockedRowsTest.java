package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.pulse.aggregate.AggregatorStatus;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A row the aggregator must update held by a transaction that never ends (another replica frozen after
 * its upserts, its network cut): the aggregator used to wait for it silently, for as long as that
 * session lived, with readiness not degraded. It now gives up after {@code pulse.aggregate.lock-timeout}
 * (3 s in tests), shows degraded, retries, and counts the batch once the row is free.
 */
@QuarkusTest
class LockedRowsTest {

    @Inject
    AggregatorStatus status;

    @Test
    void shouldShowALockWaitAsDegradedAndCountTheBatchOnceTheRowIsFree() throws Exception {
        String wiki = "lockedrowwiki" + System.nanoTime() % 1_000_000;
        long now = Instant.now().getEpochSecond();
        TopicReader.produce(WikimediaPipelineTest.TOPIC, List.of(DeadLetterTest.event(wiki + "-0", wiki, now)));
        await().atMost(Duration.ofSeconds(60)).until(() -> counted(wiki) == 1);

        try (Connection frozen = StoredAggregates.connect(); Statement s = frozen.createStatement()) {
            frozen.setAutoCommit(false);
            s.executeUpdate("UPDATE wiki_edit_counts SET changes = changes WHERE wiki = '" + wiki + "'");
            List<String> more = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                more.add(DeadLetterTest.event(wiki + "-" + i, wiki, now));
            }
            TopicReader.produce(WikimediaPipelineTest.TOPIC, more);

            await().atMost(Duration.ofSeconds(60)).until(() -> status.degraded()
                    && "PgException (SQLSTATE 55P03)".equals(status.lastErrorKind()));
            assertThat(counted(wiki)).as("nothing of the batch while the row is held").isEqualTo(1);
            frozen.rollback();
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> counted(wiki) == 6 && !status.degraded());
    }

    private static long counted(String wiki) {
        return StoredAggregates.scalar("SELECT coalesce(sum(changes), 0) FROM wiki_edit_counts WHERE wiki = ?", wiki);
    }
}
