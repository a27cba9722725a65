package io.pulse.ingest;

import java.time.Duration;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * Fails a stream that is asked for items but gets none for a while: a dead connection. A stream that
 * gets nothing because nobody asks is not idle, however long that lasts: backpressure on purpose (the
 * ingest waiting out a broker outage with the socket unread). Mutiny's {@code ifNoItem()} counts that
 * time too: it closed a healthy feed every idle-timeout while the broker was down, and reconnected.
 */
final class IdleWatch {

    private IdleWatch() {
    }

    static <T> Multi<T> failWhenIdle(Multi<T> upstream, Duration timeout, Supplier<Throwable> failure) {
        return failWhenIdle(upstream, timeout, failure, Infrastructure.getDefaultWorkerPool());
    }

    static <T> Multi<T> failWhenIdle(Multi<T> upstream, Duration timeout, Supplier<Throwable> failure,
            ScheduledExecutorService timer) {
        return Multi.createFrom().publisher(downstream -> upstream.subscribe()
                .withSubscriber(new Watch<T>(downstream, timeout.toNanos(), failure, timer)));
    }

    /** Signals reach downstream one at a time: items under the lock, a failure once {@code done} is set under it. */
    private static final class Watch<T> implements Flow.Subscriber<T>, Flow.Subscription {

        private final Flow.Subscriber<? super T> downstream;
        private final long timeoutNanos;
        private final Supplier<Throwable> failure;
        private final ScheduledExecutorService timer;
        private volatile Flow.Subscription upstream;
        private volatile ScheduledFuture<?> checks;
        private long outstanding; // requested, not yet delivered
        private long lastProgressNanos; // an item, or demand after none was outstanding
        private boolean done;

        Watch(Flow.Subscriber<? super T> downstream, long timeoutNanos, Supplier<Throwable> failure,
                ScheduledExecutorService timer) {
            this.downstream = downstream;
            this.timeoutNanos = timeoutNanos;
            this.failure = failure;
            this.timer = timer;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            upstream = subscription;
            synchronized (this) {
                lastProgressNanos = System.nanoTime();
            }
            long period = Math.max(1, timeoutNanos / 4);
            checks = timer.scheduleAtFixedRate(this::check, period, period, TimeUnit.NANOSECONDS);
            downstream.onSubscribe(this);
        }

        @Override
        public synchronized void onNext(T item) {
            if (done) {
                return;
            }
            if (outstanding != Long.MAX_VALUE) {
                outstanding--;
            }
            lastProgressNanos = System.nanoTime();
            downstream.onNext(item);
        }

        @Override
        public void onError(Throwable t) {
            if (finish()) {
                downstream.onError(t);
            }
        }

        @Override
        public void onComplete() {
            if (finish()) {
                downstream.onComplete();
            }
        }

        @Override
        public void request(long n) {
            synchronized (this) {
                if (outstanding == 0) {
                    lastProgressNanos = System.nanoTime(); // the wait for an item starts now
                }
                outstanding = n >= Long.MAX_VALUE - outstanding ? Long.MAX_VALUE : outstanding + n;
            }
            upstream.request(n);
        }

        @Override
        public void cancel() {
            finish();
            upstream.cancel();
        }

        private void check() {
            synchronized (this) {
                if (done || outstanding == 0 || System.nanoTime() - lastProgressNanos < timeoutNanos) {
                    return;
                }
            }
            if (finish()) {
                upstream.cancel();
                downstream.onError(failure.get());
            }
        }

        /** True for the first terminal signal or cancellation only. */
        private boolean finish() {
            synchronized (this) {
                if (done) {
                    return false;
                }
                done = true;
            }
            ScheduledFuture<?> scheduled = checks;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
            return true;
        }
    }
}
