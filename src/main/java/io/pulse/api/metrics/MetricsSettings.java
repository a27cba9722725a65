package io.pulse.api.metrics;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.pulse.config.SettingsCheck;
import io.quarkus.runtime.Startup;

/**
 * Checks {@code pulse.metrics.*} at start. Out of bounds, they broke the stream at its first subscriber, not the
 * start: an interval of 0 failed every subscription (and each kept its place: 503 for all after a thousand), a
 * window count of 0 inverted the ranges (empty figures, silently).
 */
@Startup
@ApplicationScoped
public class MetricsSettings {

    private static final Logger LOG = Logger.getLogger(MetricsSettings.class);

    /** The dashboard takes a stream silent for 15 s as dead and reconnects (stream.js). */
    static final Duration DASHBOARD_INTERVAL = Duration.ofSeconds(10);
    static final Duration MIN_INTERVAL = Duration.ofMillis(10);

    public MetricsSettings(MetricsConfig config) {
        check(config);
    }

    static void check(MetricsConfig config) {
        new SettingsCheck()
                .atLeast("pulse.metrics.interval", config.interval(), MIN_INTERVAL)
                .atLeast("pulse.metrics.min-interval", config.minInterval(), MIN_INTERVAL)
                .atLeast("pulse.metrics.recent-windows", config.recentWindows(), 1)
                .atLeast("pulse.metrics.top-n", config.topN(), 1)
                .atLeast("pulse.metrics.max-wikis", config.maxWikis(), 1)
                .atLeast("pulse.metrics.max-feeds", config.maxFeeds(), 1)
                .atLeast("pulse.metrics.dashboard.history-windows", config.dashboard().historyWindows(), 1)
                .atLeast("pulse.metrics.dashboard.ranking-windows", config.dashboard().rankingWindows(), 1)
                .atLeast("pulse.metrics.dashboard.top-n", config.dashboard().topN(), 1)
                .atLeast("pulse.metrics.rankings-refresh", config.rankingsRefresh(), Duration.ofMillis(1))
                .orFail();
        if (config.interval().compareTo(DASHBOARD_INTERVAL) > 0) {
            // Not refused: a deployment without the dashboard may want it; the dashboard would reconnect all the time.
            LOG.warnf("pulse.metrics.interval is %s: the dashboard takes a stream silent for 15 s as dead and reconnects",
                    config.interval());
        }
    }
}
