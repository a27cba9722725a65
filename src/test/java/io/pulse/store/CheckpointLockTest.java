package io.pulse.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.pulse.aggregate.Causes;
import io.pulse.testkit.PulseInfra;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The checkpoint row held by another transaction (a former leader frozen in the middle of its save): a save
 * now gives up after its lock timeout, and the next one goes through once the row is free. Before, the save
 * waited as long as the holder lived, and with it every later save of the ingest's ticker.
 */
@QuarkusTest
class CheckpointLockTest {

    @Inject
    IngestCheckpointStore checkpoints;

    @Test
    void shouldGiveUpASaveBlockedOnTheRowAndSaveOnceItIsFree() throws Exception {
        String source = "lock-test:" + System.nanoTime();
        checkpoints.save(source, new IngestCheckpointStore.Position("first", Map.of(0, 1L))).await().atMost(Duration.ofSeconds(30));
        PulseInfra infra = PulseInfra.get();
        try (Connection holder = infra.postgres().connect(infra.database())) {
            holder.setAutoCommit(false);
            try (PreparedStatement lock = holder.prepareStatement("SELECT 1 FROM ingest_checkpoints WHERE source = ? FOR UPDATE")) {
                lock.setString(1, source);
                lock.executeQuery().close();
            }

            Throwable failure = catchThrowable(() -> checkpoints.save(source,
                    new IngestCheckpointStore.Position("second", Map.of(0, 2L))).await().atMost(Duration.ofSeconds(30)));
            holder.rollback();

            // PostgreSQL's lock timeout (55P03), not the test's own wait running out.
            assertThat(Causes.of(failure)).as("%s", failure).anySatisfy(t -> assertThat(t).hasMessageContaining("55P03"));
        }
        checkpoints.save(source, new IngestCheckpointStore.Position("third", Map.of(0, 3L))).await().atMost(Duration.ofSeconds(30));
        assertThat(checkpoints.load(source).await().atMost(Duration.ofSeconds(30)).lastEventId()).isEqualTo("third");
    }
}
