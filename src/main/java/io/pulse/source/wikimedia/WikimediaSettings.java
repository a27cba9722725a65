package io.pulse.source.wikimedia;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import io.pulse.config.SettingsCheck;
import io.quarkus.runtime.Startup;

/**
 * Checks {@code pulse.wikimedia.*} at start. Unchecked, a bad value failed later and unsaid: a commit or checkpoint
 * interval of 0, or no reads in flight, failed the elected leader's start inside the election's rebalance, so no
 * replica read the feed; a back-off of 0 or a jitter above 1 reconnected in a tight loop; a URL without http(s)
 * failed every connection; a type filter with a typo dropped every event as filtered; an event limit near
 * {@code Integer.MAX_VALUE} overflowed and no event was ever read. The parser's limits are checked also where the
 * feed is not read: the aggregator parses with them.
 */
@Startup
@ApplicationScoped
public class WikimediaSettings {

    /** The feed's event types ({@code type} of recentchange). */
    static final Set<String> TYPES = Set.of("edit", "new", "log", "categorize", "external");
    /** Wikimedia's events are a few KB; past this, one event's buffers are a memory risk, not a limit. */
    static final int MAX_EVENT_BYTES = 64 * 1024 * 1024;

    public WikimediaSettings(WikimediaConfig config) {
        check(config);
    }

    static void check(WikimediaConfig config) {
        SettingsCheck check = new SettingsCheck()
                .between("pulse.wikimedia.limits.max-event-bytes", config.limits().maxEventBytes(), 1, MAX_EVENT_BYTES)
                .atLeast("pulse.wikimedia.limits.max-future-skew", config.limits().maxFutureSkew(), Duration.ZERO);
        if (config.enabled()) {
            URI url = config.url();
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
            WikimediaConfig.Connection connection = config.connection();
            WikimediaConfig.Ingest ingest = config.ingest();
            Duration ms = Duration.ofMillis(1);
            List<String> unknownTypes = unknownTypes(config);
            check.require((scheme.equals("http") || scheme.equals("https")) && url.getHost() != null,
                            "pulse.wikimedia.url must be an http or https URL with a host, not " + url)
                    .require(!config.userAgent().isBlank(), "pulse.wikimedia.user-agent must not be blank")
                    .require(unknownTypes.isEmpty(), "pulse.wikimedia.filter.types: unknown types "
                            + unknownTypes + " (the feed's are " + TYPES.stream().sorted().toList() + ")")
                    .atLeast("pulse.wikimedia.connection.connect-timeout", connection.connectTimeout(), ms)
                    .atLeast("pulse.wikimedia.connection.idle-timeout", connection.idleTimeout(), ms)
                    .atLeast("pulse.wikimedia.connection.initial-backoff", connection.initialBackoff(), ms)
                    .atLeast("pulse.wikimedia.connection.max-backoff", connection.maxBackoff(), connection.initialBackoff())
                    .require(connection.jitter() >= 0 && connection.jitter() <= 1,
                            "pulse.wikimedia.connection.jitter must be 0 to 1 (a share of each delay), not " + connection.jitter())
                    .atLeast("pulse.wikimedia.ingest.max-in-flight", ingest.maxInFlight(), 1)
                    .atLeast("pulse.wikimedia.ingest.max-unsettled", ingest.maxUnsettled(), 1)
                    .atLeast("pulse.wikimedia.ingest.max-unsaved", ingest.maxUnsaved(), 1)
                    .atLeast("pulse.wikimedia.ingest.dedup-capacity", ingest.dedupCapacity(), 1) // 0 re-counted resumes' repeats
                    .atLeast("pulse.wikimedia.ingest.resume-margin", ingest.resumeMargin(), 0)
                    .atLeast("pulse.wikimedia.ingest.stalled-after", ingest.stalledAfter(), Duration.ZERO)
                    .atLeast("pulse.wikimedia.ingest.read-back-timeout", ingest.readBackTimeout(), ms)
                    .atLeast("pulse.wikimedia.ingest.checkpoint-interval", ingest.checkpointInterval(), ms)
                    .atLeast("pulse.wikimedia.ingest.commit-interval", ingest.commitInterval(), ms);
        }
        check.orFail();
    }

    private static List<String> unknownTypes(WikimediaConfig config) {
        // Trimmed, empty ones dropped, as the filter reads them.
        return config.filter().types().orElse(List.of()).stream().map(String::trim)
                .filter(type -> !type.isEmpty() && !TYPES.contains(type)).toList();
    }
}
