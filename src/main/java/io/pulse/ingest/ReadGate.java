package io.pulse.ingest;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;

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
 * Polled every {@code interval} while reads wait; nothing runs while none do.
 */
public final class ReadGate {

    private final BooleanSupplier room;
    private final Duration interval;
    private final Runnable onPause;
    private final Runnable onResume;
    private final ArrayDeque<UniEmitter<? super Void>> waiting = new ArrayDeque<>();
    private Cancellable polling;

    /** @param room whether a read may be handled now; asked again before each read that waits */
    public ReadGate(BooleanSupplier room, Duration interval, Runnable onPause, Runnable onResume) {
        this.room = room;
        this.interval = interval;
        this.onPause = onPause;
        this.onResume = onResume;
    }

    /** Completes when the read may be handled; what follows it runs before another read is let through. */
    public Uni<Void> pass() {
        return Uni.createFrom().emitter(read -> {
            synchronized (this) {
                if (waiting.isEmpty() && room.getAsBoolean()) {
                    read.complete(null);
                    return;
                }
                waiting.addLast(read);
                // Run here at once if the read was cancelled while this waited for the lock (a stop): it leaves
                // the queue again, and nothing is to wait for.
                read.onTermination(() -> forget(read));
                if (polling == null && !waiting.isEmpty()) {
                    onPause.run();
                    polling = Multi.createFrom().ticks().every(interval).subscribe().with(tick -> release());
                }
            }
        });
    }

    public synchronized int waiting() {
        return waiting.size();
    }

    private synchronized void release() {
        while (!waiting.isEmpty() && room.getAsBoolean()) {
            waiting.pollFirst().complete(null);
        }
        if (waiting.isEmpty() && polling != null) {
            polling.cancel();
            polling = null;
            onResume.run();
        }
    }

    /** A read that ends: let through (gone from the queue already), or cancelled while it waited (the ingest stopped). */
    private synchronized void forget(UniEmitter<? super Void> read) {
        if (waiting.remove(read) && waiting.isEmpty() && polling != null) {
            polling.cancel(); // given up, not resumed: the next poll would have said "resumed" of a stopped ingest
            polling = null;
        }
    }
}
