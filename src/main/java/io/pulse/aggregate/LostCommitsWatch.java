package io.pulse.aggregate;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.pulse.schedule.FailureRun;
import io.pulse.schedule.Periodic;
import io.pulse.store.Stopping;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * Every {@code pulse.aggregate.lost-commits-check}, has the aggregator count again what PostgreSQL lost of
 * partitions no batch comes for ({@link RecentChangeAggregator#recountLost()}). One check at a time; a check
 * that fails (the database away) is tried at the next tick.
 */
@Startup
@ApplicationScoped
public class LostCommitsWatch {

    private static final Logger LOG = Logger.getLogger(LostCommitsWatch.class);

    private final Cancellable ticks;

    public LostCommitsWatch(RecentChangeAggregator aggregator, AggregateConfig config, Stopping stopping) {
        AggregateSettings.check(config);
        FailureRun failures = new FailureRun(LOG, "check for lost commits").quietOnce(stopping::begun);
        this.ticks = Periodic.every(config.lostCommitsCheck(), () -> aggregator.recountLost().invoke(failures::succeeded),
                failures::failed);
    }

    @PreDestroy
    void stop() {
        ticks.cancel();
    }
}
