package io.pulse.api.metrics;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;

/**
 * Per-key cache that answers at once with the last value and refreshes it in the background once
 * it is older than {@code maxAge}; only the very first request for a key waits. Rankings over many
 * windows cost far more than the per-second counts, and grow with the traffic: a snapshot must not
 * wait for them every second.
 */
final class StaleWhileRefreshing<V> {

    private static final int MAX_KEYS = 1000;

    private record Entry<V>(V value, long atNanos) {
    }

    private final Map<String, Entry<V>> entries = new ConcurrentHashMap<>();
    private final Set<String> refreshing = ConcurrentHashMap.newKeySet();
    private final long maxAgeNanos;

    StaleWhileRefreshing(java.time.Duration maxAge) {
        this.maxAgeNanos = maxAge.toNanos();
    }

    Uni<V> get(String key, Supplier<Uni<V>> compute) {
        Entry<V> entry = entries.get(key);
        if (entry == null) {
            return compute.get().invoke(value -> put(key, value));
        }
        if (System.nanoTime() - entry.atNanos() >= maxAgeNanos && refreshing.add(key)) {
            compute.get().subscribe().with(value -> {
                put(key, value);
                refreshing.remove(key);
            }, failure -> refreshing.remove(key));
        }
        return Uni.createFrom().item(entry.value());
    }

    private void put(String key, V value) {
        if (entries.size() >= MAX_KEYS && !entries.containsKey(key)) {
            entries.clear(); // filters are user input: never let them grow the cache without bound
        }
        entries.put(key, new Entry<>(value, System.nanoTime()));
    }
}
