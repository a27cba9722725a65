package io.pulse.dashboard;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.http.HttpConnection;

/**
 * Test-only: cuts {@code /metrics/stream} server-side. {@link #cut()} closes every open stream
 * connection and refuses new ones with 503 until {@link #restore()}; otherwise it only counts them.
 */
@ApplicationScoped
public class StreamSwitch {

    private final Set<HttpConnection> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private volatile boolean down;

    void register(@Observes Filters filters) {
        filters.register(rc -> {
            if (!rc.request().path().startsWith("/metrics/stream")) {
                rc.next();
            } else if (down) {
                rc.response().setStatusCode(503).putHeader("Retry-After", "1").end();
            } else {
                HttpConnection connection = rc.request().connection();
                open.add(connection);
                connection.closeHandler(v -> open.remove(connection));
                accepted.incrementAndGet();
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

    /** Stream requests let through so far. */
    public int accepted() {
        return accepted.get();
    }
}
