package io.pulse.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The elected leader's term of the checkpoint row: a leader replaced while frozen cannot save its older position over
 * its successor's when it wakes, whichever way it saves (its ticker's missed ticks, its stop).
 */
@QuarkusTest
class CheckpointTermTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @Inject
    IngestCheckpointStore checkpoints;

    @Test
    void shouldRefuseTheSaveOfALeaderWhoseTermASuccessorTook() {
        String source = "term-test:" + System.nanoTime();
        long first = checkpoints.claimTerm(source).await().atMost(WAIT);
        checkpoints.save(source, position("a-1", 10), first).await().atMost(WAIT);
        long second = checkpoints.claimTerm(source).await().atMost(WAIT);
        assertThat(second).as("the successor's term").isEqualTo(first + 1);
        assertThat(load(source).lastEventId()).as("what the successor loads").isEqualTo("a-1");
        checkpoints.save(source, position("b-1", 30), second).await().atMost(WAIT);

        Throwable refused = catchThrowable(() -> checkpoints.save(source, position("a-2", 20), first).await().atMost(WAIT));

        assertThat(refused).isInstanceOf(IngestCheckpointStore.Superseded.class).hasMessageContaining("term " + first);
        assertThat(load(source)).as("the successor's position, kept")
                .isEqualTo(new IngestCheckpointStore.Position("b-1", Map.of(0, 30L)));
        checkpoints.save(source, position("b-2", 40), second).await().atMost(WAIT);
        assertThat(load(source).lastEventId()).isEqualTo("b-2");
    }

    @Test
    void shouldTakeTheFirstTermOfAFeedSavedWithoutTheElectionAndKeepItsPosition() {
        String source = "term-test:" + System.nanoTime();
        checkpoints.save(source, position("x-1", 5)).await().atMost(WAIT);

        long term = checkpoints.claimTerm(source).await().atMost(WAIT);

        assertThat(term).isEqualTo(1);
        assertThat(load(source).lastEventId()).isEqualTo("x-1");
        checkpoints.save(source, position("x-2", 6), term).await().atMost(WAIT);
        assertThat(load(source).lastEventId()).isEqualTo("x-2");
    }

    private IngestCheckpointStore.Position load(String source) {
        IngestCheckpointStore.Position loaded = checkpoints.load(source).await().atMost(WAIT);
        return new IngestCheckpointStore.Position(loaded.lastEventId(), loaded.kafkaPositions());
    }

    private static IngestCheckpointStore.Position position(String id, long offset) {
        return new IngestCheckpointStore.Position(id, Map.of(0, offset));
    }
}
