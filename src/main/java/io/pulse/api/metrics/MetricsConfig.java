package io.pulse.api.metrics;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The live metrics stream ({@code pulse.metrics.*}). */
@ConfigMapping(prefix = "pulse.metrics")
public interface MetricsConfig {

    /** How often a snapshot is sent at least: the period while this replica's aggregator commits nothing. */
    @WithDefault("500ms")
    Duration interval();

    /**
     * A commit by this replica's aggregator brings the next snapshot forward, to no sooner than this after the
     * last one: a change shows within about this long of its commit instead of up to a whole interval later.
     * At or above {@link #interval()}, snapshots come every interval whatever the commits.
     */
    @WithDefault("200ms")
    Duration minInterval();

    /** Concurrent {@code /metrics/stream} subscribers beyond which new ones get 503. */
    @WithDefault("1000")
    int maxSubscribers();

    /**
     * Distinct feeds (wiki filter and view) live at once; each reads the database every interval, whatever
     * its subscribers. A subscriber asking for another gets 503: one client opening a stream per made-up
     * wiki name could otherwise have the database answer thousands of snapshots a second.
     */
    @WithDefault("64")
    int maxFeeds();

    /**
     * A subscriber that takes no snapshot for this long while one waits for it (its socket's send buffer full: it
     * stopped reading, or vanished without closing) has its connection closed, freeing its place: one that stopped
     * reading kept it for good, one that vanished until TCP gave up. Its browser, if still there, reconnects. Two
     * intervals when shorter.
     */
    @WithDefault("30s")
    Duration stalledAfter();

    /** Event-time windows summed for the "recent" figures (top pages, users, wikis, bot share). */
    @WithDefault("5")
    int recentWindows();

    /** Entries in the top pages and top users lists. */
    @WithDefault("10")
    int topN();

    /** Wikis listed in the per-wiki counts. */
    @WithDefault("50")
    int maxWikis();

    /**
     * How fresh the rankings (top pages, users, wikis, the dashboard view) must be. They are
     * recomputed in the background at most this often, while counts and rates stay per-interval;
     * and kept at least nine times as long as they took to compute, so that on a busy feed their
     * refresh never occupies the database more than a tenth of the time.
     */
    @WithDefault("5s")
    Duration rankingsRefresh();

    /** The dashboard view ({@code /metrics/stream?view=dashboard}). */
    DashboardView dashboard();

    interface DashboardView {
        /** Windows in the per-minute history (60 one-minute windows: the last hour). */
        @WithDefault("60")
        int historyWindows();

        /** Windows summed for the rankings (30 one-minute windows: the last half hour). */
        @WithDefault("30")
        int rankingWindows();

        /** Entries in the top pages and top users lists. */
        @WithDefault("20")
        int topN();
    }
}
