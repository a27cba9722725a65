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

/** Which failures end an /alerts/stream cleanly. */
class AlertStreamResourceTest {

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
