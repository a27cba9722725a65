package io.pulse.source.wikimedia;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

class DeadLetterCountersTest {

    /** pulse_dead_letters_total appeared only with the first dead letter: nothing to alert on until then. */
    @Test
    void shouldShowEveryStagesCounterAtZeroFromTheStart() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new WikimediaDeadLetters(null, registry).registerCounters(null);

        for (String stage : new String[] { "ingest", "aggregate" }) {
            Counter counter = registry.find("pulse.dead.letters").tags("source", "wikimedia", "stage", stage).counter();
            assertThat(counter).as(stage).isNotNull();
            assertThat(counter.count()).as(stage).isZero();
        }
    }
}
