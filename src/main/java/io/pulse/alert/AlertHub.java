package io.pulse.alert;

import java.util.ArrayDeque;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.subscription.BackPressureStrategy;
import io.smallrye.mutiny.subscription.MultiEmitter;

/**
 * Fans newly raised alerts out to live subscribers. Each subscriber has a bounded buffer that drops its
 * oldest alert when full: a slow or stalled browser loses old alerts (they stay in /api/alerts) but never
 * slows the consumer that publishes them, nor the other subscribers.
 */
@ApplicationScoped
public class AlertHub {

    /** Thrown when {@code pulse.alert.max-subscribers} are already connected. */
    public static final class TooManySubscribers extends RuntimeException {
        TooManySubscribers(int max) {
            super("The alert stream already serves its maximum of " + max + " subscribers", null, false, false);
        }
    }

    private final int maxSubscribers;
    private final int bufferSize;
    private final Set<Subscriber> subscribers = ConcurrentHashMap.newKeySet();

    @Inject
    public AlertHub(AlertConfig config) {
        this(config.maxSubscribers(), config.streamBuffer());
    }

    AlertHub(int maxSubscribers, int bufferSize) {
        this.maxSubscribers = maxSubscribers;
        this.bufferSize = bufferSize;
    }

    public Multi<Alert> subscribe() {
        if (subscribers.size() >= maxSubscribers) {
            throw new TooManySubscribers(maxSubscribers);
        }
        return Multi.createFrom().emitter(emitter -> {
            Subscriber s = new Subscriber(emitter, bufferSize);
            subscribers.add(s);
            emitter.onRequest(n -> s.drain());
            emitter.onTermination(() -> subscribers.remove(s));
        }, BackPressureStrategy.ERROR);
    }

    public void publish(Alert alert) {
        subscribers.forEach(s -> s.offer(alert));
    }

    public int subscribers() {
        return subscribers.size();
    }

    private static final class Subscriber {
        private final MultiEmitter<? super Alert> emitter;
        private final ArrayDeque<Alert> buffer = new ArrayDeque<>();
        private final int capacity;

        Subscriber(MultiEmitter<? super Alert> emitter, int capacity) {
            this.emitter = emitter;
            this.capacity = capacity;
        }

        synchronized void offer(Alert alert) {
            if (buffer.size() == capacity) {
                buffer.pollFirst(); // drop the oldest, never block the publisher
            }
            buffer.addLast(alert);
            drain();
        }

        synchronized void drain() {
            while (!buffer.isEmpty() && emitter.requested() > 0 && !emitter.isCancelled()) {
                emitter.emit(buffer.pollFirst());
            }
        }
    }
}
