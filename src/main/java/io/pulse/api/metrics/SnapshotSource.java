package io.pulse.api.metrics;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongSupplier;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.pulse.aggregate.AggregateConfig;
import io.pulse.aggregate.AggregatorStatus;
import io.pulse.source.wikimedia.WikimediaChannels;
import io.pulse.store.BotFilter;
import io.pulse.store.LiveRankings;
import io.pulse.store.ReadConfig;
import io.pulse.store.ReadFilter;
import io.pulse.store.SnapshotQueries;
import io.pulse.store.TopItems;
import io.smallrye.mutiny.Uni;

/**
 * Computes one {@link MetricsSnapshot} from PostgreSQL (committed aggregates and offsets of every
 * replica) and Kafka (end offsets): the same answer on every replica. Rates are over the last second
 * or more of pipeline samples, which all wiki filters share.
 */
@ApplicationScoped
public class SnapshotSource {

    private static final Logger LOG = Logger.getLogger(SnapshotSource.class);

    private final SnapshotQueries queries;
    private final LiveRankings rankings;
    private final KafkaProgress kafka;
    private final DashboardView dashboard;
    private final AggregatorStatus aggregator;
    private final MetricsConfig config;
    private final long windowMs;
    private final Duration lateness;
    private final String group;
    private final String eventsTopic;
    private final String deadLetterTopic;
    private final StaleWhileRefreshing<MetricsSnapshot.Recent> recent;
    private final StaleWhileRefreshing<MetricsSnapshot.Dashboard> dashboards;
    private final AtomicReference<SharedSample> latest = new AtomicReference<>();
    // Rates over a second at least, whatever the snapshot interval, and never over a gap without samples
    // longer than a minute or three intervals (RateOverSpan).
    private final RateOverSpan ingested;
    private final RateOverSpan aggregated;

    /** {@code consumerLag} is null while the topic's end cannot be read: the last end known, against fresh counts, drained to 0. */
    record PipelineSample(long atNanos, Long published, long aggregated, Long deadLetters, SnapshotQueries.Progress progress,
            Double ingestedPerSecond, double aggregatedPerSecond, Long consumerLag) {
    }

    @Inject
    public SnapshotSource(SnapshotQueries queries, LiveRankings rankings, KafkaProgress kafka, DashboardView dashboard,
            AggregatorStatus aggregator, MetricsConfig config, AggregateConfig aggregate,
            ReadConfig reads,
            @ConfigProperty(name = "mp.messaging.incoming." + WikimediaChannels.EVENTS_IN + ".group.id") String group,
            @ConfigProperty(name = "mp.messaging.incoming." + WikimediaChannels.EVENTS_IN + ".topic") String eventsTopic,
            @ConfigProperty(name = "mp.messaging.outgoing." + WikimediaChannels.DEAD_LETTERS + ".topic") String deadLetterTopic) {
        this.queries = queries;
        this.rankings = rankings;
        this.kafka = kafka;
        this.dashboard = dashboard;
        this.aggregator = aggregator;
        this.config = config;
        this.windowMs = aggregate.window().toMillis();
        this.lateness = aggregate.allowedLateness();
        this.group = group;
        this.eventsTopic = eventsTopic;
        this.deadLetterTopic = deadLetterTopic;
        Duration maxGap = config.interval().multipliedBy(3).compareTo(Duration.ofMinutes(1)) > 0
                ? config.interval().multipliedBy(3) : Duration.ofMinutes(1);
        this.ingested = new RateOverSpan(Duration.ofSeconds(1), maxGap);
        this.aggregated = new RateOverSpan(Duration.ofSeconds(1), maxGap);
        // How stale the rankings may be while a refresh runs: three read timeouts (a refresh reads more, each bounded).
        Duration maxRefresh = reads.readTimeout().multipliedBy(3);
        this.recent = new StaleWhileRefreshing<>(config.rankingsRefresh(), maxRefresh, System::nanoTime);
        this.dashboards = new StaleWhileRefreshing<>(config.rankingsRefresh(), maxRefresh, System::nanoTime);
    }

    /** A snapshot, with the dashboard view when asked for; numbered 0 ({@link SnapshotHub} numbers what it sends). */
    public Uni<MetricsSnapshot> snapshot(String wiki, boolean withDashboard) {
        Uni<MetricsSnapshot> snapshot = snapshot(wiki);
        return withDashboard
                ? snapshot.chain(s -> dashboards.get(key(wiki), () -> dashboard.of(wiki))
                        .map(s::withDashboard) // null: nothing to show, the wiki has no changes
                        .onFailure().invoke(f -> LOG.debugf("Dashboard view failed: %s", f.toString()))
                        // The pipeline figures still go out, saying the view could not be read (the page marks its own stale).
                        .onFailure().recoverWithItem(() -> s.without(MetricsSnapshot.DASHBOARD)))
                : snapshot;
    }

    public Uni<MetricsSnapshot> snapshot(String wiki) {
        return pipeline().chain(sample -> {
            SnapshotQueries.Progress progress = sample.progress();
            MetricsSnapshot.Pipeline pipeline = new MetricsSnapshot.Pipeline(sample.ingestedPerSecond(),
                    sample.aggregatedPerSecond(), sample.published(), sample.aggregated(),
                    sample.consumerLag(), sample.deadLetters());
            if (progress.newestEventTime() == null) {
                return Uni.createFrom().item(new MetricsSnapshot(0, Instant.now(), wiki, pipeline,
                        new MetricsSnapshot.EventTime(null, null), null, null, null));
            }
            long newest = progress.newestEventTime().toEpochMilli();
            Instant current = Instant.ofEpochMilli(Math.floorDiv(newest, windowMs) * windowMs);
            Instant last = current.minusMillis(windowMs);
            Instant recentFrom = current.minusMillis(windowMs * (config.recentWindows() - 1));
            return Uni.combine().all().unis(
                    queries.typeCounts(last, current, wiki),
                    recent.get(key(wiki), () -> recent(wiki, recentFrom, current)).map(Optional::of)
                            .onFailure().invoke(f -> LOG.debugf("Recent figures failed: %s", f.toString()))
                            // a read timed out (a locked table): sent without them, saying so
                            .onFailure().recoverWithItem(Optional.empty()))
                    .with((types, recentFigures) -> {
                        MetricsSnapshot s = new MetricsSnapshot(0, Instant.now(), wiki, pipeline,
                                new MetricsSnapshot.EventTime(progress.newestEventTime(),
                                        progress.oldestPartitionTime().minus(lateness)),
                                minute(types, current), minute(types, last), recentFigures.orElse(null));
                        return recentFigures.isPresent() ? s : s.without(MetricsSnapshot.RECENT);
                    });
        });
    }

    /**
     * The rankings and totals of the last windows: the expensive part, refreshed in the background.
     * The rankings come from per-window lists ({@link LiveRankings}), one after the other, so that a
     * window being listed never takes two cores of the database server at once (bench/README.md, 21, 23).
     * They are read after the totals: a batch that commits in between then shows in the rankings and
     * not yet in the totals, never the other way round (30 changes counted and no top page).
     */
    private Uni<MetricsSnapshot.Recent> recent(String wiki, Instant from, Instant current) {
        ReadFilter range = new ReadFilter(from, current.plusMillis(windowMs), wiki, BotFilter.INCLUDE);
        return Uni.combine().all().unis(
                queries.totals(from, current, wiki),
                queries.wikiCounts(from, current, wiki, config.maxWikis())).asTuple()
                .chain(counted -> rankings.pages(range, config.topN())
                        .chain(pages -> rankings.users(range, config.topN())
                                .map(users -> recent(from, current, counted.getItem1(), counted.getItem2(), pages, users))));
    }

    private MetricsSnapshot.Recent recent(Instant from, Instant current, SnapshotQueries.WikiCount totals,
            List<SnapshotQueries.WikiCount> wikis, List<TopItems.Page> pages, List<TopItems.User> users) {
        return new MetricsSnapshot.Recent(from, current.plusMillis(windowMs),
                totals.changes(), totals.botChanges(),
                totals.changes() == 0 ? 0 : (double) totals.botChanges() / totals.changes(),
                totals.lateEvents(),
                wikis.stream().map(w -> new MetricsSnapshot.WikiCount(w.wiki(), w.changes(), w.botChanges())).toList(),
                pages.stream().map(p -> new MetricsSnapshot.PageCount(p.wiki(), p.title(), p.changes())).toList(),
                users.stream().map(u -> new MetricsSnapshot.UserCount(u.wiki(), u.user(), u.bot(), u.changes())).toList());
    }

    private static String key(String wiki) {
        return wiki == null ? "" : wiki;
    }

    private static MetricsSnapshot.Minute minute(List<SnapshotQueries.TypeCount> types, Instant window) {
        long changes = 0;
        long bots = 0;
        for (SnapshotQueries.TypeCount t : types) {
            if (t.windowStart().equals(window)) {
                changes += t.changes();
                bots += t.botChanges();
            }
        }
        return new MetricsSnapshot.Minute(window, changes, bots, SnapshotQueries.byType(types, window));
    }

    /**
     * A fresh pipeline sample, shared by all filters for half an interval while this replica's aggregator commits
     * nothing: a snapshot that a commit brought forward ({@link SnapshotHub}) must not show the counts from before it.
     * Shared while it is being read too: after a commit every feed is due at once, and each reading its own would
     * take a slot of the database's bounded reads.
     */
    private Uni<PipelineSample> pipeline() {
        long commits = aggregator.commits(); // before the reads: what they return includes these commits
        long now = System.nanoTime();
        SharedSample shared = latest.get();
        if (shared != null && shared.commits() == commits && now - shared.startedNanos() < config.interval().toNanos() / 2) {
            return shared.sample();
        }
        SharedSample[] self = new SharedSample[1];
        Uni<PipelineSample> reads = sample(kafka.endOffsets(eventsTopic), kafka.endOffsets(deadLetterTopic),
                queries.progress(group, eventsTopic), ingested, aggregated, System::nanoTime)
                // A failed read is not shared past those already waiting for it: the next snapshot reads again.
                .onFailure().invoke(f -> latest.compareAndSet(self[0], null))
                .memoize().indefinitely();
        self[0] = new SharedSample(reads, commits, now);
        latest.set(self[0]);
        return reads;
    }

    private record SharedSample(Uni<PipelineSample> sample, long commits, long startedNanos) {
    }

    private record Stamped<T>(T value, long atNanos) {
    }

    /**
     * Each count is stamped when its own read answers, not when the slowest of the three did: a count read at t and
     * stamped when a queued database read answered seconds later made the rate over the next second several times
     * the real one (all it had counted meanwhile, over a shorter span).
     */
    static Uni<PipelineSample> sample(Uni<KafkaProgress.EndOffsets> published, Uni<KafkaProgress.EndOffsets> deadLetters,
            Uni<SnapshotQueries.Progress> progress, RateOverSpan ingested, RateOverSpan aggregated, LongSupplier nanoClock) {
        return Uni.combine().all().unis(
                published.map(p -> new Stamped<>(p, nanoClock.getAsLong())),
                deadLetters,
                progress.map(p -> new Stamped<>(p, nanoClock.getAsLong())))
                .with((ends, dead, counted) -> new PipelineSample(nanoClock.getAsLong(), ends.value().knownSum(),
                        counted.value().aggregated(), dead.knownSum(), counted.value(),
                        round(ingested.add(ends.atNanos(), ends.value().sum(), ends.value().measured(), ends.value().partitions())),
                        round(aggregated.add(counted.atNanos(), counted.value().aggregated())),
                        ends.value().measured() ? Long.valueOf(Math.max(0, ends.value().sum() - counted.value().aggregated())) : null));
    }

    private static double round(double rate) {
        return Math.round(rate * 10) / 10.0;
    }

    private static Double round(Double rate) {
        return rate == null ? null : round(rate.doubleValue());
    }
}
