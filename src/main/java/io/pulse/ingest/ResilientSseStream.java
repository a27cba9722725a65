package io.pulse.ingest;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * An endless SSE feed over successive connections. Upstream feeds close connections routinely
 * (Wikimedia every ~15 minutes), so a close is the normal path: reconnect at once (or after the
 * server's {@code retry:}), sending {@code Last-Event-ID}. Errors back off exponentially with
 * jitter, never sooner than the server's {@code Retry-After}; the first message received resets it.
 */
public class ResilientSseStream {

    private static final Logger LOG = Logger.getLogger(ResilientSseStream.class);

    /**
     * Where to resume when the server refuses a {@code Last-Event-ID} for good (400 or 404: an id of
     * topics the feed no longer serves, or one it cannot read); null to keep asking with it.
     */
    @FunctionalInterface
    public interface RefusedResume {
        URI resumeWithout(URI url, String refusedId);
    }

    private final SseConnector connector;
    private final URI url;
    private final SseSettings settings;
    private final RefusedResume refusedResume;
    private volatile URI resumeUrl; // set: the next connections go there, without Last-Event-ID, until an id arrives
    private final AtomicLong reconnects = new AtomicLong();
    private volatile String lastEventId;
    private volatile String sessionResumedAfter; // the Last-Event-ID the current connection was opened with
    private volatile long serverRetryMs = -1;
    static final long MAX_SERVER_RETRY_MS = Duration.ofMinutes(5).toMillis();
    private volatile int failuresInARow;
    private volatile boolean connected;

    public ResilientSseStream(SseConnector connector, URI url, SseSettings settings) {
        this(connector, url, settings, (u, id) -> null);
    }

    public ResilientSseStream(SseConnector connector, URI url, SseSettings settings, RefusedResume refusedResume) {
        this.connector = connector;
        this.url = url;
        this.settings = settings;
        this.refusedResume = refusedResume;
    }

    /**
     * Events with data, forever, resuming after {@code resumeFrom} (null: from now), in the lists
     * they arrived in (one per read, never empty).
     */
    public Multi<List<SseEvent>> events(String resumeFrom) {
        lastEventId = resumeFrom;
        resumeUrl = null;
        return Multi.createFrom().deferred(() -> {
                    if (resumeUrl == null && lastEventId != null && !SseDecoder.sendable(lastEventId)) {
                        unsendable(lastEventId);
                    }
                    sessionResumedAfter = resumeUrl != null ? null : lastEventId;
                    return resumeUrl != null ? connector.open(resumeUrl, null) : connector.open(url, lastEventId);
                })
                .onItem().invoke(this::onRead) // the first, empty, as soon as the stream is open
                .onFailure().invoke(this::onDisconnect)
                .onFailure().retry().when(failures -> failures
                        .onItem().transformToUniAndConcatenate(f -> after(nextDelay(f), f)))
                .onItem().transform(ResilientSseStream::withData)
                .select().where(events -> !events.isEmpty());
    }

    public String lastEventId() {
        return lastEventId;
    }

    public long reconnects() {
        return reconnects.get();
    }

    public boolean connected() {
        return connected;
    }

    /** Drops retry-only events (no data); copies only in that rare case. */
    private static List<SseEvent> withData(List<SseEvent> events) {
        for (SseEvent event : events) {
            if (event.data() == null) {
                return events.stream().filter(e -> e.data() != null).toList();
            }
        }
        return events;
    }

    private void onRead(List<SseEvent> events) {
        connected = true;
        events.forEach(this::onEvent);
    }

    /**
     * Only a new message resets the back-off: a server that accepts and closes at once is still failing, and
     * so is one that sends an {@code error} event and closes (Wikimedia's EventStreams does, when it cannot
     * read its own Kafka): reconnecting at once to that made hundreds of connections a second. So is one
     * that re-sends only the event the session resumed after (a resume by timestamp starts with it) and
     * closes: each session "delivered" a message, and came back at once, forever.
     */
    private void onEvent(SseEvent event) {
        // A block without data is no event (WHATWG), whatever it names itself: only its id and retry count.
        boolean message = event.data() != null && (event.name() == null || "message".equals(event.name()));
        if (message && (event.id() == null || !event.id().equals(sessionResumedAfter))) {
            failuresInARow = 0;
        } else if (event.data() != null && "error".equals(event.name())) {
            LOG.warnf("SSE stream %s sent an error: %s", url, SseConnector.abbreviate(event.data()));
            // The close that follows is a failure, not the routine one after a healthy session.
            failuresInARow = Math.max(failuresInARow, 1);
        }
        if (event.id() != null) {
            lastEventId = event.id();
            resumeUrl = null;
        }
        if (event.retryMs() >= 0) {
            // Honoured as a floor, within reason: a feed asking for hours would silence the ingest for them.
            serverRetryMs = Math.min(event.retryMs(), MAX_SERVER_RETRY_MS);
        }
    }

    private void onDisconnect(Throwable failure) {
        connected = false;
        reconnects.incrementAndGet();
        String refused = lastEventId;
        // 431: the id too long for the server's header limit.
        if (failure instanceof SseHttpException http && (http.status() == 400 || http.status() == 404 || http.status() == 431)
                && refused != null && resumeUrl == null) {
            // Asking again with the same id gets the same answer, forever.
            URI without = refusedResume.resumeWithout(url, refused);
            if (without != null) {
                LOG.errorf("SSE stream %s refused to resume after %s (HTTP %d): resuming from %s instead", url, refused,
                        http.status(), without);
                resumeUrl = without;
            }
        }
        if (failure instanceof StreamInterruptedException) {
            LOG.infof("SSE stream %s interrupted (%s); resuming after %s", url, failure.getMessage(), lastEventId);
        } else {
            LOG.warnf("SSE stream %s failed: %s; resuming after %s", url, failure.toString(), lastEventId);
        }
    }

    /**
     * A position the HTTP client cannot send (a control character, too long): saved by an earlier version, whose
     * decoder took such ids, it failed every connection before it reached the server, restarts included.
     */
    private void unsendable(String id) {
        URI without = refusedResume.resumeWithout(url, id);
        resumeUrl = without != null ? without : url;
        LOG.errorf("SSE stream %s: the resume position %s cannot be sent as Last-Event-ID; resuming from %s instead%s", url,
                SseConnector.abbreviate(id), resumeUrl, without != null ? "" : " (now: the events since it may be missing)");
    }

    /**
     * The retry trigger. It must carry a non-null item: Mutiny drops null items, so a void Uni would
     * never trigger the retry. And Mutiny refuses to delay by zero, nextDelay's "reconnect at once".
     */
    private static Uni<Throwable> after(Duration delay, Throwable failure) {
        Uni<Throwable> trigger = Uni.createFrom().item(failure);
        return delay.isZero() || delay.isNegative() ? trigger : trigger.onItem().delayIt().by(delay);
    }

    Duration nextDelay(Throwable failure) {
        int attempt = failuresInARow++;
        long base = Math.max(settings.initialBackoff().toMillis(), serverRetryMs);
        if (attempt == 0 && failure instanceof StreamInterruptedException) {
            // Routine close after a healthy session: come back after the server's retry (or at once).
            return Duration.ofMillis(Math.max(serverRetryMs, 0));
        }
        long exponential = base << Math.min(attempt, 20);
        long capped = Math.min(settings.maxBackoff().toMillis(), exponential);
        double spread = 1 + settings.jitter() * (2 * ThreadLocalRandom.current().nextDouble() - 1);
        // Never sooner than the server asked, whatever the jitter or the cap.
        long delay = Math.max(Math.round(capped * spread), serverRetryMs);
        if (failure instanceof SseHttpException http && http.retryAfter() != null) {
            delay = Math.max(delay, Math.min(http.retryAfter().getSeconds(), SseConnector.MAX_RETRY_AFTER.toSeconds()) * 1000);
        }
        return Duration.ofMillis(delay);
    }
}
