package io.pulse.alert;

import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pulse.store.ReadsBusyException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.mutiny.subscription.MultiEmitter;

/**
 * Fans newly raised alerts out to live subscribers. Each subscriber has a bounded buffer that drops its
 * oldest alert when full: a slow or stalled browser loses old alerts (they stay in /api/alerts) but never
 * slows the consumer that publishes them, nor the other subscribers.
 */
@ApplicationScoped
public class AlertHub {

    private static final Logger LOG = Logger.getLogger(AlertHub.class);

    /** Thrown when {@code pulse.alert.max-subscribers} are already connected. */
    public static final class TooManySubscribers extends RuntimeException {
        TooManySubscribers(int max) {
            super("The alert stream already serves its maximum of " + max + " subscribers", null, false, false);
        }
    }

    private final int maxSubscribers;
    private final int bufferSize;
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();
    private final AtomicLong stalledSubscribers = new AtomicLong();

    @Inject
    public AlertHub(AlertConfig config, MeterRegistry registry) {
        this(config.maxSubscribers(), config.streamBuffer());
        FunctionCounter.builder("pulse.alert.stalled.subscribers", stalledSubscribers, AtomicLong::get)
                .description("/alerts/stream subscribers whose connection was closed for taking no event for"
                        + " pulse.alert.stream-stalled-after")
                .register(registry);
    }

    AlertHub(int maxSubscribers, int bufferSize) {
        this.maxSubscribers = maxSubscribers;
        this.bufferSize = bufferSize;
    }

    public Multi<Alert> subscribe() {
        return subscribe(null);
    }

    /**
     * Live alerts, after those the subscriber {@code missed} (null: none). The missed ones are read once
     * the subscriber is registered, and live alerts are held back meanwhile, so that an alert published
     * during the read is in one or the other, and once only. Should the read fail (refused because too many
     * reads wait, {@link ReadsBusyException}, or timed out, or the database away), the stream ends, to be resumed.
     */
    public Multi<Alert> subscribe(Uni<List<Alert>> missed) {
        if (subscribers.size() >= maxSubscribers) {
            throw new TooManySubscribers(maxSubscribers);
        }
        return Multi.createFrom().emitter(emitter -> {
            Subscriber s = new Subscriber(emitter, bufferSize, missed != null);
            subscribers.add(s);
            emitter.onRequest(n -> s.drain());
            Cancellable[] replay = { null };
            emitter.onTermination(() -> {
                subscribers.remove(s);
                if (replay[0] != null) {
                    replay[0].cancel(); // a subscriber gone: its read leaves the queue of reads
                }
            });
            if (missed != null) {
                replay[0] = missed.subscribe().with(s::replay, failure -> {
                    // Ended, whatever the cause (too many reads, a read timed out, the database away): the
                    // browser reconnects with the same id and gets the missed alerts then. Live only, its
                    // next alert's id would move it past them for good.
                    if (!(failure instanceof ReadsBusyException)) {
                        LOG.warnf("Could not read the alerts a subscriber missed, or where its stream starts; its stream"
                                + " ends, to be opened again from the same place: %s", failure.toString());
                    }
                    emitter.fail(failure);
                });
            }
        }, BackPressureStrategy.ERROR);
    }

    public void publish(Alert alert) {
        subscribers.forEach(s -> s.offer(alert));
    }

    public int subscribers() {
        return subscribers.size();
    }

    /** Subscribers let go since the start for taking no event for {@code pulse.alert.stream-stalled-after}. */
    public long stalledSubscribers() {
        return stalledSubscribers.get();
    }

    void countStalled() {
        stalledSubscribers.incrementAndGet();
    }

    private static final class Subscriber {
        private final MultiEmitter<? super Alert> emitter;
        private final ArrayDeque<Alert> buffer = new ArrayDeque<>();
        private final int capacity;
        private boolean replaying;
        private boolean draining;

        Subscriber(MultiEmitter<? super Alert> emitter, int capacity, boolean replaying) {
            this.emitter = emitter;
            this.capacity = capacity;
            this.replaying = replaying;
        }

        /** The missed alerts go first; live ones that arrived meanwhile follow, unless among them. */
        synchronized void replay(List<Alert> missed) {
            Set<String> ids = new HashSet<>();
            missed.forEach(a -> ids.add(a.id()));
            ArrayDeque<Alert> live = new ArrayDeque<>(buffer);
            buffer.clear();
            missed.forEach(buffer::addLast);
            live.stream().filter(a -> !ids.contains(a.id())).forEach(buffer::addLast);
            while (buffer.size() > capacity) {
                buffer.pollFirst();
            }
            replaying = false;
            drain();
        }

        synchronized void offer(Alert alert) {
            if (buffer.size() == capacity) {
                buffer.pollFirst(); // drop the oldest, never block the publisher
            }
            buffer.addLast(alert);
            drain();
        }

        synchronized void drain() {
            // Not re-entered: a downstream that asks for the next alert while one is being emitted (the stream's merge
            // does) was seen with that demand twice, and every buffered alert went out at once, failing the stream for
            // lack of requests. The loop below sees the request once the emission returns.
            if (draining) {
                return;
            }
            draining = true;
            try {
                while (!replaying && !buffer.isEmpty() && emitter.requested() > 0 && !emitter.isCancelled()) {
                    emitter.emit(buffer.pollFirst());
                }
            } finally {
                draining = false;
            }
        }
    }
}
