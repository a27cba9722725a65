package io.pulse.store;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * At most {@code concurrency} reads run at once; up to {@code queued} more wait their turn, in order, and
 * any beyond are refused at once ({@link ReadsBusyException}). Reads and the aggregator's commits share one
 * connection pool: unbounded, a burst of slow requests took every connection and the aggregator waited
 * behind them. Nothing blocks: a turn starts on the thread that ended the one before. A read whose
 * subscriber goes away (a client that disconnected) leaves the queue, or is cancelled and gives its turn
 * up. Hand-written: the bulkhead of SmallRye Fault Tolerance would do, but its Quarkus extension is not
 * served at this platform's version.
 */
public final class ReadLimiter {

    private enum State { NEW, QUEUED, RUNNING, ENDED }

    private final int concurrency;
    private final int queued;
    private final Deque<Turn<?>> waiting = new ArrayDeque<>();
    private int running; // guarded by this, as are the turns' states

    public ReadLimiter(int concurrency, int queued) {
        if (concurrency < 1 || queued < 0) {
            throw new IllegalArgumentException("concurrency must be at least 1 and queued at least 0, not "
                    + concurrency + " and " + queued);
        }
        this.concurrency = concurrency;
        this.queued = queued;
    }

    /** {@code read} (subscribed when its turn comes), or a {@link ReadsBusyException} when the queue is full. */
    public <T> Uni<T> run(Supplier<Uni<T>> read) {
        return Uni.createFrom().emitter(emitter -> {
            Turn<T> turn = new Turn<>(read, emitter);
            emitter.onTermination(() -> end(turn)); // item, failure or cancellation: exactly one end
            if (!enter(turn)) {
                emitter.fail(new ReadsBusyException(concurrency, queued));
            }
        });
    }

    /** Reads running and waiting, for the tests. */
    synchronized int[] load() {
        return new int[] { running, waiting.size() };
    }

    private boolean enter(Turn<?> turn) {
        synchronized (this) {
            if (turn.state != State.NEW) {
                return true; // cancelled before it came in
            }
            if (running < concurrency) {
                running++;
                turn.state = State.RUNNING;
            } else if (waiting.size() < queued) {
                turn.state = State.QUEUED;
                waiting.add(turn);
                return true;
            } else {
                turn.state = State.ENDED;
                return false;
            }
        }
        turn.start();
        return true;
    }

    private void end(Turn<?> turn) {
        Turn<?> next = null;
        synchronized (this) {
            switch (turn.state) {
                case NEW -> {
                    turn.state = State.ENDED; // cancelled before it came in
                    return;
                }
                case QUEUED -> {
                    waiting.remove(turn); // its subscriber went away while it waited
                    turn.state = State.ENDED;
                    return;
                }
                case RUNNING -> {
                    turn.state = State.ENDED;
                    next = waiting.poll();
                    if (next == null) {
                        running--;
                    } else {
                        next.state = State.RUNNING; // the turn passes on: running stays the same
                    }
                }
                case ENDED -> {
                    return;
                }
            }
        }
        turn.cancel(); // a no-op once the read has ended
        if (next != null) {
            next.start();
        }
    }

    private static final class Turn<T> {

        private final Supplier<Uni<T>> read;
        private final UniEmitter<? super T> emitter;
        private State state = State.NEW;
        private volatile Cancellable subscription;

        Turn(Supplier<Uni<T>> read, UniEmitter<? super T> emitter) {
            this.read = read;
            this.emitter = emitter;
        }

        void start() {
            try {
                subscription = read.get().subscribe().with(emitter::complete, emitter::fail);
            } catch (RuntimeException e) {
                emitter.fail(e);
            }
        }

        void cancel() {
            Cancellable s = subscription;
            if (s != null) {
                s.cancel();
            }
        }
    }
}
