package io.pulse.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** What a replica knows the store accounts for: raised (never lowered) by assignments and commits. */
class AccountedOffsetsTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AccountedOffsets accounted = new AccountedOffsets(null, registry);

    @Test
    void shouldKnowOnlyThePartitionsOwnedNowForTheLostCommitsCheck() {
        accounted.assigned(0, 1000);
        accounted.assigned(1, 0); // nothing stored: nothing to lose
        accounted.assigned(2, 50);
        accounted.revoked(2);
        accounted.committed(plan(Map.of(3, 70L))); // a batch polled before a revocation, never assigned here

        assertThat(accounted.ownedKnown()).isEqualTo(Map.of(0, 1000L));
        assertThat(accounted.known(2)).as("what is known stays").isEqualTo(50);
    }

    @Test
    void shouldCountTheOffsetsKafkaDeletedBeforeTheyWereCounted() {
        accounted.expired(0, 100, 300);
        accounted.expired(1, 5, 6);

        assertThat(registry.get("pulse.aggregate.expired.records").counter().count()).isEqualTo(201);
    }

    @Test
    void shouldKnowWhereAnAssignmentResumedAndRaiseItWithEachCommit() {
        assertThat(accounted.known(0)).isEqualTo(-1);
        accounted.assigned(0, 1000);
        accounted.assigned(1, 0);
        assertThat(accounted.known(0)).isEqualTo(1000);

        accounted.committed(plan(Map.of(0, 1500L, 1, 20L)));
        assertThat(accounted.known(0)).isEqualTo(1500);
        assertThat(accounted.known(1)).isEqualTo(20);

        // A plan that skipped every record keeps the stored offset: what is known does not go back.
        accounted.committed(plan(Map.of(0, 1200L)));
        assertThat(accounted.known(0)).isEqualTo(1500);
    }

    @Test
    void shouldNeverLowerWhatWasKnownWhenAPartitionIsAssignedAgain() {
        accounted.committed(plan(Map.of(0, 1500L)));
        // The store says 900 now: it lost commits (stored offsets only move forward), whoever owned the
        // partition meanwhile. A batch committing past 1500 must still read 900-1500 again.
        accounted.assigned(0, 900);
        assertThat(accounted.known(0)).isEqualTo(1500);
        // The stored offsets could not be read: nothing learnt.
        accounted.assigned(0, -1);
        assertThat(accounted.known(0)).isEqualTo(1500);
        // Another replica committed further meanwhile.
        accounted.assigned(0, 2000);
        assertThat(accounted.known(0)).isEqualTo(2000);
    }

    private static AggregationPlan plan(Map<Integer, Long> next) {
        Map<Integer, PartitionProgress> progress = new java.util.HashMap<>();
        next.forEach((partition, offset) -> progress.put(partition, new PartitionProgress(partition, offset, 0)));
        return new AggregationPlan(new WindowedAggregates(WindowSpec.of(Duration.ofMinutes(1), Duration.ofMinutes(2))),
                progress, List.of(), 0, 0);
    }
}
