package io.pulse.ingest;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.UniEmitter;

/**
 * Holds reads back, in the order they come, while the ingest has no room for more: too many events not yet
 * behind the resume position (one that cannot settle, a dead letter Kafka keeps waiting, stops the position;
 * the events settled after it would pile up in the {@link ResumeTracker}), or too many past the last saved
 * checkpoint (the tail a restart reads back). A read let through is handled before the next one is: it is
 * numbered in the tracker, and published, in arrival order, as without the gate. Reads that wait are let
 * through together once there is room, still one after another, each counted before the next is judged.
 * Polled every {@code interval} while reads wait; nothing runs while none do. Reads are let through outside the
 * gate's lock: a read that arrives meanwhile (on the connection's event loop) is queued behind them at once,
 * instead of waiting for the lock while hundreds of queued reads are handled.
 */
public final class ReadGate {

    private static final Logger LOG = Logger.getLogger(ReadGate.class);

    private final BooleanSupplier room;
    private final Duration interval;
    private final Runnable onPause;
    private final Runnable onResume;
    private final ArrayDeque<UniEmitter<? super Void>> waiting = new ArrayDeque<>();
    private Cancellable polling;
    /** A release is letting waiting reads through: a read arriving now goes behind them. */
    private boolean releasing;

    /** @param room whether a read may be handled now; asked again before each read that waits */
    public ReadGate(BooleanSupplier room, Duration interval, Runnable onPause, Runnable onResume) {
        this.room = room;
        this.interval = interval;
        this.onPause = onPause;
        this.onResume = onResume;
    }

    /**
     * Completes when the read may be handled; what follows it runs before another read is let through. Calls must
     * not overlap (the ingest's merge passes its reads on one at a time): a read let through at once is handled
     * outside the lock, before the next call comes.
     */
    public Uni<Void> pass() {
        return Uni.createFrom().emitter(read -> {
            synchronized (this) {
                if (!(waiting.isEmpty() && !releasing && room.getAsBoolean())) {
                    queue(read);
                    return;
                }
            }
            // Outside the lock, handled before the next read comes: reads arrive one after another.
            read.complete(null);
        });
    }

    /** Under the gate's lock. */
    private void queue(UniEmitter<? super Void> read) {
        waiting.addLast(read);
        // Run here at once if the read was cancelled while this waited for the lock (a stop): it leaves
        // the queue again, and nothing is to wait for.
        read.onTermination(() -> forget(read));
        if (polling == null && !waiting.isEmpty()) {
            onPause.run();
            polling = Multi.createFrom().ticks().every(interval).subscribe().with(tick -> release());
        }
    }

    public synchronized int waiting() {
        return waiting.size();
    }

    private void release() {
        synchronized (this) {
            if (releasing) {
                return;
            }
            releasing = true;
        }
        try {
            UniEmitter<? super Void> next;
            while ((next = nextToLetThrough()) != null) {
                next.complete(null); // handled (numbered) here, before the next read is judged
            }
        } catch (RuntimeException e) {
            // Thrown out of the tick, it would end the polling for good, and strand every read that waits.
            LOG.warnf("Letting the ingest's waiting reads through failed, tried again in %s: %s", interval, e.toString());
            synchronized (this) {
                releasing = false;
            }
        }
    }

    /**
     * The next waiting read, if there is room for it; otherwise none, and the release is over: decided with the
     * lock held, so that a read queued before that is let through by the release, and one after it passes alone.
     */
    private synchronized UniEmitter<? super Void> nextToLetThrough() {
        if (!waiting.isEmpty() && room.getAsBoolean()) {
            return waiting.pollFirst();
        }
        releasing = false;
        if (waiting.isEmpty() && polling != null) {
            polling.cancel();
            polling = null;
            onResume.run();
        }
        return null;
    }

    /** A read that ends: let through (gone from the queue already), or cancelled while it waited (the ingest stopped). */
    private synchronized void forget(UniEmitter<? super Void> read) {
        if (waiting.remove(read) && waiting.isEmpty() && polling != null) {
            polling.cancel(); // given up, not resumed: the next poll would have said "resumed" of a stopped ingest
            polling = null;
        }
    }
}
