package io.pulse.store;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import org.jboss.logging.Logger;

import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;

/**
 * Whether the application has begun to stop. A database write failing then is the pool closing, not
 * an outage to wait out: the consumer stops retrying and leaves the batch unacknowledged. That loses
 * nothing (the aggregator's offsets commit with its rows, alert ids are deterministic, and the batch
 * is read again on the next start) and the stop no longer waits out SmallRye's close
 * timeout while a retry loop hits "Pool closed".
 */
@ApplicationScoped
public class Stopping {

    private static final Logger LOG = Logger.getLogger(Stopping.class);

    private volatile boolean begun;

    // Before the messaging connectors and the pool are closed.
    void onStop(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        begun = true;
    }

    /** Whether the stop has begun. */
    public boolean begun() {
        return begun;
    }

    /** @return true while failures are worth retrying, that is until the stop begins */
    public boolean notYet(Throwable failure) {
        return !begun;
    }

    /** A batch given up at shutdown: it never completes, so it is never acknowledged, and is read again after the restart. */
    public <T> Uni<T> abandon(String consumer, int records) {
        LOG.infof("Stopping: the %s leaves a batch of %d records to be read again on the next start", consumer, records);
        return Uni.createFrom().nothing();
    }
}
