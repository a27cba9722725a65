package io.pulse.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pulse.source.wikimedia.RecentChange;

class AggregatedEventsTest {

    private static final List<String> OUTCOMES = List.of("counted", "late", "redelivered", "ignored");

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final AggregatedEvents events = new AggregatedEvents(registry);

    /** pulse_aggregate_events_total appeared with the first committed batch: nothing to alert on until then. */
    @Test
    void shouldShowEveryOutcomeAtZeroFromTheStart() {
        for (String outcome : OUTCOMES) {
            assertThat(count(outcome)).as(outcome).isZero();
        }
    }

    @Test
    void shouldCountACommittedPlansEventsByOutcome() {
        WindowedAggregates aggregates = new WindowedAggregates(WindowSpec.of(Duration.ofMinutes(1), Duration.ofMinutes(2)));
        long t0 = 1_700_000_000_000L;
        for (int i = 0; i < 5; i++) {
            aggregates.add(new RecentChange("id-" + i, "en.wikipedia.org", "enwiki", "edit", 0, "page-" + i, "user", false,
                    t0 + i, 10, null), i == 4);
        }
        events.committed(new AggregationPlan(aggregates, Map.of(), List.of(), 3, 2));
        events.committed(new AggregationPlan(aggregates, Map.of(), List.of(), 0, 1));

        assertThat(OUTCOMES.stream().map(this::count)).containsExactly(10.0, 2.0, 3.0, 3.0);
    }

    private double count(String outcome) {
        Counter counter = registry.find("pulse.aggregate.events").tags("outcome", outcome).counter();
        assertThat(counter).as(outcome).isNotNull();
        return counter.count();
    }
}
