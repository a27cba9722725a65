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
    /** Only the first failure of a run is a WARN: a database away for an hour is said once, not every tick. */
    private boolean failing;

    public LostCommitsWatch(RecentChangeAggregator aggregator, AggregateConfig config, Stopping stopping) {
        AggregateSettings.check(config);
        this.ticks = Multi.createFrom().ticks().every(config.lostCommitsCheck())
                .onOverflow().drop() // a check still running skips the ticks meanwhile
                .onItem().transformToUniAndConcatenate(tick -> aggregator.recountLost()
                        .invoke(() -> {
                            if (failing) {
                                failing = false;
                                LOG.info("Checking for lost commits again");
                            }
                        })
                        .onFailure(stopping::notYet).invoke(this::failed)
                        .onFailure().recoverWithNull())
                .subscribe().with(done -> {
                });
    }

    private void failed(Throwable failure) {
        if (failing) {
            LOG.debugf("Could not check for lost commits: %s", failure.toString());
        } else {
            failing = true;
            LOG.warnf("Could not check for lost commits: %s; trying again at each check", failure.toString());
        }
    }

    @PreDestroy
    void stop() {
        ticks.cancel();
    }
}
