package io.pulse.store;

import java.time.Duration;
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
 * subscriber goes away (a client that disconnected) leaves the queue; a running one keeps its turn until
 * the database has answered it. Hand-written: the bulkhead of SmallRye Fault Tolerance would do, but its
 * Quarkus extension is not served at this platform's version.
 */
public final class ReadLimiter {

    private enum State { NEW, QUEUED, RUNNING, ENDED }

    private final int concurrency;
    private final int queued;
    private final Duration maxWait;
    private final Duration maxRun;
    private final Supplier<RuntimeException> unanswered;
    private final Deque<Turn<?>> waiting = new ArrayDeque<>();
    private final Deque<Turn<?>> starting = new ArrayDeque<>();
    private boolean startingNow;
    private int running; // guarded by this, as are the turns' states and the two fields above

    public ReadLimiter(int concurrency, int queued) {
        this(concurrency, queued, null, null, null);
    }

    /**
     * @param maxWait a read still waiting for its turn after this leaves the queue, refused as busy (null: no bound)
     * @param maxRun a running read not answered after this has its subscriber failed with {@code unanswered}; its
     *        turn stays taken until the read ends, as its connection does (null: no bound)
     */
    public ReadLimiter(int concurrency, int queued, Duration maxWait, Duration maxRun, Supplier<RuntimeException> unanswered) {
        if (concurrency < 1 || queued < 0) {
            throw new IllegalArgumentException("concurrency must be at least 1 and queued at least 0, not "
                    + concurrency + " and " + queued);
        }
        this.concurrency = concurrency;
        this.queued = queued;
        this.maxWait = maxWait;
        this.maxRun = maxRun;
        this.unanswered = unanswered;
    }

    /** {@code read} (subscribed when its turn comes), or a {@link ReadsBusyException} when the queue is full. */
    public <T> Uni<T> run(Supplier<Uni<T>> read) {
        return Uni.createFrom().emitter(emitter -> {
            Turn<T> turn = new Turn<>(read, emitter);
            emitter.onTermination(() -> left(turn)); // its subscriber went away (or was answered)
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
                return true; // its subscriber went away before it came in
            }
            if (running < concurrency) {
                running++;
                turn.state = State.RUNNING;
            } else if (waiting.size() < queued) {
                turn.state = State.QUEUED;
                waiting.add(turn);
                if (maxWait != null) {
                    turn.timer = after(maxWait, () -> {
                        if (leftQueue(turn)) {
                            turn.emitter.fail(new ReadsBusyException(concurrency, queued));
                        }
                    });
                }
                return true;
            } else {
                turn.state = State.ENDED;
                return false;
            }
        }
        start(turn);
        return true;
    }

    /**
     * Starts a turn, or hands it to the thread already starting turns: a read that fails at once ends its
     * turn, which starts the next, and so on; nested, a long queue of such reads (a pool closing) would
     * overflow the stack.
     */
    private void start(Turn<?> turn) {
        synchronized (this) {
            starting.add(turn);
            if (startingNow) {
                return;
            }
            startingNow = true;
        }
        while (true) {
            Turn<?> next;
            synchronized (this) {
                next = starting.poll();
                if (next == null) {
                    startingNow = false;
                    return;
                }
            }
            next.start();
        }
    }

    /**
     * The subscriber is gone: a waiting read leaves the queue. A running one keeps its turn until the
     * database has answered it: cancelling the client's wait does not stop the query, which holds its
     * connection until it ends (at most the read timeout). Giving the turn on at once let every client
     * that disconnected add one more busy connection, until the reads held the whole pool again.
     */
    private void left(Turn<?> turn) {
        synchronized (this) {
            if (turn.state == State.QUEUED) {
                waiting.remove(turn);
                turn.state = State.ENDED;
                turn.cancelTimer(); // nor is it held by its wait's bound
            } else if (turn.state == State.NEW) {
                turn.state = State.ENDED;
            }
        }
    }

    /** Whether the turn was still waiting, and now is not. */
    private synchronized boolean leftQueue(Turn<?> turn) {
        if (turn.state != State.QUEUED) {
            return false;
        }
        waiting.remove(turn);
        turn.state = State.ENDED;
        return true;
    }

    private static Cancellable after(Duration delay, Runnable action) {
        return Uni.createFrom().voidItem().onItem().delayIt().by(delay).subscribe().with(done -> action.run());
    }

    /** The read's answer came (or its failure): the turn passes on. */
    private void finished(Turn<?> turn) {
        Turn<?> next;
        synchronized (this) {
            if (turn.state != State.RUNNING) {
                return;
            }
            turn.state = State.ENDED;
            next = waiting.poll();
            if (next == null) {
                running--;
            } else {
                next.state = State.RUNNING; // running stays the same
            }
        }
        if (next != null) {
            start(next);
        }
    }

    private final class Turn<T> {

        private final Supplier<Uni<T>> read;
        private final UniEmitter<? super T> emitter;
        private State state = State.NEW;
        private volatile Cancellable timer; // the bound of its wait, then of its run

        private void cancelTimer() {
            Cancellable t = timer;
            if (t != null) {
                t.cancel();
            }
        }

        Turn(Supplier<Uni<T>> read, UniEmitter<? super T> emitter) {
            this.read = read;
            this.emitter = emitter;
        }

        /** Subscribed whatever happens to the subscriber, so that its end (and no earlier) ends the turn. */
        void start() {
            cancelTimer();
            Uni<T> uni;
            try {
                uni = read.get();
            } catch (RuntimeException e) {
                finished(this);
                emitter.fail(e);
                return;
            }
            if (maxRun != null) {
                timer = after(maxRun, () -> emitter.fail(unanswered.get())); // ignored once answered
            }
            uni.subscribe().with(item -> {
                cancelTimer();
                finished(this);
                emitter.complete(item); // ignored when the subscriber has gone
            }, failure -> {
                cancelTimer();
                finished(this);
                emitter.fail(failure);
            });
        }
    }
}
