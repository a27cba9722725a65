package io.pulse.api.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.smallrye.mutiny.subscription.Cancellable;

class SnapshotHubTest {

    @Test
    void shouldNumberSnapshotsWithoutGapsWhenSomeTicksFail() {
        AtomicInteger calls = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        // Every third snapshot fails, as a query does when the database is busy or away.
        SnapshotHub hub = new SnapshotHub((wiki, dashboard) -> {
            if (calls.incrementAndGet() % 3 == 0) {
                failed.incrementAndGet();
                return Uni.createFrom().failure(new IllegalStateException("database away"));
            }
            return Uni.createFrom().item(snapshot(0));
        }, config(Duration.ofMillis(10)));
        List<Long> first = new CopyOnWriteArrayList<>();
        List<Long> joiner = new CopyOnWriteArrayList<>();
        Cancellable one = hub.subscribe(null).subscribe().with(s -> first.add(s.sequence()));
        Cancellable two = null;
        int failedBeforeJoining;
        int failedWhileJoined;
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> first.size() >= 5);
            failedBeforeJoining = failed.get();
            // A subscriber joining a running feed starts from its latest snapshot.
            two = hub.subscribe(null).subscribe().with(s -> joiner.add(s.sequence()));
            await().atMost(Duration.ofSeconds(30)).until(() -> joiner.size() >= 20);
            failedWhileJoined = failed.get() - failedBeforeJoining;
        } finally {
            one.cancel();
            if (two != null) {
                two.cancel();
            }
            hub.stop();
        }

        assertThat(failedWhileJoined).as("ticks failed among those the joiner's snapshots came from").isPositive();
        assertContiguous(first);
        assertContiguous(joiner);
        assertThat(joiner.get(0)).as("the joiner starts where the feed is").isGreaterThan(first.get(0));
        assertThat(hub.subscribers()).isZero();
    }

    /** A new feed of the same filter (a lone viewer's reconnect) numbered from 1 again: ids went back. */
    @Test
    void shouldNumberANewFeedsSnapshotsAboveTheLastOnesOfTheFeedBefore() {
        SnapshotHub hub = new SnapshotHub((wiki, dashboard) -> Uni.createFrom().item(snapshot(0)), config(Duration.ofMillis(10)));
        List<Long> first = new CopyOnWriteArrayList<>();
        List<Long> second = new CopyOnWriteArrayList<>();
        try {
            Cancellable one = hub.subscribe(null).subscribe().with(s -> first.add(s.sequence()));
            await().atMost(Duration.ofSeconds(30)).until(() -> first.size() >= 5);
            one.cancel(); // the feed's last subscriber: the feed stops
            Cancellable two = hub.subscribe(null).subscribe().with(s -> second.add(s.sequence()));
            await().atMost(Duration.ofSeconds(30)).until(() -> !second.isEmpty());
            two.cancel();
        } finally {
            hub.stop();
        }

        assertThat(second.get(0)).isGreaterThan(Collections.max(first));
    }

    /** A source that throws, rather than failing its Uni, once ended the feed: no snapshot came again. */
    @Test
    void shouldGoOnAfterASnapshotThatThrows() {
        AtomicInteger calls = new AtomicInteger();
        SnapshotHub hub = new SnapshotHub((wiki, dashboard) -> {
            if (calls.incrementAndGet() == 2) {
                throw new IllegalStateException("thrown, not failed");
            }
            return Uni.createFrom().item(snapshot(0));
        }, config(Duration.ofMillis(10)));
        List<Long> received = new CopyOnWriteArrayList<>();
        Cancellable one = hub.subscribe(null).subscribe().with(s -> received.add(s.sequence()));
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> received.size() >= 5);
        } finally {
            one.cancel();
            hub.stop();
        }
        assertThat(calls.get()).isGreaterThan(2);
        assertContiguous(received);
    }

    /**
     * Each distinct wiki filter runs a feed of its own, reading the database every interval: past
     * max-feeds (2 here) a new one is refused, an existing one still joined. A stream asked for but never
     * subscribed holds no place: it used to count against the subscriber cap for good. The unfiltered feeds are
     * never refused: idle streams with made-up filters filled the cap and shut every page out.
     */
    @Test
    void shouldRefuseAFilteredFeedBeyondTheCapButJoinARunningOneAndAlwaysRunTheUnfilteredOnes() {
        SnapshotHub hub = new SnapshotHub((wiki, dashboard) -> Uni.createFrom().item(snapshot(0)), config(Duration.ofMillis(50)));
        try {
            hub.subscribe("neverwiki");
            assertThat(hub.subscribers()).as("asked for, never subscribed").isZero();

            Cancellable a = hub.subscribe("awiki").subscribe().with(s -> { });
            Cancellable b = hub.subscribe("bwiki").subscribe().with(s -> { });
            assertThatThrownBy(() -> hub.subscribe("cwiki")).isInstanceOf(SnapshotHub.TooManyFeeds.class);
            Cancellable all = hub.subscribe(null).subscribe().with(s -> { });
            Cancellable dashboard = hub.subscribe(null, true).subscribe().with(s -> { });
            Cancellable again = hub.subscribe("awiki").subscribe().with(s -> { });
            assertThat(hub.subscribers()).isEqualTo(5);

            a.cancel();
            again.cancel(); // awiki's feed stops with its last subscriber: room for another
            hub.subscribe("cwiki").subscribe().with(s -> { }).cancel();
            List.of(b, all, dashboard).forEach(Cancellable::cancel);
            assertThat(hub.subscribers()).isZero();
        } finally {
            hub.stop();
        }
    }

    /**
     * While every snapshot fails (the database away) a joiner gets nothing, not the feed's last snapshot
     * of minutes ago: that made a reconnecting page show frozen figures as fresh.
     */
    @Test
    void shouldNotGiveAJoinerTheLatestSnapshotOnceItIsStale() {
        AtomicLong clock = new AtomicLong();
        AtomicBoolean failing = new AtomicBoolean();
        AtomicInteger calls = new AtomicInteger();
        SnapshotHub hub = new SnapshotHub((wiki, dashboard) -> {
            calls.incrementAndGet();
            return failing.get() ? Uni.createFrom().failure(new IllegalStateException("database away"))
                    : Uni.createFrom().item(snapshot(0));
        }, config(Duration.ofMillis(20)), clock::get);
        List<Long> first = new CopyOnWriteArrayList<>();
        List<Long> joiner = new CopyOnWriteArrayList<>();
        Cancellable one = hub.subscribe(null).subscribe().with(s -> first.add(s.sequence()));
        Cancellable two = null;
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> first.size() >= 3);
            failing.set(true);
            int after = calls.get();
            long seen = first.get(first.size() - 1);
            await().atMost(Duration.ofSeconds(30)).until(() -> calls.get() >= after + 2); // no tick still succeeding
            clock.addAndGet(Duration.ofMinutes(5).toNanos());

            two = hub.subscribe(null).subscribe().with(s -> joiner.add(s.sequence()));
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(joiner::isEmpty);

            failing.set(false);
            await().atMost(Duration.ofSeconds(30)).until(() -> !joiner.isEmpty());
            assertThat(joiner.get(0)).as("a new snapshot, not the stale one").isGreaterThan(seen);
        } finally {
            one.cancel();
            if (two != null) {
                two.cancel();
            }
            hub.stop();
        }
    }

    /** A joiner gets the feed's latest snapshot at once while it is fresh, without waiting for a tick. */
    @Test
    void shouldGiveAJoinerTheFeedsFreshLatestSnapshotAtOnce() {
        AtomicLong clock = new AtomicLong();
        AtomicInteger calls = new AtomicInteger();
        SnapshotHub hub = new SnapshotHub((wiki, dashboard) -> {
            calls.incrementAndGet();
            return Uni.createFrom().item(snapshot(0));
        }, config(Duration.ofMinutes(10)), clock::get); // the first tick only, at once
        List<Long> first = new CopyOnWriteArrayList<>();
        List<Long> joiner = new CopyOnWriteArrayList<>();
        Cancellable one = hub.subscribe(null).subscribe().with(s -> first.add(s.sequence()));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> first.size() == 1);
            clock.addAndGet(Duration.ofMinutes(19).toNanos()); // younger than two intervals
            Cancellable two = hub.subscribe(null).subscribe().with(s -> joiner.add(s.sequence()));
            await().atMost(Duration.ofSeconds(10)).until(() -> !joiner.isEmpty()); // no tick within 10 minutes
            two.cancel();
            assertThat(joiner).as("the latest").containsExactly(first.get(0));
            assertThat(calls.get()).as("nothing computed for the joiner").isEqualTo(1);
        } finally {
            one.cancel();
            hub.stop();
        }
    }

    /**
     * Subscribers joining a feed that has no snapshot yet share its first tick's computation: each used
     * to compute one of its own, and browsers reconnecting together after a restart filled the read limit.
     */
    @Test
    void shouldTakeOneSnapshotForAllWhoJoinAtOnce() {
        AtomicInteger calls = new AtomicInteger();
        CompletableFuture<MetricsSnapshot> database = new CompletableFuture<>();
        SnapshotHub hub = new SnapshotHub((wiki, dashboard) -> {
            calls.incrementAndGet();
            return Uni.createFrom().completionStage(database);
        }, config(Duration.ofMinutes(10))); // the feed's first tick only, at once
        List<AtomicInteger> received = new ArrayList<>();
        List<Cancellable> subscriptions = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                AtomicInteger count = new AtomicInteger();
                received.add(count);
                subscriptions.add(hub.subscribe(null, true).subscribe().with(s -> count.incrementAndGet()));
            }
            database.complete(snapshot(0));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(received).allMatch(c -> c.get() == 1));
            assertThat(calls.get()).as("snapshots computed").isEqualTo(1);
        } finally {
            subscriptions.forEach(Cancellable::cancel);
            hub.stop();
        }
    }

    /**
     * A subscriber that takes no snapshot for stalled-after while one waits is told to go, once; one that keeps up,
     * or that waits for nothing, is not. Telling it is the web layer's cue to close the connection.
     */
    @Test
    void shouldTellASubscriberThatTakesNoSnapshotToGo() {
        AtomicLong clock = new AtomicLong();
        SnapshotHub hub = new SnapshotHub((wiki, dashboard) -> Uni.createFrom().item(snapshot(0)), config(Duration.ofMillis(20)),
                clock::get);
        AtomicInteger toldStalled = new AtomicInteger();
        AtomicInteger toldHealthy = new AtomicInteger();
        AssertSubscriber<MetricsSnapshot> stalled = hub.subscribe(null, false, toldStalled::incrementAndGet)
                .subscribe().withSubscriber(AssertSubscriber.create(1));
        List<Long> healthy = new CopyOnWriteArrayList<>();
        Cancellable keepsUp = hub.subscribe(null, false, toldHealthy::incrementAndGet).subscribe().with(s -> healthy.add(s.sequence()));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> stalled.getItems().size() == 1 && healthy.size() >= 3);
            clock.addAndGet(Duration.ofSeconds(29).toNanos());
            int seen = healthy.size();
            await().atMost(Duration.ofSeconds(10)).until(() -> healthy.size() >= seen + 3);
            assertThat(toldStalled.get()).as("not yet stalled-after (30 s)").isZero();

            clock.addAndGet(Duration.ofSeconds(2).toNanos());
            await().atMost(Duration.ofSeconds(10)).until(() -> toldStalled.get() == 1);
            int later = healthy.size();
            await().atMost(Duration.ofSeconds(10)).until(() -> healthy.size() >= later + 5); // ticks go on
            assertThat(toldStalled.get()).as("told once").isEqualTo(1);
            assertThat(toldHealthy.get()).isZero();
            assertThat(hub.stalledSubscribers()).isEqualTo(1);

            stalled.cancel(); // what closing its connection does
            assertThat(hub.subscribers()).isEqualTo(1);
        } finally {
            stalled.cancel();
            keepsUp.cancel();
            hub.stop();
        }
    }

    /** Stopping (at shutdown) ends every subscriber; it threw, the feeds' map changed under its iteration. */
    @Test
    void shouldEndEverySubscriberWhenStopped() {
        SnapshotHub hub = new SnapshotHub((wiki, dashboard) -> Uni.createFrom().item(snapshot(0)), config(Duration.ofMillis(20)));
        AssertSubscriber<MetricsSnapshot> all = hub.subscribe(null).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        AssertSubscriber<MetricsSnapshot> one = hub.subscribe("awiki").subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        await().atMost(Duration.ofSeconds(10)).until(() -> !all.getItems().isEmpty() && !one.getItems().isEmpty());

        hub.stop();

        all.assertCompleted();
        one.assertCompleted();
        assertThat(hub.subscribers()).isZero();
    }

    /**
     * A commit of this replica's aggregator brings the next snapshot forward, no sooner than min-interval after the
     * last one; without one, the interval holds. Decided on the hub's clock (here a hand-moved one, read at every
     * tick: counting its reads says ticks went by without a snapshot).
     */
    @Test
    void shouldBringTheNextSnapshotForwardWhenTheAggregatorCommits() {
        HandClock clock = new HandClock();
        AtomicLong commits = new AtomicLong();
        AtomicInteger taken = new AtomicInteger();
        SnapshotHub hub = commitDriven((wiki, dashboard) -> {
            taken.incrementAndGet();
            return Uni.createFrom().item(snapshot(0));
        }, clock, commits);
        List<Long> received = new CopyOnWriteArrayList<>();
        Cancellable subscription = hub.subscribe(null).subscribe().with(s -> received.add(s.sequence()));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);

            clock.advance(Duration.ofMillis(300));
            clock.awaitTicks();
            assertThat(taken.get()).as("past min-interval, not the interval, and nothing committed").isEqualTo(1);

            commits.incrementAndGet();
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);

            commits.incrementAndGet();
            clock.advance(Duration.ofMillis(50));
            clock.awaitTicks();
            assertThat(taken.get()).as("committed, but only half of min-interval since the last").isEqualTo(2);

            clock.advance(Duration.ofMillis(50));
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 3);

            clock.advance(Duration.ofMillis(900));
            clock.awaitTicks();
            assertThat(taken.get()).as("nothing committed, and not yet an interval").isEqualTo(3);
            clock.advance(Duration.ofMillis(100));
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 4);
            assertContiguous(received);
        } finally {
            subscription.cancel();
            hub.stop();
        }
    }

    /** Interval 1 s, min-interval 100 ms (a tick every 25 ms), on a clock moved by hand. */
    private static SnapshotHub commitDriven(SnapshotHub.Snapshots source, HandClock clock, AtomicLong commits) {
        return new SnapshotHub(source, config(Duration.ofSeconds(1), Duration.ofMillis(100), Duration.ofMinutes(1)), clock,
                commits::get);
    }

    /** A clock moved by hand, counting its reads: the hub reads it at every tick (its stall watch and its due check). */
    private static final class HandClock implements LongSupplier {
        private final AtomicLong now = new AtomicLong();
        private final AtomicInteger reads = new AtomicInteger();

        @Override
        public long getAsLong() {
            reads.incrementAndGet();
            return now.get();
        }

        void advance(Duration by) {
            now.addAndGet(by.toNanos());
        }

        /** Until the hub has read it ten more times: about five ticks have gone by, and with them every due check. */
        void awaitTicks() {
            int from = reads.get();
            await().atMost(Duration.ofSeconds(10)).until(() -> reads.get() >= from + 10);
        }
    }

    /**
     * A commit that comes while a snapshot is being read is not in it: it brings the next one forward. A commit whose
     * snapshot failed is still to be shown: the next one is tried min-interval later, not an interval.
     */
    @Test
    void shouldBringTheNextSnapshotForwardForACommitDuringOneAndForOneWhoseSnapshotFailed() {
        HandClock clock = new HandClock();
        AtomicLong commits = new AtomicLong();
        List<CompletableFuture<MetricsSnapshot>> reads = new CopyOnWriteArrayList<>();
        SnapshotHub hub = commitDriven((wiki, dashboard) -> {
            CompletableFuture<MetricsSnapshot> read = new CompletableFuture<>();
            reads.add(read);
            return Uni.createFrom().completionStage(read);
        }, clock, commits);
        List<Long> received = new CopyOnWriteArrayList<>();
        Cancellable subscription = hub.subscribe(null).subscribe().with(s -> received.add(s.sequence()));
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> reads.size() == 1);
            commits.incrementAndGet(); // while the first snapshot is read
            reads.get(0).complete(snapshot(0));
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 1);

            clock.advance(Duration.ofMillis(100));
            await().atMost(Duration.ofSeconds(10)).until(() -> reads.size() == 2);
            reads.get(1).completeExceptionally(new IllegalStateException("database away"));

            clock.advance(Duration.ofMillis(100));
            await().atMost(Duration.ofSeconds(10)).until(() -> reads.size() == 3);
            reads.get(2).complete(snapshot(0));
            await().atMost(Duration.ofSeconds(10)).until(() -> received.size() == 2);

            clock.advance(Duration.ofMillis(100));
            clock.awaitTicks();
            assertThat(reads).as("the commit is shown: nothing more before the interval").hasSize(3);
            assertContiguous(received);
        } finally {
            subscription.cancel();
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
        Duration twoIntervals = interval.multipliedBy(2);
        return config(interval, twoIntervals.compareTo(Duration.ofSeconds(30)) > 0 ? twoIntervals : Duration.ofSeconds(30));
    }

    static MetricsConfig config(Duration interval, Duration stalledAfter) {
        return config(interval, interval, stalledAfter); // every tick a snapshot, whatever the commits
    }

    static MetricsConfig config(Duration interval, Duration minInterval, Duration stalledAfter) {
        return new MetricsConfig() {
            @Override
            public Duration interval() {
                return interval;
            }

            @Override
            public Duration minInterval() {
                return minInterval;
            }

            @Override
            public int maxSubscribers() {
                return 10;
            }

            @Override
            public Duration stalledAfter() {
                return stalledAfter;
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
