package io.pulse.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ConnectException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

import org.junit.jupiter.api.Test;

import io.pulse.store.ReadTimedOutException;
import io.pulse.store.ReadsBusyException;
import io.smallrye.mutiny.subscription.BackPressureFailure;

/** When an /alerts/stream client counts as stalled (Stall, by the heartbeats' clock), and which failures end a stream. */
class AlertStreamResourceTest {

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

    /** A start that could not be read ends the stream as a response ends; anything else is a fault, and fails it. */
    @Test
    void shouldEndCleanlyOnlyAStreamWhoseStartCouldNotBeRead() {
        assertThat(AlertStreamResource.readNotServed(new ReadsBusyException(4, 64))).isTrue();
        assertThat(AlertStreamResource.readNotServed(new CompletionException(new ReadTimedOutException(Duration.ofSeconds(3),
                new CancellationException())))).isTrue();
        assertThat(AlertStreamResource.readNotServed(new ConnectException("Connection refused"))).isTrue();
        assertThat(AlertStreamResource.readNotServed(new IllegalStateException("a fault"))).isFalse();
        assertThat(AlertStreamResource.readNotServed(new BackPressureFailure("no requests"))).isFalse();
    }
}
