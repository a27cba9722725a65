package io.pulse.api.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

class SnapshotHubTest {

    @Test
    void shouldNumberSnapshotsWithoutGapsWhenSomeTicksFail() {
        AtomicInteger calls = new AtomicInteger();
        // Every third snapshot fails, as a query does when the database is busy or away.
        SnapshotHub hub = new SnapshotHub((wiki, dashboard) -> calls.incrementAndGet() % 3 == 0
                ? Uni.createFrom().failure(new IllegalStateException("database away"))
                : Uni.createFrom().item(snapshot(0)), config(Duration.ofMillis(10)));
        List<Long> first = new CopyOnWriteArrayList<>();
        List<Long> joiner = new CopyOnWriteArrayList<>();
        Cancellable one = hub.subscribe(null).subscribe().with(s -> first.add(s.sequence()));
        Cancellable two = null;
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> first.size() >= 5);
            // A subscriber joining a running feed starts from its latest snapshot.
            two = hub.subscribe(null).subscribe().with(s -> joiner.add(s.sequence()));
            await().atMost(Duration.ofSeconds(30)).until(() -> joiner.size() >= 20);
        } finally {
            one.cancel();
            if (two != null) {
                two.cancel();
            }
            hub.stop();
        }

        assertThat(calls.get()).as("some ticks failed").isGreaterThanOrEqualTo(3);
        assertContiguous(first);
        assertContiguous(joiner);
        assertThat(joiner.get(0)).as("the joiner starts where the feed is").isGreaterThan(first.get(0));
        assertThat(hub.subscribers()).isZero();
    }

    /**
     * Each distinct wiki filter runs a feed of its own, reading the database every interval: past
     * max-feeds (2 here) a new one is refused, an existing one still joined. A stream asked for but never
     * subscribed holds no place: it used to count against the subscriber cap for good.
     */
    @Test
    void shouldRefuseAFeedBeyondTheCapButJoinARunningOne() {
        SnapshotHub hub = new SnapshotHub((wiki, dashboard) -> Uni.createFrom().item(snapshot(0)), config(Duration.ofMillis(50)));
        try {
            hub.subscribe("neverwiki");
            assertThat(hub.subscribers()).as("asked for, never subscribed").isZero();

            Cancellable all = hub.subscribe(null).subscribe().with(s -> { });
            Cancellable a = hub.subscribe("awiki").subscribe().with(s -> { });
            assertThatThrownBy(() -> hub.subscribe("bwiki")).isInstanceOf(SnapshotHub.TooManyFeeds.class);
            Cancellable again = hub.subscribe("awiki").subscribe().with(s -> { });
            assertThat(hub.subscribers()).isEqualTo(3);

            a.cancel();
            again.cancel(); // awiki's feed stops with its last subscriber: room for another
            hub.subscribe("bwiki").subscribe().with(s -> { }).cancel();
            all.cancel();
            assertThat(hub.subscribers()).isZero();
        } finally {
            hub.stop();
        }
    }

    static void assertContiguous(List<Long> ids) {
        for (int i = 1; i < ids.size(); i++) {
            assertThat(ids.get(i)).as("ids %s", ids).isEqualTo(ids.get(i - 1) + 1);
        }
    }

    static MetricsSnapshot snapshot(long sequence) {
        return new MetricsSnapshot(sequence, Instant.EPOCH, null, null, null, null, null, null);
    }

    static MetricsConfig config(Duration interval) {
        return new MetricsConfig() {
            @Override
            public Duration interval() {
                return interval;
            }

            @Override
            public int maxSubscribers() {
                return 10;
            }

            @Override
            public int maxFeeds() {
                return 2;
            }

            @Override
            public int recentWindows() {
                return 5;
            }

            @Override
            public int topN() {
                return 10;
            }

            @Override
            public int maxWikis() {
                return 50;
            }

            @Override
            public Duration rankingsRefresh() {
                return Duration.ofSeconds(5);
            }

            @Override
            public DashboardView dashboard() {
                return null;
            }
        };
    }
}
