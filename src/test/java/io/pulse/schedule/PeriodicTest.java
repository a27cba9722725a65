package io.pulse.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

class PeriodicTest {

    private static final Duration TICK = Duration.ofMillis(20);

    private final AtomicInteger runs = new AtomicInteger();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();

    /** Work that threw (rather than failing its Uni) ended the ticks: nothing ran again until a restart. */
    @Test
    void shouldRunAgainAfterWorkThatThrows() {
        assertRunsAgainAfterTheFirstFails(Periodic.every(TICK, () -> {
            if (runs.incrementAndGet() == 1) {
                throw new IllegalStateException("refused as it was read");
            }
            return Uni.createFrom().voidItem();
        }, failures::add), IllegalStateException.class);
    }

    @Test
    void shouldRunAgainAfterWorkThatFails() {
        assertRunsAgainAfterTheFirstFails(Periodic.every(TICK, () -> runs.incrementAndGet() == 1
                ? Uni.createFrom().failure(new IllegalStateException("database away"))
                : Uni.createFrom().voidItem(), failures::add), IllegalStateException.class);
    }

    /** A run that never ends (a frozen database) held every later one; it is given up after the deadline. */
    @Test
    void shouldGiveUpARunAfterItsDeadline() {
        assertRunsAgainAfterTheFirstFails(Periodic.every(TICK, Duration.ofMillis(200),
                () -> runs.incrementAndGet() == 1 ? Uni.createFrom().nothing() : Uni.createFrom().voidItem(), failures::add),
                TimeoutException.class);
    }

    private void assertRunsAgainAfterTheFirstFails(Cancellable ticks, Class<? extends Throwable> failure) {
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() >= 3);
            assertThat(failures).hasSize(1).first().isInstanceOf(failure);
        } finally {
            ticks.cancel();
        }
    }

    /** Without a deadline a run is waited for, however long, and no other starts beside it. */
    @Test
    void shouldNeverRunTwoAtOnce() {
        AtomicInteger running = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        Cancellable ticks = Periodic.every(TICK, () -> Uni.createFrom().voidItem()
                .invoke(() -> {
                    runs.incrementAndGet();
                    most.accumulateAndGet(running.incrementAndGet(), Math::max);
                })
                // Ten ticks long: the ticks meanwhile are dropped, not run beside it nor queued behind it.
                .onItem().delayIt().by(TICK.multipliedBy(10))
                .invoke(running::decrementAndGet), failures::add);
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() >= 4);
            assertThat(most.get()).isEqualTo(1);
            assertThat(failures).isEmpty();
        } finally {
            ticks.cancel();
        }
    }

    @Test
    void shouldRunNoMoreOnceCancelled() {
        Cancellable ticks = Periodic.every(TICK, () -> Uni.createFrom().item(runs.incrementAndGet()), failures::add);
        await().atMost(Duration.ofSeconds(10)).until(() -> runs.get() >= 2);
        ticks.cancel();
        int cancelledAt = runs.get();
        await().pollDelay(TICK.multipliedBy(10)).atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(runs.get()).isLessThanOrEqualTo(cancelledAt + 1));
    }
}
