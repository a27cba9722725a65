package io.pulse.dashboard;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpConnection;

/**
 * Test-only: cuts {@code /metrics/stream} and {@code /alerts/stream} server-side. {@link #cut()} closes
 * every open stream connection and refuses new ones with 503 until {@link #restore()}; otherwise it only
 * counts the metrics stream's.
 */
@ApplicationScoped
public class StreamSwitch {

    private final Set<HttpConnection> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final AtomicInteger refusedAlerts = new AtomicInteger();
    private volatile boolean down;

    void register(@Observes Filters filters) {
        filters.register(rc -> {
            String path = rc.request().path();
            if (!path.startsWith("/metrics/stream") && !path.startsWith("/alerts/stream")) {
                rc.next();
            } else if (down) {
                if (path.startsWith("/alerts/stream")) {
                    refusedAlerts.incrementAndGet();
                }
                rc.response().setStatusCode(503).putHeader("Retry-After", "1").end();
            } else {
                HttpConnection connection = rc.request().connection();
                open.add(connection);
                connection.closeHandler(v -> open.remove(connection));
                if (path.startsWith("/metrics/stream")) {
                    accepted.incrementAndGet();
                }
                rc.next();
            }
        }, 100);
    }

    public void cut() {
        down = true;
        open.forEach(HttpConnection::close);
    }

    public void restore() {
        down = false;
    }

    /** Alert stream requests refused so far. */
    public int refusedAlerts() {
        return refusedAlerts.get();
    }

    /** Metrics stream requests let through so far. */
    public int accepted() {
        return accepted.get();
    }
}
