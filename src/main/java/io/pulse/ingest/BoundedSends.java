package io.pulse.ingest;

import java.util.List;
import java.util.function.Function;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Many sends through a SmallRye emitter, a bounded number at a time. An emitter takes no more than
 * its buffer (128 by default) plus what its Kafka sink has asked for (1,024 in flight): started all at
 * once, a poll's worth of dead letters or a burst of alerts failed with "insufficient downstream
 * requests", and the batch that waited for them failed the same way on every retry.
 */
public final class BoundedSends {

    /**
     * Well below the emitter's limit (1,152), with room for other callers sending through it at the same
     * time: the dead-letter emitter has the ingest and up to two aggregator batches (one committing,
     * the next one parsed) at once, 768 sends at most.
     */
    public static final int IN_FLIGHT = 256;

    private BoundedSends() {
    }

    /** Sends every item, at most {@link #IN_FLIGHT} at a time; fails as soon as one send fails. */
    public static <T> Uni<Void> all(List<T> items, Function<? super T, Uni<Void>> send) {
        if (items.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Multi.createFrom().iterable(items)
                .onItem().transformToUni(item -> send.apply(item)).merge(IN_FLIGHT) // a Uni<Void>'s null emits nothing
                .collect().last().replaceWithVoid();
    }
}
