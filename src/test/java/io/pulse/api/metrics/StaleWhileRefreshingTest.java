package io.pulse.api.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

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
        StaleWhileRefreshing<String> cache = new StaleWhileRefreshing<>(Duration.ZERO);
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
    void shouldKeepKeysApart() {
        StaleWhileRefreshing<String> cache = new StaleWhileRefreshing<>(Duration.ofHours(1));
        cache.get("enwiki", () -> Uni.createFrom().item("en")).await().indefinitely();
        assertThat(cache.get("dewiki", () -> Uni.createFrom().item("de")).await().indefinitely()).isEqualTo("de");
    }
}
