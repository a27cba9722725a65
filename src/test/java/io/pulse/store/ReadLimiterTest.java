package io.pulse.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;
import io.smallrye.mutiny.subscription.UniEmitter;

/** Reads held open by the test: which start, in what order, and what each subscriber gets. */
class ReadLimiterTest {

    /** A read the test ends; started when subscribed. */
    static final class Read {
        final String name;
        final AtomicBoolean cancelled = new AtomicBoolean();
        UniEmitter<? super String> emitter;
        boolean done;

        Read(String name) {
            this.name = name;
        }

        Uni<String> uni(List<String> started) {
            return Uni.createFrom().<String> emitter(e -> {
                emitter = e;
                started.add(name);
                e.onTermination(() -> cancelled.set(!done));
            });
        }

        void finish() {
            done = true;
            emitter.complete(name);
        }
    }

    final List<String> started = new ArrayList<>();

    private UniAssertSubscriber<String> submit(ReadLimiter limiter, Read read) {
        return limiter.run(() -> read.uni(started)).subscribe().withSubscriber(UniAssertSubscriber.create());
    }

    @Test
    void shouldRunAtMostTheConcurrencyQueueTheNextInOrderAndRefuseTheRest() {
        ReadLimiter limiter = new ReadLimiter(2, 2);
        Read a = new Read("a"), b = new Read("b"), c = new Read("c"), d = new Read("d"), e = new Read("e");
        var sa = submit(limiter, a);
        var sb = submit(limiter, b);
        var sc = submit(limiter, c);
        var sd = submit(limiter, d);
        var se = submit(limiter, e);

        assertThat(started).containsExactly("a", "b");
        se.assertFailedWith(ReadsBusyException.class, "2 running and 2 waiting");
        assertThat(limiter.load()).containsExactly(2, 2);

        b.finish();
        sb.assertItem("b");
        assertThat(started).containsExactly("a", "b", "c");
        a.finish();
        c.finish();
        assertThat(started).containsExactly("a", "b", "c", "d");
        d.finish();
        sa.assertItem("a");
        sc.assertItem("c");
        sd.assertItem("d");
        assertThat(limiter.load()).containsExactly(0, 0);
        assertThat(a.cancelled.get() || b.cancelled.get() || c.cancelled.get() || d.cancelled.get()).isFalse();
    }

    /**
     * A client that disconnected: its waiting read leaves the queue; its running read is not cancelled (the
     * database would go on with it anyway) and keeps its turn until it ends. Passing the turn on at once let
     * each disconnect add a connection the limit did not count.
     */
    /**
     * A database that stops answering never ends a read: the request failed only when the freeze did, and the
     * requests queued behind it waited as long. A running read's subscriber now fails past its bound, its
     * turn kept until the read ends (its connection is still taken); one that waited too long for its turn
     * is refused as busy, not as a database that did not answer.
     */
    @Test
    void shouldFailAReadNotAnsweredInTimeAndRefuseOneThatWaitedTooLongForItsTurn() {
        ReadLimiter limiter = new ReadLimiter(1, 5, java.time.Duration.ofSeconds(3), java.time.Duration.ofMillis(100),
                () -> new IllegalStateException("unanswered"));
        Read a = new Read("a"), b = new Read("b");
        var sa = submit(limiter, a);
        var sb = submit(limiter, b);

        sa.awaitFailure(java.time.Duration.ofSeconds(5)).assertFailedWith(IllegalStateException.class, "unanswered");
        assertThat(limiter.load()).as("a's turn is still taken, b waits").containsExactly(1, 1);
        sb.awaitFailure(java.time.Duration.ofSeconds(10)).assertFailedWith(ReadsBusyException.class);
        assertThat(limiter.load()).containsExactly(1, 0);
        assertThat(started).as("b never ran").containsExactly("a");

        a.finish(); // the database answers at last
        assertThat(limiter.load()).containsExactly(0, 0);
        Read c = new Read("c");
        var sc = submit(limiter, c);
        c.finish();
        sc.assertItem("c");
    }

    @Test
    void shouldDropAQueuedReadWhoseSubscriberWentAwayAndKeepARunningOnesTurnUntilItEnds() {
        ReadLimiter limiter = new ReadLimiter(1, 5);
        Read a = new Read("a"), b = new Read("b"), c = new Read("c");
        var sa = submit(limiter, a);
        var sb = submit(limiter, b);
        var sc = submit(limiter, c);

        sb.cancel(); // a client that disconnected while it waited
        assertThat(limiter.load()).containsExactly(1, 1);
        sa.cancel(); // and one whose read was running
        assertThat(a.cancelled).as("the running read goes on").isFalse();
        assertThat(started).as("its turn is still taken").containsExactly("a");
        a.finish();
        assertThat(started).as("b never starts; c takes a's turn once a has ended").containsExactly("a", "c");
        sa.assertNotTerminated();
        c.finish();
        sc.assertItem("c");
        assertThat(limiter.load()).containsExactly(0, 0);
    }

    /**
     * Reads that fail at once (a pool closing) end their turns as they start, each starting the next: that
     * was a call deeper per queued read, and a long queue overflowed the stack.
     */
    @Test
    void shouldStartALongQueueOfReadsThatFailAtOnceWithoutNesting() {
        ReadLimiter limiter = new ReadLimiter(1, 100_000);
        Read first = new Read("first");
        var sFirst = submit(limiter, first);
        List<UniAssertSubscriber<String>> failing = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            failing.add(limiter.run(() -> Uni.createFrom().<String> failure(new IllegalStateException("pool closed")))
                    .subscribe().withSubscriber(UniAssertSubscriber.create()));
        }

        first.finish();

        sFirst.assertItem("first");
        failing.forEach(f -> f.assertFailedWith(IllegalStateException.class, "pool closed"));
        assertThat(limiter.load()).containsExactly(0, 0);
    }

    @Test
    void shouldPassTheTurnOnWhenAReadFails() {
        ReadLimiter limiter = new ReadLimiter(1, 1);
        var failing = limiter.run(() -> Uni.createFrom().<String> failure(new IllegalStateException("refused")))
                .subscribe().withSubscriber(UniAssertSubscriber.create());
        var throwing = limiter.<String> run(() -> {
            throw new IllegalStateException("no read");
        }).subscribe().withSubscriber(UniAssertSubscriber.create());
        Read a = new Read("a");
        var sa = submit(limiter, a);

        failing.assertFailedWith(IllegalStateException.class, "refused");
        throwing.assertFailedWith(IllegalStateException.class, "no read");
        a.finish();
        sa.assertItem("a");
        assertThat(limiter.load()).containsExactly(0, 0);
    }
}
