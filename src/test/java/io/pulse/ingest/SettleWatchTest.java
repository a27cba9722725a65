package io.pulse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class SettleWatchTest {

    private static final long S = 1_000_000_000L;

    @Test
    void shouldMeasureHowLongEventsWaitWithoutThePositionMoving() {
        SettleWatch watch = new SettleWatch();
        assertThat(watch.stalledFor(0, 100, 0)).isZero();
        assertThat(watch.stalledFor(5, 100, 1 * S)).as("first seen waiting").isZero();
        assertThat(watch.stalledFor(7, 100, 31 * S)).isEqualTo(Duration.ofSeconds(30));
        assertThat(watch.stalledFor(3, 104, 32 * S)).as("the position moved").isZero();
        assertThat(watch.stalledFor(3, 104, 40 * S)).isEqualTo(Duration.ofSeconds(8));
        assertThat(watch.stalledFor(0, 107, 41 * S)).as("nothing waits").isZero();
        assertThat(watch.stalledFor(2, 107, 50 * S)).as("waiting again: counted from now").isZero();
        assertThat(watch.stalledFor(2, 107, 55 * S)).isEqualTo(Duration.ofSeconds(5));
        watch.reset(); // a new run
        assertThat(watch.stalledFor(2, 107, 90 * S)).as("not the last run's wait").isZero();
    }
}
