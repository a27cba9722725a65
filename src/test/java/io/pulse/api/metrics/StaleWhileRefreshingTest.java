package io.pulse.api.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;

class StaleWhileRefreshingTest {

    @Test
    void shouldComputeOnceWhileTheValueIsFresh() {
        StaleWhileRefreshing<Integer> cache = new StaleWhileRefreshing<>(Duration.ofHours(1));
        AtomicInteger computations = new AtomicInteger();

        int first = cache.get("k", () -> Uni.createFrom().item(computations.incrementAndGet())).await().indefinitely();
        int second = cache.get("k", () -> Uni.createFrom().item(computations.incrementAndGet())).await().indefinitely();

        assertThat(first).isEqualTo(1);
        assertThat(second).isEqualTo(1);
        assertThat(computations).hasValue(1);
    }

    @Test
    void shouldAnswerWithTheStaleValueAtOnceAndServeTheRefreshedOneNext() {
        // A clock that stands still: every value is due for a refresh, none took any time to compute.
        StaleWhileRefreshing<String> cache = new StaleWhileRefreshing<>(Duration.ZERO, () -> 0L);
        cache.get("k", () -> Uni.createFrom().item("old")).await().indefinitely();
        UnicastProcessor<String> slowRefresh = UnicastProcessor.create();

        String answered = cache.get("k", () -> slowRefresh.toUni()).await().indefinitely();
        assertThat(answered).as("not waiting for the refresh").isEqualTo("old");
        AtomicInteger startedAgain = new AtomicInteger();
        cache.get("k", () -> {
            startedAgain.incrementAndGet();
            return Uni.createFrom().item("other");
        }).await().indefinitely();
        assertThat(startedAgain).as("one refresh at a time").hasValue(0);

        slowRefresh.onNext("new");
        assertThat(cache.get("k", () -> Uni.createFrom().item("later")).await().indefinitely()).isEqualTo("new");
    }

    @Test
    void shouldKeepAValueThatWasCostlyToComputeNineTimesAsLongAsItTook() {
        AtomicLong now = new AtomicLong();
        StaleWhileRefreshing<String> cache = new StaleWhileRefreshing<>(Duration.ofSeconds(5), now::get);
        AtomicInteger computations = new AtomicInteger();
        Supplier<Uni<String>> taking2s = () -> Uni.createFrom().item(() -> {
            now.addAndGet(Duration.ofSeconds(2).toNanos());
            return "v" + computations.incrementAndGet();
        });

        cache.get("k", taking2s).await().indefinitely(); // computed from 0 s to 2 s
        now.set(Duration.ofSeconds(2 + 17).toNanos());
        cache.get("k", taking2s).await().indefinitely();
        assertThat(computations).as("17 s after a 2 s computation: older than 5 s, kept all the same").hasValue(1);

        now.set(Duration.ofSeconds(2 + 18).toNanos());
        assertThat(cache.get("k", taking2s).await().indefinitely()).isEqualTo("v1");
        assertThat(computations).as("18 s after it: refreshed").hasValue(2);
        assertThat(cache.get("k", taking2s).await().indefinitely()).isEqualTo("v2");
    }

    @Test
    void shouldRefreshACheapValueOnceItIsOlderThanTheMaximumAge() {
        AtomicLong now = new AtomicLong();
        StaleWhileRefreshing<String> cache = new StaleWhileRefreshing<>(Duration.ofSeconds(5), now::get);
        AtomicInteger computations = new AtomicInteger();
        Supplier<Uni<String>> taking100ms = () -> Uni.createFrom().item(() -> {
            now.addAndGet(Duration.ofMillis(100).toNanos());
            return "v" + computations.incrementAndGet();
        });

        cache.get("k", taking100ms).await().indefinitely();
        now.addAndGet(Duration.ofMillis(4999).toNanos());
        cache.get("k", taking100ms).await().indefinitely();
        assertThat(computations).hasValue(1);
        now.addAndGet(Duration.ofMillis(1).toNanos());
        cache.get("k", taking100ms).await().indefinitely();
        assertThat(computations).as("5 s old: refreshed, 9 x 100 ms being less").hasValue(2);
    }

    /**
     * A refresh that fails (a locked table, the database away) ends the old value: it used to be served
     * for as long as the failures lasted, an hour-old ranking shown as current.
     */
    @Test
    void shouldStopServingTheOldValueOnceItsRefreshFailsAndServeTheNextOneThatSucceeds() {
        AtomicLong now = new AtomicLong();
        StaleWhileRefreshing<String> cache = new StaleWhileRefreshing<>(Duration.ofSeconds(5), now::get);
        AtomicInteger computations = new AtomicInteger();
        Supplier<Uni<String>> failing = () -> {
            computations.incrementAndGet();
            return Uni.createFrom().failure(new IllegalStateException("canceling statement due to statement timeout"));
        };
        cache.get("k", () -> Uni.createFrom().item("old")).await().indefinitely();

        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(cache.get("k", failing).await().indefinitely()).as("stale, its refresh not yet failed").isEqualTo("old");
        assertThat(computations).hasValue(1);
        assertThatThrownBy(() -> cache.get("k", failing).await().indefinitely())
                .isInstanceOf(StaleWhileRefreshing.NoFreshValue.class);
        assertThat(computations).as("not retried before maxAge").hasValue(1);

        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThatThrownBy(() -> cache.get("k", failing).await().indefinitely()).isInstanceOf(StaleWhileRefreshing.NoFreshValue.class);
        assertThat(computations).as("retried after maxAge").hasValue(2);

        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThatThrownBy(() -> cache.get("k", () -> Uni.createFrom().item("new")).await().indefinitely())
                .isInstanceOf(StaleWhileRefreshing.NoFreshValue.class);
        assertThat(cache.get("k", failing).await().indefinitely()).as("the refresh that succeeded").isEqualTo("new");
    }

    /** A refresh that neither answers nor fails (a read stuck in a queue) ends the old value after maxRefresh. */
    @Test
    void shouldStopServingTheOldValueWhileItsRefreshRunsLongerThanAllowed() {
        AtomicLong now = new AtomicLong();
        StaleWhileRefreshing<String> cache = new StaleWhileRefreshing<>(Duration.ofSeconds(5), Duration.ofSeconds(30), now::get);
        cache.get("k", () -> Uni.createFrom().item("old")).await().indefinitely();
        UnicastProcessor<String> hanging = UnicastProcessor.create();

        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(cache.get("k", hanging::toUni).await().indefinitely()).as("the refresh just begun").isEqualTo("old");
        now.addAndGet(Duration.ofSeconds(29).toNanos());
        assertThat(cache.get("k", hanging::toUni).await().indefinitely()).isEqualTo("old");
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThatThrownBy(() -> cache.get("k", hanging::toUni).await().indefinitely())
                .isInstanceOf(StaleWhileRefreshing.NoFreshValue.class);
    }

    /**
     * A refresh of many slow reads, each within its own bound, outlasting maxRefresh: it was given up (after
     * maxRefresh of real time), and the next one too, and the rankings were never current again. It goes on now,
     * and its value is served once read.
     */
    @Test
    void shouldServeTheValueOfARefreshThatTookLongerThanAllowedOnceItIsRead() {
        AtomicLong now = new AtomicLong();
        StaleWhileRefreshing<String> cache = new StaleWhileRefreshing<>(Duration.ofSeconds(5), Duration.ofMillis(200), now::get);
        cache.get("k", () -> Uni.createFrom().item("old")).await().indefinitely();
        UnicastProcessor<String> slow = UnicastProcessor.create();
        AtomicBoolean givenUp = new AtomicBoolean();

        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(cache.get("k", () -> slow.toUni().onCancellation().invoke(() -> givenUp.set(true))).await().indefinitely())
                .isEqualTo("old");
        await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(5)).until(() -> !givenUp.get());
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThatThrownBy(() -> cache.get("k", slow::toUni).await().indefinitely()).as("not served past maxRefresh")
                .isInstanceOf(StaleWhileRefreshing.NoFreshValue.class);

        slow.onNext("new");
        assertThat(cache.get("k", () -> Uni.createFrom().item("another")).await().indefinitely()).isEqualTo("new");
    }

    /** A refresh that took minutes (many slow reads) is kept nine times maxRefresh at most, not nine times its cost. */
    @Test
    void shouldKeepTheValueOfASlowRefreshNoLongerThanNineTimesMaxRefresh() {
        AtomicLong now = new AtomicLong();
        StaleWhileRefreshing<String> cache = new StaleWhileRefreshing<>(Duration.ofSeconds(5), Duration.ofSeconds(30), now::get);
        cache.get("k", () -> Uni.createFrom().item("old")).await().indefinitely();
        UnicastProcessor<String> slow = UnicastProcessor.create();
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        cache.get("k", slow::toUni).await().indefinitely(); // the refresh begins
        now.addAndGet(Duration.ofMinutes(8).toNanos());
        slow.onNext("slow");
        slow.onComplete();

        now.addAndGet(Duration.ofSeconds(9 * 30 - 1).toNanos());
        assertThat(cache.get("k", () -> Uni.createFrom().item("next")).await().indefinitely()).isEqualTo("slow");
        now.addAndGet(Duration.ofSeconds(2).toNanos());
        assertThat(cache.get("k", () -> Uni.createFrom().item("next")).await().indefinitely()).as("a refresh begins").isEqualTo("slow");
        assertThat(cache.get("k", () -> Uni.createFrom().item("later")).await().indefinitely()).isEqualTo("next");
    }

    /**
     * A value long out of date when asked for again (no feed wanted it for a while) is not served while
     * a refresh runs: the request waits for a new one, as a first request does.
     */
    @Test
    void shouldComputeAgainAtOnceAValueLongOutOfDate() {
        AtomicLong now = new AtomicLong();
        StaleWhileRefreshing<String> cache = new StaleWhileRefreshing<>(Duration.ofSeconds(5), Duration.ofSeconds(30), now::get);
        cache.get("k", () -> Uni.createFrom().item("old")).await().indefinitely();
        now.addAndGet(Duration.ofMinutes(10).toNanos());
        assertThat(cache.get("k", () -> Uni.createFrom().item("new")).await().indefinitely()).isEqualTo("new");
    }

    /** A zero maxRefresh (an unbounded read timeout) bounds nothing: the old value is served while refreshing. */
    @Test
    void shouldServeTheOldValueWhileRefreshingWithoutABound() {
        AtomicLong now = new AtomicLong();
        StaleWhileRefreshing<String> cache = new StaleWhileRefreshing<>(Duration.ofSeconds(5), Duration.ZERO, now::get);
        cache.get("k", () -> Uni.createFrom().item("old")).await().indefinitely();
        UnicastProcessor<String> hanging = UnicastProcessor.create();
        now.addAndGet(Duration.ofSeconds(5).toNanos());
        assertThat(cache.get("k", hanging::toUni).await().indefinitely()).isEqualTo("old");
        now.addAndGet(Duration.ofHours(1).toNanos());
        assertThat(cache.get("k", hanging::toUni).await().indefinitely()).isEqualTo("old");
    }

    /** Null is a value (a wiki without changes has no dashboard view), not a failed refresh. */
    @Test
    void shouldServeANullValueAsAValue() {
        StaleWhileRefreshing<String> cache = new StaleWhileRefreshing<>(Duration.ofHours(1));
        assertThat(cache.get("k", () -> Uni.createFrom().nullItem()).await().indefinitely()).isNull();
        assertThat(cache.get("k", () -> Uni.createFrom().item("computed again")).await().indefinitely()).isNull();
    }

    @Test
    void shouldKeepKeysApart() {
        StaleWhileRefreshing<String> cache = new StaleWhileRefreshing<>(Duration.ofHours(1));
        cache.get("enwiki", () -> Uni.createFrom().item("en")).await().indefinitely();
        assertThat(cache.get("dewiki", () -> Uni.createFrom().item("de")).await().indefinitely()).isEqualTo("de");
    }
}
