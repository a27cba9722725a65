package io.pulse.schedule;

import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * Work run every interval for as long as the service runs: the alert checks, the lost-commits recount, the ingest
 * checkpoint, retention. One run at a time: the ticks that come while a run goes are dropped, not queued behind it.
 * No run ends the ticks: one that throws, fails or outlives its deadline is handed to {@code failed}, and the next
 * tick runs again. Written on Mutiny's ticks rather than with quarkus-scheduler: its simple scheduler fires at
 * one-second granularity (tests check every 500 ms), has no deadline for a run, and adds an extension to a start
 * we keep short.
 */
public final class Periodic {

    private Periodic() {
    }

    /** Runs {@code work} every {@code interval}, with no deadline: for work that must not overlap its own last run. */
    public static Cancellable every(Duration interval, Supplier<? extends Uni<?>> work, Consumer<Throwable> failed) {
        return every(interval, null, work, failed);
    }

    /**
     * Runs {@code work} every {@code interval}, each run given up after {@code deadline} (none when null). A run given
     * up still runs on wherever it waits (a statement in the database) while the next tick starts another.
     */
    public static Cancellable every(Duration interval, Duration deadline, Supplier<? extends Uni<?>> work,
            Consumer<Throwable> failed) {
        return Multi.createFrom().ticks().every(interval)
                .onOverflow().drop()
                .onItem().transformToUniAndConcatenate(tick -> run(work, deadline)
                        .onFailure().invoke(failed)
                        .onFailure().recoverWithNull())
                .subscribe().with(ignored -> {
                });
    }

    // Deferred: work that threw, rather than returning a failed Uni, failed the ticks themselves, whose subscriber
    // had no failure handler (Mutiny's "missing onFailure handler"), and nothing ran again until a restart.
    private static Uni<?> run(Supplier<? extends Uni<?>> work, Duration deadline) {
        Uni<Object> run = Uni.createFrom().deferred(work::get);
        return deadline == null ? run : run.ifNoItem().after(deadline).fail();
    }
}
