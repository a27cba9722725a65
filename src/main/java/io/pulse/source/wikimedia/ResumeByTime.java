package io.pulse.source.wikimedia;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;

import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pulse.ingest.ResilientSseStream;

/**
 * When EventStreams refuses a stored {@code Last-Event-ID} for good (404: it names topics the stream no
 * longer serves, after Wikimedia moved it; 400: it cannot read it), the feed resumes by time instead:
 * {@code ?since=} the oldest timestamp in the id, which EventStreams reads only without an id. Its ids
 * are JSON arrays of {@code {topic, partition, timestamp}} (milliseconds); the events sent twice are
 * dropped by the ingest's de-duplication on {@code meta.id}. Asking again with the refused id, the
 * ingest stayed stuck until someone edited the stored checkpoint by hand. An id without a timestamp
 * resumes from now, and says that events may be missing.
 */
final class ResumeByTime implements ResilientSseStream.RefusedResume {

    private static final Logger LOG = Logger.getLogger(ResumeByTime.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * What a resume by time may send again: ~30,000 events of the live feed (50 a second at its busiest hours),
     * within the 50,000 ids the de-duplication holds ({@code dedup-capacity}). An hour, as before, was 100,000-180,000
     * events: those past the ids held were published, and counted, twice.
     */
    static final Duration STALE = Duration.ofMinutes(10);

    @Override
    public URI resumeWithout(URI url, String refusedId) {
        long oldest = oldestTimestamp(refusedId);
        if (oldest == Long.MIN_VALUE) {
            LOG.errorf("The refused resume position %s holds no timestamp: resuming %s from now; the events since the"
                    + " last checkpoint may be missing", refusedId, url);
            return url;
        }
        // A since= of the configured URL (a backfill on the first start) is replaced: EventStreams takes one.
        String query = url.getRawQuery() == null ? "" : Arrays.stream(url.getRawQuery().split("&"))
                .filter(p -> !p.equals("since") && !p.startsWith("since=")).map(p -> p + "&").collect(Collectors.joining());
        String base = url.toString();
        int hash = base.indexOf('#'); // a fragment ends the URL: a query after it would be no query
        String fragment = hash < 0 ? "" : base.substring(hash);
        base = hash < 0 ? base : base.substring(0, hash);
        int at = base.indexOf('?');
        return URI.create((at < 0 ? base : base.substring(0, at)) + "?" + query + "since=" + oldest + fragment);
    }

    /**
     * The oldest {@code timestamp} of the id's entries within {@link #STALE} of the newest; Long.MIN_VALUE
     * when there is none. An entry of a partition that delivers nothing keeps the time it was assigned
     * (the other datacentre's topic after a switchover, weeks ago): resuming from it would replay the
     * whole retention, most of it published again (the de-duplication holds the recent ids only). Entries more than
     * {@link #STALE} older are taken for idle ones: should one be live (a switchover minutes ago), what it delivered
     * between its time and the oldest kept may be missing, which the log says.
     */
    static long oldestTimestamp(String id) {
        List<Long> timestamps = new ArrayList<>();
        try {
            for (JsonNode position : JSON.readTree(id)) {
                JsonNode timestamp = position.path("timestamp");
                if (timestamp.isIntegralNumber() && timestamp.asLong() > 0) {
                    timestamps.add(timestamp.asLong());
                }
            }
        } catch (Exception unreadable) { // not JSON: no timestamp
            return Long.MIN_VALUE;
        }
        if (timestamps.isEmpty()) {
            return Long.MIN_VALUE;
        }
        long newest = Collections.max(timestamps);
        long oldest = timestamps.stream().mapToLong(Long::longValue).filter(t -> t >= newest - STALE.toMillis()).min()
                .orElse(newest);
        if (timestamps.stream().anyMatch(t -> t < oldest)) {
            LOG.warnf("Resume position %s: entries more than %s older than the newest are taken for idle partitions"
                    + " and passed over", id, STALE);
        }
        return oldest;
    }
}
