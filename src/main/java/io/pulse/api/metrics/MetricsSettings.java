package io.pulse.api.metrics;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

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
        List<String> problems = new ArrayList<>();
        if (config.interval().compareTo(MIN_INTERVAL) < 0) {
            problems.add("pulse.metrics.interval must be at least " + MIN_INTERVAL + ", not " + config.interval());
        }
        atLeastOne(problems, "pulse.metrics.recent-windows", config.recentWindows());
        atLeastOne(problems, "pulse.metrics.top-n", config.topN());
        atLeastOne(problems, "pulse.metrics.max-wikis", config.maxWikis());
        atLeastOne(problems, "pulse.metrics.max-feeds", config.maxFeeds());
        atLeastOne(problems, "pulse.metrics.dashboard.history-windows", config.dashboard().historyWindows());
        atLeastOne(problems, "pulse.metrics.dashboard.ranking-windows", config.dashboard().rankingWindows());
        atLeastOne(problems, "pulse.metrics.dashboard.top-n", config.dashboard().topN());
        if (config.rankingsRefresh().isNegative() || config.rankingsRefresh().isZero()) {
            problems.add("pulse.metrics.rankings-refresh must be positive, not " + config.rankingsRefresh());
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
        if (config.interval().compareTo(DASHBOARD_INTERVAL) > 0) {
            // Not refused: a deployment without the dashboard may want it; the dashboard would reconnect all the time.
            LOG.warnf("pulse.metrics.interval is %s: the dashboard takes a stream silent for 15 s as dead and reconnects",
                    config.interval());
        }
    }

    static void atLeastOne(List<String> problems, String property, long value) {
        if (value < 1) {
            problems.add(property + " must be at least 1, not " + value);
        }
    }
}
