package io.pulse.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

class BotSurgeCheckDeadlineTest {

    /** A check that never ends (a frozen database) held every later one; it is given up after the deadline. */
    @Test
    void shouldRunTheNextChecksAfterOneThatNeverEnds() {
        AtomicInteger checks = new AtomicInteger();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Cancellable ticker = BotSurgeMonitor.every(Duration.ofMillis(20), Duration.ofMillis(200),
                () -> checks.incrementAndGet() == 1 ? Uni.createFrom().nothing() : Uni.createFrom().voidItem(), failures::add);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> checks.get() >= 3);
            assertThat(failures).hasSize(1).first().isInstanceOf(io.smallrye.mutiny.TimeoutException.class);
        } finally {
            ticker.cancel();
        }
    }

    /** A check that threw (rather than failing its Uni) ended the ticks: no check ran again. */
    @Test
    void shouldRunTheNextChecksAfterOneThatThrows() {
        AtomicInteger checks = new AtomicInteger();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        Cancellable ticker = BotSurgeMonitor.every(Duration.ofMillis(20), Duration.ofSeconds(5), () -> {
            if (checks.incrementAndGet() == 1) {
                throw new IllegalStateException("refused as it was read");
            }
            return Uni.createFrom().voidItem();
        }, failures::add);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> checks.get() >= 3);
            assertThat(failures).hasSize(1).first().isInstanceOf(IllegalStateException.class);
        } finally {
            ticker.cancel();
        }
    }
}
