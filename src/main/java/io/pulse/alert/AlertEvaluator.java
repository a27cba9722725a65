package io.pulse.alert;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import io.pulse.source.wikimedia.RecentChange;

/**
 * Evaluates the per-change rules (watched user, page spike, mass blanking) on one partition's changes,
 * in order. Remembers the ids it raised, so a burst inside one cool-down period is one alert even before
 * the database's de-duplication. Pure and single-threaded: one instance per consumer.
 */
public final class AlertEvaluator {

    private final PageSpikeDetector spikes;
    private final Map<String, Boolean> raised;

    public AlertEvaluator(long windowMs, int maxPages, int rememberedAlerts) {
        this.spikes = new PageSpikeDetector(windowMs, maxPages);
        this.raised = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                return size() > rememberedAlerts;
            }
        };
    }

    public List<Alert> evaluate(RecentChange c, RuleSet rules) {
        List<Alert> out = new ArrayList<>(1);
        WatchedUserRule watched = rules.watchedUser();
        if (watched.matches(c)) {
            add(out, Alert.raise(watched, c.user(), c.eventTimeMs(), c.wiki(), c.title(), c.user(),
                    "Watched user " + c.user() + " changed " + c.title() + " on " + c.wiki(),
                    Map.of("type", c.type(), "byteDelta", c.byteDelta(), "eventId", c.eventId())));
        }
        PageSpikeRule spike = rules.pageSpike();
        // Counted while the rule is off too: switched on at run time, it judges against real baselines.
        var seen = spikes.add(c.partitionKey(), c.eventTimeMs(), spike.baselineWindows());
        if (seen != null && spike.isSpike(seen.changes(), seen.baseline())) {
            add(out, Alert.raise(spike, c.partitionKey(), seen.windowStartMs(), c.wiki(), c.title(), null,
                    seen.changes() + " changes to " + c.title() + " on " + c.wiki() + " in one window",
                    spikeDetails(seen)));
        }
        MassBlankingRule blanking = rules.massBlanking();
        Long oldLength = c.oldLength();
        if ("edit".equals(c.type()) && blanking.isBlanking(c.bytesRemoved(), oldLength)) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("bytesRemoved", c.bytesRemoved());
            details.put("eventId", c.eventId());
            if (oldLength != null && oldLength > 0) {
                details.put("oldLength", oldLength);
                details.put("percentRemoved", Math.round(c.bytesRemoved() * 1000.0 / oldLength) / 10.0);
            }
            add(out, Alert.raise(blanking, c.partitionKey(), c.eventTimeMs(), c.wiki(), c.title(), c.user(),
                    c.user() + " removed " + c.bytesRemoved() + " bytes from " + c.title() + " on " + c.wiki(), details));
        }
        return out;
    }

    private static Map<String, Object> spikeDetails(PageSpikeDetector.Observation seen) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("changes", seen.changes());
        if (!Double.isNaN(seen.baseline())) { // none known yet (a rule with factor 0 judges without one)
            details.put("baseline", seen.baseline());
        }
        details.put("windowStart", java.time.Instant.ofEpochMilli(seen.windowStartMs()).toString());
        return details;
    }

    /** The pages' counts before the first change it evaluates could not be read ({@link PageSpikeDetector#historyUnknown(long)}). */
    public void historyUnknown(long countedUpToMs) {
        spikes.historyUnknown(countedUpToMs);
    }

    /** How the stored counts were seeded ({@link PageSpikeDetector#seededAs}). */
    public void seededAs(int partition, int numPartitions, long newestSeededMs) {
        spikes.seededAs(partition, numPartitions, newestSeededMs);
    }

    /** Rebuilds the spike rule's counts of one page and window from the stored aggregates ({@link WarmUp}). */
    public void seed(String page, long windowStartMs, long changes, int baselineWindows) {
        spikes.seed(page, windowStartMs, changes, baselineWindows);
    }

    private void add(List<Alert> out, Alert alert) {
        if (raised.put(alert.id(), Boolean.TRUE) == null) {
            out.add(alert);
        }
    }
}
