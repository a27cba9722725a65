package io.pulse.aggregate;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.pulse.store.Stopping;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Multi;
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
        this.ticks = Multi.createFrom().ticks().every(config.lostCommitsCheck())
                .onOverflow().drop() // a check still running skips the ticks meanwhile
                .onItem().transformToUniAndConcatenate(tick -> aggregator.recountLost()
                        .onFailure(stopping::notYet).invoke(f -> LOG.warnf("Could not check for lost commits: %s", f.toString()))
                        .onFailure().recoverWithNull())
                .subscribe().with(done -> {
                });
    }

    @PreDestroy
    void stop() {
        ticks.cancel();
    }
}
