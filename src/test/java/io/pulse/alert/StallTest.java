package io.pulse.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/** When an /alerts/stream client counts as stalled (AlertStreamResource.Stall), by the heartbeats' clock. */
class StallTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void shouldTellOnceAClientThatTookNothingForStalledAfterFromTheFirstWaitingHeartbeat() {
        AlertStreamResource.Stall stall = new AlertStreamResource.Stall(Duration.ofSeconds(3));
        assertThat(stall.waiting(10 * SECOND)).as("first seen waiting").isFalse();
        assertThat(stall.waiting(12 * SECOND)).isFalse();
        assertThat(stall.waiting(13 * SECOND)).as("waiting 3 s").isTrue();
        assertThat(stall.waiting(14 * SECOND)).as("told once").isFalse();
    }

    @Test
    void shouldNotTellAClientThatTakesEvents() {
        AlertStreamResource.Stall stall = new AlertStreamResource.Stall(Duration.ofSeconds(3));
        for (long t = 0; t < 60; t++) {
            assertThat(stall.waiting(t * SECOND)).isFalse();
            stall.taken(); // an alert taken each second, heartbeats waiting behind them
        }
    }

    /** Ticks that ran late (the JVM paused 90 s) come in a burst: they see no stall the client had no time to end. */
    @Test
    void shouldNotTellAClientForTicksThatCameLateInABurst() {
        AlertStreamResource.Stall stall = new AlertStreamResource.Stall(Duration.ofSeconds(3));
        stall.taken();
        long resumed = 90 * SECOND;
        for (int tick = 0; tick < 90; tick++) {
            assertThat(stall.waiting(resumed + tick * 1_000L)).isFalse();
        }
        stall.taken();
        assertThat(stall.waiting(resumed + SECOND)).isFalse();
    }
}
