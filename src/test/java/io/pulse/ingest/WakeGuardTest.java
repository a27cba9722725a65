package io.pulse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class WakeGuardTest {

    static final long SECOND = 1_000_000_000L;
    static final long T0 = 100 * SECOND;

    private final WakeGuard guard = new WakeGuard(Duration.ofSeconds(5), Duration.ofSeconds(10));

    /** Frozen for 12 s: the task's tick, barely late on a 10 s interval, comes before the missed beats. */
    @Test
    void shouldKeepQuietForAWhileAfterWakingFromAFreeze() {
        for (int s = 0; s <= 1; s++) {
            guard.beat(T0 + s * SECOND);
        }
        assertThat(guard.mayAct(T0)).isTrue();
        long woke = T0 + 13 * SECOND;
        assertThat(guard.mayAct(woke)).as("the task's tick first on waking").isFalse();
        for (int s = 2; s <= 13; s++) {
            guard.beat(woke); // the missed beats, fired at once
        }
        for (int s = 14; s < 23; s++) {
            guard.beat(T0 + s * SECOND);
            assertThat(guard.mayAct(T0 + s * SECOND)).as("second %d, quiet", s).isFalse();
        }
        guard.beat(T0 + 23 * SECOND);
        assertThat(guard.mayAct(T0 + 23 * SECOND)).as("the quiet period over").isTrue();
    }

    /** The beats first on waking: as quiet. */
    @Test
    void shouldKeepQuietWhenTheBeatsComeFirstOnWaking() {
        guard.beat(T0);
        guard.beat(T0 + 30 * SECOND);
        for (int s = 30; s < 40; s++) {
            guard.beat(T0 + s * SECOND);
            assertThat(guard.mayAct(T0 + s * SECOND)).as("second %d, quiet", s).isFalse();
        }
        guard.beat(T0 + 40 * SECOND);
        assertThat(guard.mayAct(T0 + 40 * SECOND)).isTrue();
    }

    /** A slow task (a save of 8 s, its ticks dropped meanwhile) is no freeze: the beats went on. */
    @Test
    void shouldActAfterASlowTaskWhileTheBeatsWentOn() {
        for (int s = 0; s <= 9; s++) {
            guard.beat(T0 + s * SECOND);
        }
        assertThat(guard.mayAct(T0 + 9 * SECOND)).isTrue();
        assertThat(guard.mayAct(T0 + 9 * SECOND + 1)).isTrue();
    }
}
