package io.pulse.api.metrics;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pulse.aggregate.AggregatorStatus;
import io.pulse.api.StallWatch;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * Fans snapshots out to live subscribers. One feed per wiki filter and view computes a snapshot per interval,
 * whatever the number of subscribers; a feed starts with its first subscriber and stops with its last. A commit of
 * this replica's aggregator brings the next snapshot forward, to {@code pulse.metrics.min-interval} after the last
 * one: with snapshots on the interval's clock alone, a change waited up to a whole interval after its commit to show
 * (half a second: most of the 10,000 events/s tail, bench/README.md 65). Other replicas' commits show at the interval.
 * Each subscriber is conflated: if it cannot keep up, it skips to the latest snapshot, so a stalled
 * browser never slows the feed, the pipeline or the other subscribers. One that takes no snapshot for
 * {@code pulse.metrics.stalled-after} while one waits for it is told to go (its connection closed): a client
 * that stopped reading held its place for good, one that vanished without closing (a laptop lid, a dropped network)
 * until TCP gave up.
 */
@ApplicationScoped
public class SnapshotHub {

    private static final Logger LOG = Logger.getLogger(SnapshotHub.class);

    private final Snapshots source;
    private final MetricsConfig config;
    private final Map<String, Feed> feeds = new HashMap<>();
    private final AtomicInteger subscribers = new AtomicInteger();
    private final AtomicLong stalledSubscribers = new AtomicLong();
    private final LongSupplier clock;
    /** This replica's aggregator's commits so far: when it moves, the stored figures did. */
    private final LongSupplier commits;

    @Inject
    public SnapshotHub(SnapshotSource source, MetricsConfig config, MeterRegistry registry, AggregatorStatus aggregator) {
        this(source::snapshot, config, System::nanoTime, aggregator::commits);
        FunctionCounter.builder("pulse.metrics.stalled.subscribers", stalledSubscribers, AtomicLong::get)
                .description("/metrics/stream subscribers whose connection was closed for taking no snapshot for"
                        + " pulse.metrics.stalled-after")
                .register(registry);
    }

    SnapshotHub(Snapshots source, MetricsConfig config) {
        this(source, config, System::nanoTime);
    }

    SnapshotHub(Snapshots source, MetricsConfig config, LongSupplier nanoClock) {
        this(source, config, nanoClock, () -> 0);
    }

    SnapshotHub(Snapshots source, MetricsConfig config, LongSupplier nanoClock, LongSupplier commits) {
        this.source = source;
        this.config = config;
        this.clock = nanoClock;
        this.commits = commits;
    }

    /**
     * How often a feed checks whether a snapshot is due: every interval when commits bring none forward; else a
     * quarter of min-interval, so that one due after a commit waits at most that much more. Never under 10 ms: a
     * feed's ticks are a timer task each, with up to max-feeds feeds.
     */
    static Duration tick(MetricsConfig config) {
        if (config.minInterval().compareTo(config.interval()) >= 0) {
            return config.interval();
        }
        Duration quarter = config.minInterval().dividedBy(4);
        return quarter.compareTo(MetricsSettings.MIN_INTERVAL) < 0 ? MetricsSettings.MIN_INTERVAL : quarter;
    }

    /** Where snapshots come from: {@link SnapshotSource}, or a test's stand-in that fails on purpose. */
    @FunctionalInterface
    interface Snapshots {
        Uni<MetricsSnapshot> snapshot(String wiki, boolean dashboard);
    }

    /** Thrown when {@code pulse.metrics.max-subscribers} are already connected. */
    public static final class TooManySubscribers extends RuntimeException {
        TooManySubscribers(int max) {
            super("The live metrics stream already serves its maximum of " + max + " subscribers", null, false, false);
        }
    }

    /** Thrown when {@code pulse.metrics.max-feeds} distinct feeds already run and another is asked for. */
    public static final class TooManyFeeds extends RuntimeException {
        TooManyFeeds(int max) {
            super("The live metrics stream already runs its maximum of " + max + " distinct feeds (wiki filter"
                    + " and view); subscribe to one of them, or to all wikis", null, false, false);
        }
    }

    /**
     * The current snapshot at once, then one per interval, or sooner after a commit (min-interval).
     * @throws TooManySubscribers at the cap
     */
    public Multi<MetricsSnapshot> subscribe(String wiki) {
        return subscribe(wiki, false);
    }

    /** As {@link #subscribe(String)}, with the dashboard view in every snapshot when asked for. */
    public Multi<MetricsSnapshot> subscribe(String wiki, boolean dashboard) {
        return subscribe(wiki, dashboard, () -> { });
    }

    /**
     * As {@link #subscribe(String, boolean)}; {@code whenStalled} is called (once, on the feed's ticker thread) when the
     * subscriber has taken no snapshot for {@code pulse.metrics.stalled-after} while one waited for it: it should
     * end the subscriber's connection, which cancels the stream and frees its place.
     */
    public Multi<MetricsSnapshot> subscribe(String wiki, boolean dashboard, Runnable whenStalled) {
        // Checked now, to answer 503; counted when the stream is subscribed, and released when it ends: a
        // stream never subscribed (its client gone before the headers were sent) would hold its place for
        // good. A burst of subscribers may overshoot the caps by the few checked at the same time.
        if (subscribers.get() >= config.maxSubscribers()) {
            throw new TooManySubscribers(config.maxSubscribers());
        }
        // The unfiltered feeds (plain and dashboard) are never refused: a client opening idle streams with made-up wiki
        // filters filled the cap and shut every page of every wiki out, "Reconnecting" for good.
        synchronized (this) {
            if (wiki != null && !feeds.containsKey(key(wiki, dashboard)) && filteredFeeds() >= config.maxFeeds()) {
                throw new TooManyFeeds(config.maxFeeds());
            }
        }
        return Multi.createFrom().deferred(() -> {
            subscribers.incrementAndGet();
            return joined(acquire(wiki, dashboard), whenStalled);
        });
    }

    private Multi<MetricsSnapshot> joined(Feed feed, Runnable whenStalled) {
        // The feed's latest snapshot at once while it is fresh; else the next tick brings one (a new feed
        // ticks at once). Joiners never compute a snapshot of their own: browsers reconnecting together
        // after a restart used to start one each and fill the database's read limit. Nor do they get a
        // stale one while every tick fails (the database away): it showed frozen figures as fresh.
        Multi<MetricsSnapshot> first = Multi.createFrom().deferred(() -> {
            MetricsSnapshot latest = feed.latest;
            return latest != null && clock.getAsLong() - feed.latestAtNanos < 2 * config.interval().toNanos()
                    ? Multi.createFrom().item(latest)
                    : Multi.createFrom().empty();
        });
        // Only newer snapshots pass, so the first one never follows a fresher tick.
        AtomicLong lastSent = new AtomicLong(-1);
        Delivery delivery = new Delivery(whenStalled, new StallWatch(stalledAfter(config)));
        feed.deliveries.add(delivery);
        return Multi.createBy().merging().streams(feed.processor, first)
                .select().where(s -> s.sequence() > lastSent.getAndAccumulate(s.sequence(), Math::max))
                .onItem().invoke(s -> delivery.watch().waiting(clock.getAsLong()))
                .onOverflow().dropPreviousItems()
                .onItem().invoke(s -> delivery.watch().taken())
                .onTermination().invoke(() -> {
                    feed.deliveries.remove(delivery);
                    release(feed);
                });
    }

    /**
     * Whether a subscriber takes its snapshots. The web layer asks for the next one only once the previous one is
     * written to the socket, so a client that stopped reading, or vanished, stops asking once its socket's buffer
     * is full. A snapshot that arrives while one is taken may go unmarked: it is then found one interval later.
     */
    private record Delivery(Runnable whenStalled, StallWatch watch) {
    }

    /** At least two intervals: shorter, a snapshot being written to a healthy client could pass for a stall. */
    static Duration stalledAfter(MetricsConfig config) {
        Duration twoIntervals = config.interval().multipliedBy(2);
        return config.stalledAfter().compareTo(twoIntervals) < 0 ? twoIntervals : config.stalledAfter();
    }

    private void endStalled(Feed feed) {
        long now = clock.getAsLong();
        for (Delivery d : feed.deliveries) {
            if (d.watch().stalled(now)) {
                LOG.infof("A /metrics/stream subscriber took no snapshot for %s: closing its connection", stalledAfter(config));
                stalledSubscribers.incrementAndGet();
                try {
                    d.whenStalled.run();
                } catch (RuntimeException e) {
                    LOG.debugf("Closing a stalled subscriber failed: %s", e.toString());
                }
            }
        }
    }

    /** Subscribers told to go since the start, for taking no snapshot for {@code pulse.metrics.stalled-after}. */
    public long stalledSubscribers() {
        return stalledSubscribers.get();
    }

    public int subscribers() {
        return subscribers.get();
    }

    private synchronized Feed acquire(String wiki, boolean dashboard) {
        Feed feed = feeds.computeIfAbsent(key(wiki, dashboard), k -> new Feed(wiki, dashboard).start());
        feed.references++;
        return feed;
    }

    private long filteredFeeds() {
        return feeds.values().stream().filter(feed -> feed.wiki != null).count();
    }

    private synchronized void release(Feed feed) {
        subscribers.decrementAndGet();
        if (--feed.references == 0) {
            feeds.remove(key(feed.wiki, feed.dashboard), feed);
            feed.ticker.cancel();
            feed.processor.onComplete();
        }
    }

    @PreDestroy
    synchronized void stop() {
        // Completing a feed ends its subscribers, whose release removes the feed from the map: iterated directly, the
        // map threw at shutdown.
        List<Feed> running = List.copyOf(feeds.values());
        feeds.clear();
        running.forEach(f -> {
            f.ticker.cancel();
            f.processor.onComplete();
        });
    }

    private static String key(String wiki, boolean dashboard) {
        return (dashboard ? "dashboard:" : "plain:") + (wiki == null ? "" : wiki);
    }

    private final class Feed {
        final String wiki;
        final boolean dashboard;
        final BroadcastProcessor<MetricsSnapshot> processor = BroadcastProcessor.create();
        final Set<Delivery> deliveries = ConcurrentHashMap.newKeySet();
        volatile MetricsSnapshot latest;
        volatile long latestAtNanos;
        volatile long sequence;
        int references;
        Cancellable ticker;
        // Read and written one tick at a time (the ticks of a fixed-rate timer never overlap, and a snapshot's
        // outcome comes before the next tick is let through); volatile, as the outcome comes on another thread.
        private volatile boolean started;
        private volatile long lastStartNanos;
        /** The commits the last snapshot sent includes: a failed one's stay to be shown. */
        private volatile long commitsShown;
        /** The commits the snapshot under way will include, once sent. */
        private volatile long commitsAttempted;

        Feed(String wiki, boolean dashboard) {
            this.wiki = wiki;
            this.dashboard = dashboard;
            // Ids went back to 1 with each new feed (a lone viewer's reconnect, another replica, a restart): a client
            // that drops ids it has seen dropped the fresh snapshots. From the wall clock's milliseconds, which pass
            // faster than the ticks (five a second at most), a feed's ids are above every earlier feed's.
            this.sequence = System.currentTimeMillis();
        }

        Feed start() {
            ticker = Multi.createFrom().ticks().every(tick(config))
                    .onItem().invoke(tick -> endStalled(this)) // every tick, also while snapshots fail
                    .onOverflow().drop() // a slow database skips ticks instead of queueing them
                    .select().where(tick -> due()) // decided once the last snapshot is done: a commit meanwhile counts
                    // Deferred: a source that throws rather than failing its Uni would end the ticks, and the feed with
                    // them, for good (its subscribers would see no snapshot again); so it is a failed snapshot, as above.
                    .onItem().transformToUniAndConcatenate(tick -> Uni.createFrom().<MetricsSnapshot> deferred(
                            () -> source.snapshot(wiki, dashboard))
                            .invoke(snapshot -> commitsShown = commitsAttempted)
                            .onFailure().invoke(f -> LOG.debugf("Snapshot failed: %s", f.toString()))
                            .onFailure().recoverWithNull())
                    // Numbered on emission, not per tick: a failed or skipped tick must not leave a gap in
                    // the ids, which clients read as a snapshot they missed.
                    .subscribe().with(snapshot -> {
                        MetricsSnapshot numbered = snapshot.withSequence(++sequence);
                        latestAtNanos = clock.getAsLong();
                        latest = numbered;
                        processor.onNext(numbered);
                    });
            return this;
        }

        /**
         * Whether to take a snapshot now: at every tick when commits bring none forward (the ticks are the interval);
         * else the first one, one an interval after the last started, and one min-interval after it when this
         * replica's aggregator committed more than the last snapshot sent shows (the commits are read as a snapshot
         * starts, so a commit during its reads brings the next one forward too, and one whose snapshot failed is
         * tried again). Half a tick of slack, for the timer's jitter.
         */
        private boolean due() {
            if (config.minInterval().compareTo(config.interval()) >= 0) {
                return true;
            }
            long now = clock.getAsLong();
            long committed = commits.getAsLong();
            long slack = tick(config).toNanos() / 2;
            long since = now - lastStartNanos;
            boolean due = !started || since >= config.interval().toNanos() - slack
                    || committed != commitsShown && since >= config.minInterval().toNanos() - slack;
            if (due) {
                started = true;
                lastStartNanos = now;
                commitsAttempted = committed;
            }
            return due;
        }
    }
}
