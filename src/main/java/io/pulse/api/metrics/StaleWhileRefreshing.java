package io.pulse.api.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;

/**
 * Per-key cache that answers at once with the last value and refreshes it in the background once
 * it is older than {@code maxAge}; only the very first request for a key waits. A refresh that fails ends the
 * old value: requests fail at once ({@link NoFreshValue}) until a refresh, tried again every {@code maxAge},
 * succeeds; nor is the old value served while a refresh runs longer than {@code maxRefresh}. Rankings over many
 * windows cost far more than the per-second counts, and grow with the traffic: a snapshot must not
 * wait for them every second. Nor may their refresh take over the database: a value that took
 * {@code t} to compute is kept at least {@code 9 t}, so refreshing is busy a tenth of the time at
 * most, up to {@code t = maxRefresh}: a slower refresh (minutes of slow reads) is kept {@code 9 maxRefresh}, no
 * longer, so that it is not shown as current for an hour, and then runs more often than that. At 10,000 events/s the rankings took 0.6-1.4 s and, every 5 s, were the commit latency's
 * tail (bench/README.md, 21).
 */
final class StaleWhileRefreshing<V> {

    private static final int MAX_KEYS = 1000;

    /** A value is kept at least this many times as long as it took to compute. */
    static final int KEPT_PER_COST = 9;

    /** A value (null is one: nothing to show), or none when its last refresh failed. */
    private record Entry<V>(V value, long atNanos, long costNanos, boolean failed) {
    }

    /** The last refresh failed, or runs too long: the old value is not served. */
    static final class NoFreshValue extends RuntimeException {
        NoFreshValue() {
            super("the last refresh failed", null, false, false);
        }
    }

    private final Map<String, Entry<V>> entries = new ConcurrentHashMap<>();
    /** The keys being refreshed in the background, with when each refresh began. */
    private final Map<String, Long> refreshing = new ConcurrentHashMap<>();
    private final long maxAgeNanos;
    private final long maxRefreshNanos;
    private final LongSupplier clock;

    StaleWhileRefreshing(java.time.Duration maxAge) {
        this(maxAge, System::nanoTime);
    }

    StaleWhileRefreshing(java.time.Duration maxAge, LongSupplier nanoClock) {
        this(maxAge, java.time.Duration.ZERO, nanoClock);
    }

    /**
     * @param maxRefresh how long a refresh may run while the old value is served (zero: as long as it takes);
     *        a value older than its keeping time and this is not served at all: the request waits for a new one
     */
    StaleWhileRefreshing(java.time.Duration maxAge, java.time.Duration maxRefresh, LongSupplier nanoClock) {
        this.maxAgeNanos = maxAge.toNanos();
        this.maxRefreshNanos = maxRefresh.isZero() ? Long.MAX_VALUE : maxRefresh.toNanos();
        this.clock = nanoClock;
    }

    Uni<V> get(String key, Supplier<Uni<V>> compute) {
        Entry<V> entry = entries.get(key);
        long now = clock.getAsLong();
        // After a failure: maxAge. The cost counted is at most maxRefresh: a refresh of many slow reads (minutes) must not
        // keep its rankings nine times that long, an hour-old ranking shown as current.
        long keep = entry == null ? 0 : Math.max(maxAgeNanos, KEPT_PER_COST * Math.min(entry.costNanos(), maxRefreshNanos));
        if (entry == null || !entry.failed() && !refreshing.containsKey(key) && now - entry.atNanos() - keep >= maxRefreshNanos) {
            return timed(key, compute); // none, or long out of date (no feed asked for it): waited for, as a first request
        }
        if (now - entry.atNanos() >= keep && refreshing.putIfAbsent(key, now) == null) {
            // Not given up at maxRefresh: each of its reads is bounded (BoundedReads: a read the database never answers
            // fails too), and a refresh of many slow reads that all succeed was given up every time, its rankings
            // never current again. Past maxRefresh the old value is not served (below); the new one is, once read.
            Uni<V> refresh = timed(key, compute);
            refresh.subscribe().with(value -> refreshing.remove(key), failure -> {
                // A value may be stale by its keeping time and one refresh, no more: a table locked for an
                // hour must not show an hour-old ranking as current.
                entries.computeIfPresent(key, (k, e) -> e == entry ? new Entry<>(null, clock.getAsLong(), 0, true) : e);
                refreshing.remove(key);
            });
        }
        // Nor while a refresh runs too long (a read stuck in a queue): not past maxRefresh from its start.
        Long began = refreshing.get(key);
        return entry.failed() || began != null && now - began >= maxRefreshNanos ? Uni.createFrom().failure(new NoFreshValue())
                : Uni.createFrom().item(entry.value());
    }

    private Uni<V> timed(String key, Supplier<Uni<V>> compute) {
        return Uni.createFrom().deferred(() -> {
            long start = clock.getAsLong();
            return compute.get().invoke(value -> put(key, value, clock.getAsLong() - start));
        });
    }

    private void put(String key, V value, long costNanos) {
        if (entries.size() >= MAX_KEYS && !entries.containsKey(key)) {
            entries.clear(); // filters are user input: never let them grow the cache without bound
        }
        entries.put(key, new Entry<>(value, clock.getAsLong(), costNanos, false));
    }
}
