package io.pulse.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

/**
 * When an SSE client counts as stalled: by the clock of what waits for it (for /alerts/stream, heartbeats found
 * waiting; for /metrics/stream, snapshots).
 */
class StallWatchTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void shouldTellOnceAClientThatTookNothingForStalledAfterFromTheFirstWaitingHeartbeat() {
        StallWatch stall = new StallWatch(Duration.ofSeconds(3));
        assertThat(waitingAt(stall, 10 * SECOND)).as("first seen waiting").isFalse();
        assertThat(waitingAt(stall, 12 * SECOND)).isFalse();
        assertThat(waitingAt(stall, 13 * SECOND)).as("waiting 3 s").isTrue();
        assertThat(waitingAt(stall, 14 * SECOND)).as("told once").isFalse();
    }

    @Test
    void shouldNotTellAClientThatTakesEvents() {
        StallWatch stall = new StallWatch(Duration.ofSeconds(3));
        for (long t = 0; t < 60; t++) {
            assertThat(waitingAt(stall, t * SECOND)).isFalse();
            stall.taken(); // an alert taken each second, heartbeats waiting behind them
        }
    }

    /** Ticks that ran late (the JVM paused 90 s) come in a burst: they see no stall the client had no time to end. */
    @Test
    void shouldNotTellAClientForTicksThatCameLateInABurst() {
        StallWatch stall = new StallWatch(Duration.ofSeconds(3));
        stall.taken();
        long resumed = 90 * SECOND;
        for (int tick = 0; tick < 90; tick++) {
            assertThat(waitingAt(stall, resumed + tick * 1_000L)).isFalse();
        }
        stall.taken();
        assertThat(waitingAt(stall, resumed + SECOND)).isFalse();
    }

    /** What /alerts/stream does at each heartbeat found waiting. */
    private static boolean waitingAt(StallWatch stall, long now) {
        stall.waiting(now);
        return stall.stalled(now);
    }
}
