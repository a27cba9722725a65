package io.pulse.dashboard;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpConnection;
import io.vertx.ext.web.RoutingContext;

/**
 * Test-only: cuts {@code /metrics/stream} and {@code /alerts/stream} server-side. {@link #cut()} closes
 * every open stream connection and refuses new ones with 503 until {@link #restore()}; {@link #mute()}
 * closes them too, then answers the metrics stream with its headers and nothing more, as Pulse does while
 * every snapshot fails (the database away); otherwise it only counts the metrics stream's. {@link #muteAlerts()} does
 * the same to the alert stream, as a connection that died without a word looks to a browser. {@link #refuseWorker()}
 * answers 404 for the dashboard's shared worker. A request to {@code /test-mark/<what>} is noted in {@link #marks()}.
 */
@ApplicationScoped
public class StreamSwitch {

    private final Set<HttpConnection> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger refusedAlerts = new AtomicInteger();
    private final AtomicInteger mutedStreams = new AtomicInteger();
    private final AtomicInteger mutedAlerts = new AtomicInteger();
    private final Set<HttpConnection> silentAlerts = ConcurrentHashMap.newKeySet();
    private final Set<String> marks = ConcurrentHashMap.newKeySet();
    private volatile boolean down;
    private volatile boolean muted;
    private volatile boolean alertsMuted;
    private volatile boolean workerRefused;

    void register(@Observes Filters filters) {
        filters.register(rc -> {
            String path = rc.request().path();
            if (path.startsWith("/test-mark/")) {
                marks.add(path.substring("/test-mark/".length()));
                rc.response().setStatusCode(204).end();
            } else if (workerRefused && path.equals("/dashboard/stream-worker.js")) {
                rc.response().setStatusCode(404).end();
            } else if (!path.startsWith("/metrics/stream") && !path.startsWith("/alerts/stream")) {
                rc.next();
            } else if (down) {
                if (path.startsWith("/alerts/stream")) {
                    refusedAlerts.incrementAndGet();
                }
                rc.response().setStatusCode(503).putHeader("Retry-After", "1").end();
            } else if (muted && path.startsWith("/metrics/stream")) {
                answerSilently(rc, open, mutedStreams);
            } else if (alertsMuted && path.startsWith("/alerts/stream")) {
                answerSilently(rc, silentAlerts, mutedAlerts);
            } else {
                track(rc.request().connection(), open);
                if (path.startsWith("/metrics/stream")) {
                    accepted.incrementAndGet();
                }
                rc.next();
            }
        }, 100);
    }

    /** The stream's headers and a comment, then nothing: as Pulse answers while every snapshot fails, or a dead link. */
    private static void answerSilently(RoutingContext rc, Set<HttpConnection> connections, AtomicInteger count) {
        track(rc.request().connection(), connections);
        count.incrementAndGet();
        rc.response().setChunked(true).putHeader("Content-Type", "text/event-stream").write(": muted\n\n");
    }

    private static void track(HttpConnection connection, Set<HttpConnection> connections) {
        connections.add(connection);
        connection.closeHandler(v -> connections.remove(connection));
    }

    public void cut() {
        down = true;
        open.forEach(HttpConnection::close);
    }

    public void mute() {
        muted = true;
        open.forEach(HttpConnection::close);
    }

    /**
     * Closes the open stream connections, then answers the alert stream with its headers and nothing more until
     * {@link #unmuteAlerts()}: to a browser, a connection that died without a word.
     */
    public void muteAlerts() {
        alertsMuted = true;
        open.forEach(HttpConnection::close);
    }

    /** Alert stream requests are served again; those answered silently stay open and silent. */
    public void unmuteAlerts() {
        alertsMuted = false;
    }

    /** Alert stream requests answered with a silent stream so far. */
    public int mutedAlerts() {
        return mutedAlerts.get();
    }

    /** Answers 404 for the dashboard's shared worker script, as a proxy or an old deployment might. */
    public void refuseWorker() {
        workerRefused = true;
    }

    public void restore() {
        down = false;
        workerRefused = false;
        alertsMuted = false;
        silentAlerts.forEach(HttpConnection::close);
        if (muted) {
            muted = false;
            open.forEach(HttpConnection::close);
        }
    }

    /** Stream connections open now (both streams; from every browser of the test JVM). */
    public int openStreams() {
        return open.size();
    }

    /** Alert stream requests refused so far. */
    public int refusedAlerts() {
        return refusedAlerts.get();
    }

    /** Metrics stream requests answered with a silent stream so far. */
    public int mutedStreams() {
        return mutedStreams.get();
    }

    /** What a page or worker script told the test by requesting {@code /test-mark/<what>}. */
    public Set<String> marks() {
        return marks;
    }

    /** Metrics stream requests let through so far. */
    public int accepted() {
        return accepted.get();
    }
}
