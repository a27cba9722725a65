package io.pulse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class WakeGuardTest {

    static final long SECOND = 1_000_000_000L;

    /** Ticks a second apart, but for a freeze of 30 s and a slow save's 6. */
    @Test
    void shouldKeepQuietForAWhileAfterAGapInItsTicks() {
        WakeGuard guard = new WakeGuard(Duration.ofSeconds(6), Duration.ofSeconds(10));
        long t = 100 * SECOND;
        for (int i = 0; i < 5; i++, t += SECOND) {
            assertThat(guard.mayAct(t)).as("tick %d, a second apart", i).isTrue();
        }
        t += 30 * SECOND; // frozen
        assertThat(guard.mayAct(t)).as("the first tick after the freeze").isFalse();
        assertThat(guard.mayAct(t + 1)).as("a missed tick fired at once").isFalse();
        for (int s = 1; s < 10; s++) {
            assertThat(guard.mayAct(t + s * SECOND)).as("second %d after waking", s).isFalse();
        }
        assertThat(guard.mayAct(t + 10 * SECOND)).as("the quiet period over").isTrue();
        assertThat(guard.mayAct(t + 11 * SECOND)).isTrue();
        // Ticks dropped while a slow save ran look like a freeze too: a few saves skipped, nothing else.
        assertThat(guard.mayAct(t + 17 * SECOND)).isFalse();
        for (int s = 18; s < 27; s++) {
            assertThat(guard.mayAct(t + s * SECOND)).isFalse();
        }
        assertThat(guard.mayAct(t + 27 * SECOND)).isTrue();
    }

    /** Ticks an hour apart (a long interval) are not a freeze: the gap is counted past the interval. */
    @Test
    void shouldActOnEveryTickOfALongIntervalThatComesOnTime() {
        WakeGuard guard = new WakeGuard(Duration.ofHours(1).plusSeconds(5), Duration.ofSeconds(10));
        for (long t = 0; t < 5 * 3600 * SECOND; t += 3600 * SECOND) {
            assertThat(guard.mayAct(t)).isTrue();
        }
    }
}
