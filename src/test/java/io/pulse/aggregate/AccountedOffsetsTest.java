package io.pulse.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/** What a replica knows the store accounts for: set by an assignment, raised (never lowered) by commits. */
class AccountedOffsetsTest {

    private final AccountedOffsets accounted = new AccountedOffsets(null, new SimpleMeterRegistry());

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
    void shouldReplaceWhatWasKnownWhenAPartitionIsAssignedAgain() {
        accounted.committed(plan(Map.of(0, 1500L)));
        // It was elsewhere meanwhile, and the store says 900 now: resume there, nothing to read again.
        accounted.assigned(0, 900);
        assertThat(accounted.known(0)).isEqualTo(900);
        // The stored offsets could not be read: nothing known to compare with.
        accounted.assigned(0, -1);
        assertThat(accounted.known(0)).isEqualTo(-1);
    }

    private static AggregationPlan plan(Map<Integer, Long> next) {
        Map<Integer, PartitionProgress> progress = new java.util.HashMap<>();
        next.forEach((partition, offset) -> progress.put(partition, new PartitionProgress(partition, offset, 0)));
        return new AggregationPlan(new WindowedAggregates(WindowSpec.of(Duration.ofMinutes(1), Duration.ofMinutes(2))),
                progress, List.of(), 0, 0);
    }
}
