package io.pulse.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.subscription.Cancellable;

/** The ingest's gate: reads through in arrival order, each counted before the next is judged. */
class ReadGateTest {

    private final AtomicLong unsettled = new AtomicLong();
    private final AtomicInteger pauses = new AtomicInteger();
    private final AtomicInteger resumes = new AtomicInteger();
    private final ReadGate gate = new ReadGate(() -> unsettled.get() < 10, Duration.ofMillis(10),
            pauses::incrementAndGet, resumes::incrementAndGet);
    private final List<Integer> handled = new CopyOnWriteArrayList<>();

    /** A read of {@code events}: handled (numbered) as soon as the gate lets it through. */
    private Cancellable read(int id, int events) {
        return gate.pass().subscribe().with(x -> {
            handled.add(id);
            unsettled.addAndGet(events);
        });
    }

    @Test
    void shouldLetReadsThroughAtOnceWhileThereIsRoom() {
        read(1, 4);
        read(2, 4);
        read(3, 4); // 8 unsettled before it: still room

        assertThat(handled).containsExactly(1, 2, 3);
        assertThat(pauses.get()).isZero();
    }

    @Test
    void shouldHoldReadsInTheirOrderAndLetEachThroughOnlyWhileThereIsRoomAfterTheOnesBefore() {
        unsettled.set(10);
        read(1, 5);
        read(2, 5);
        read(3, 5);
        assertThat(handled).isEmpty();
        assertThat(gate.waiting()).isEqualTo(3);
        assertThat(pauses.get()).isEqualTo(1);

        // Room again: read 1 (5 events), read 2 (5 unsettled before it), then 10: read 3 waits.
        unsettled.set(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() == 2);
        assertThat(handled).containsExactly(1, 2);
        assertThat(gate.waiting()).isEqualTo(1);
        // A read that comes meanwhile waits behind it, though a moment's room would let it through.
        unsettled.set(9);
        read(4, 1);
        unsettled.set(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() == 4);
        assertThat(handled).containsExactly(1, 2, 3, 4);
        assertThat(resumes.get()).isEqualTo(1);
    }

    /**
     * A read arriving while the waiting ones are let through is queued behind them at once: it came on the
     * connection's event loop, which waited for the gate's lock while every queued read was handled (seconds).
     */
    @Test
    void shouldQueueAReadArrivingWhileWaitingOnesAreLetThroughWithoutWaitingForThem() throws Exception {
        unsettled.set(10);
        CountDownLatch handling = new CountDownLatch(1);
        CountDownLatch mayGoOn = new CountDownLatch(1);
        gate.pass().subscribe().with(x -> {
            handled.add(1);
            handling.countDown();
            try {
                mayGoOn.await(); // a long read, on the gate's polling thread
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        read(2, 1);
        unsettled.set(0);
        assertThat(handling.await(10, TimeUnit.SECONDS)).isTrue();

        AtomicBoolean judged = new AtomicBoolean();
        Thread eventLoop = new Thread(() -> {
            read(3, 1);
            judged.set(true);
        });
        eventLoop.start();
        try {
            await().atMost(Duration.ofSeconds(10)).untilTrue(judged);
            assertThat(handled).containsExactly(1); // queued, not let past read 2
        } finally {
            mayGoOn.countDown();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() == 3);
        assertThat(handled).containsExactly(1, 2, 3);
        assertThat(gate.waiting()).isZero();
        await().atMost(Duration.ofSeconds(10)).until(() -> resumes.get() == 1);
    }

    /** A failure while letting reads through (the room's check, say) is retried at the next tick: it ended the polling. */
    @Test
    void shouldGoOnLettingReadsThroughAfterAFailureToJudgeThem() {
        AtomicBoolean fail = new AtomicBoolean(true);
        ReadGate failing = new ReadGate(() -> {
            if (unsettled.get() == 0 && fail.getAndSet(false)) {
                throw new IllegalStateException("room unknown");
            }
            return unsettled.get() < 10;
        }, Duration.ofMillis(10), pauses::incrementAndGet, resumes::incrementAndGet);
        unsettled.set(10);
        failing.pass().subscribe().with(x -> handled.add(1));
        failing.pass().subscribe().with(x -> handled.add(2));

        unsettled.set(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() == 2);
        assertThat(handled).containsExactly(1, 2);
        assertThat(fail).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(() -> resumes.get() == 1);
    }

    @Test
    void shouldNotLetThroughAReadThatWasCancelledWhileItWaited() {
        unsettled.set(10);
        Cancellable first = read(1, 1);
        read(2, 1);
        first.cancel(); // the ingest stopped, say

        unsettled.set(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() == 1);
        assertThat(handled).containsExactly(2);
        assertThat(gate.waiting()).isZero();
    }

    /** A read cancelled before the gate judged it (the ingest stopped meanwhile) is not queued: no pause, no resume. */
    @Test
    void shouldNotQueueAReadCancelledBeforeItWasJudged() {
        unsettled.set(10);
        gate.pass().subscribe().withSubscriber(new io.smallrye.mutiny.subscription.UniSubscriber<Void>() {
            @Override
            public void onSubscribe(io.smallrye.mutiny.subscription.UniSubscription subscription) {
                subscription.cancel(); // before the gate's callback runs
            }

            @Override
            public void onItem(Void item) {
                handled.add(-1);
            }

            @Override
            public void onFailure(Throwable failure) {
            }
        });
        assertThat(gate.waiting()).isZero();
        unsettled.set(0);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                .until(() -> pauses.get() == 0 && resumes.get() == 0 && handled.isEmpty());
    }

    /** Every waiting read cancelled (the ingest stopped): the gate stops polling, and tells of no resume. */
    @Test
    void shouldNotTellOfAResumeWhenEveryWaitingReadWasCancelled() {
        unsettled.set(10);
        read(1, 1).cancel();
        assertThat(pauses.get()).isEqualTo(1);

        unsettled.set(0);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> resumes.get() == 0);
        read(2, 1);
        assertThat(handled).containsExactly(2);
    }
}
