package io.pulse.api.metrics;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.pulse.aggregate.AggregateConfig;
import io.pulse.store.BotFilter;
import io.pulse.store.LiveRankings;
import io.pulse.store.ReadFilter;
import io.pulse.store.SnapshotQueries;
import io.pulse.store.TopQueries;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.tuples.Tuple2;

/**
 * The dashboard's figures, anchored at the newest window of the selection (so a quiet wiki, or a replay
 * of an old recording, shows its own last hour): one type breakdown per window of the history, and the
 * rankings of the last half hour, with the same statements and order as {@code /api/top/*} (the page and
 * user rankings from per-window lists, {@link LiveRankings}).
 */
@ApplicationScoped
public class DashboardView {

    private final SnapshotQueries snapshots;
    private final TopQueries top;
    private final LiveRankings rankings;
    private final MetricsConfig config;
    private final long windowMs;

    public DashboardView(SnapshotQueries snapshots, TopQueries top, LiveRankings rankings, MetricsConfig config,
            AggregateConfig aggregate) {
        this.snapshots = snapshots;
        this.top = top;
        this.rankings = rankings;
        this.config = config;
        this.windowMs = aggregate.window().toMillis();
    }

    /** The view of a wiki (null: all), or null while nothing was aggregated for it. */
    public Uni<MetricsSnapshot.Dashboard> of(String wiki) {
        return snapshots.newestWindow(wiki).chain(newest -> newest == null ? Uni.createFrom().nullItem()
                : of(wiki, anchor(newest, System.currentTimeMillis(), windowMs)));
    }

    /**
     * The newest window, but never more than one past the clock's (a replica's clock a little behind the
     * ingest's): a change stamped up to {@code max-future-skew} (an hour) ahead has a window of its own there,
     * and the view anchored at it showed that one change as the last half hour, for up to an hour. A replay of
     * an old recording keeps its own last hour.
     */
    static Instant anchor(Instant newestWindow, long nowMs, long windowMs) {
        long latest = (Math.floorDiv(nowMs, windowMs) + 1) * windowMs;
        return newestWindow.toEpochMilli() > latest ? Instant.ofEpochMilli(latest) : newestWindow;
    }

    private Uni<MetricsSnapshot.Dashboard> of(String wiki, Instant newest) {
        MetricsConfig.DashboardView size = config.dashboard();
        Instant historyFrom = newest.minusMillis(windowMs * (size.historyWindows() - 1));
        Instant rankFrom = newest.minusMillis(windowMs * (size.rankingWindows() - 1));
        Instant rankTo = newest.plusMillis(windowMs);
        ReadFilter ranked = new ReadFilter(rankFrom, rankTo, wiki, BotFilter.INCLUDE);
        // The page and user rankings one after the other: listing a window takes a core of the database (SnapshotSource).
        var pagesThenUsers = rankings.pages(ranked, size.topN())
                .chain(pages -> rankings.users(ranked, size.topN()).map(users -> Tuple2.of(pages, users)));
        return Uni.combine().all().unis(
                snapshots.typeCounts(historyFrom, newest, wiki),
                pagesThenUsers,
                top.namespaces(ranked, 100),
                top.wikis(ranked, config.maxWikis()))
                .with((types, rankings, namespaces, wikis) -> new MetricsSnapshot.Dashboard(newest, historyFrom,
                        history(types), rankFrom, rankTo, rankings.getItem1(), rankings.getItem2(), namespaces, wikis));
    }

    /** One minute per window that has changes, oldest first. */
    static List<MetricsSnapshot.Minute> history(List<SnapshotQueries.TypeCount> types) {
        Map<Instant, long[]> totals = new TreeMap<>();
        types.forEach(t -> {
            long[] sum = totals.computeIfAbsent(t.windowStart(), w -> new long[2]);
            sum[0] += t.changes();
            sum[1] += t.botChanges();
        });
        List<MetricsSnapshot.Minute> out = new ArrayList<>(totals.size());
        totals.forEach((window, sum) -> out.add(
                new MetricsSnapshot.Minute(window, sum[0], sum[1], SnapshotQueries.byType(types, window))));
        return out;
    }
}
