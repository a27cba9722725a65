package io.pulse.source.wikimedia;

import java.net.URI;

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

    @Override
    public URI resumeWithout(URI url, String refusedId) {
        long oldest = oldestTimestamp(refusedId);
        if (oldest == Long.MIN_VALUE) {
            LOG.errorf("The refused resume position %s holds no timestamp: resuming %s from now; the events since the"
                    + " last checkpoint may be missing", refusedId, url);
            return url;
        }
        return URI.create(url + (url.getRawQuery() == null ? "?" : "&") + "since=" + oldest);
    }

    /** The oldest {@code timestamp} of the id's entries; Long.MIN_VALUE when there is none. */
    static long oldestTimestamp(String id) {
        long oldest = Long.MAX_VALUE;
        try {
            for (JsonNode position : JSON.readTree(id)) {
                JsonNode timestamp = position.path("timestamp");
                if (timestamp.isIntegralNumber() && timestamp.asLong() > 0) {
                    oldest = Math.min(oldest, timestamp.asLong());
                }
            }
        } catch (Exception unreadable) { // not JSON: no timestamp
            return Long.MIN_VALUE;
        }
        return oldest == Long.MAX_VALUE ? Long.MIN_VALUE : oldest;
    }
}
