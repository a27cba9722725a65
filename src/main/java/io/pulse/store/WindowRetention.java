package io.pulse.store;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pulse.schedule.FailureRun;
import io.pulse.schedule.Periodic;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Deletes the aggregate windows, and the alerts about them, older than {@code pulse.retention.windows}, every
 * {@code pulse.retention.interval}, a batch of rows per statement so that no table is locked for long and the write-ahead log grows by a batch
 * at a time. Every replica runs it: deleting what another replica deleted first finds nothing. A late event
 * for a deleted window writes its row again; the next run deletes it.
 */
@Startup
@ApplicationScoped
public class WindowRetention {

    private static final Logger LOG = Logger.getLogger(WindowRetention.class);

    /** Every table keyed by window_start (its leading key column: the old rows are one range of it). */
    static final List<String> TABLES = List.of("wiki_edit_counts", "type_edit_counts", "namespace_edit_counts",
            "user_edit_counts", "page_edit_counts");
    /**
     * The alerts, by the event time they are about (indexed): kept for good, the table grew as the aggregates did,
     * and /api/alerts for a rare wiki walked ever more rows back until it ran into the read timeout.
     */
    static final String ALERTS = "alerts";

    static final Duration MINIMUM = Duration.ofDays(1);

    private final Pool pool;
    private final RetentionConfig config;
    private final Counter deleted;
    private final Cancellable ticks;

    public WindowRetention(Pool pool, RetentionConfig config, MeterRegistry registry, Stopping stopping) {
        this.pool = pool;
        this.config = config;
        this.deleted = Counter.builder("pulse.retention.deleted.rows")
                .description("Aggregate and alert rows deleted for being older than pulse.retention.windows")
                .register(registry);
        Duration keep = config.windows();
        if (keep.isNegative() || !keep.isZero() && keep.compareTo(MINIMUM) < 0 || config.batchRows() < 1
                || config.interval().isNegative() || config.interval().isZero()) {
            throw new IllegalArgumentException("pulse.retention.windows must be 0 (keep every window) or at least 1d,"
                    + " pulse.retention.interval positive and pulse.retention.batch-rows at least 1; not "
                    + keep + ", " + config.interval() + " and " + config.batchRows());
        }
        FailureRun failures = new FailureRun(LOG, "delete old windows").quietOnce(stopping::begun);
        this.ticks = keep.isZero() ? null
                : Periodic.every(config.interval(), () -> deleteOlderThan(keep).invoke(failures::succeeded), failures::failed);
    }

    /**
     * Deletes the windows older than {@code keep} by the database's clock: one clock for every replica (one
     * running days ahead would delete recent windows for all), read once, so every table has the same cutoff.
     */
    Uni<Long> deleteOlderThan(Duration keep) {
        return pool.preparedQuery("SELECT now() - $1::bigint * interval '1 millisecond'").execute(Tuple.of(keep.toMillis()))
                .map(rows -> rows.iterator().next().getOffsetDateTime(0).toInstant())
                .chain(this::deleteBefore);
    }

    /** Deletes the windows that start before {@code cutoff} in every table; the rows deleted. */
    public Uni<Long> deleteBefore(Instant cutoff) {
        List<Map.Entry<String, String>> tables = new ArrayList<>();
        TABLES.forEach(table -> tables.add(Map.entry(table, "window_start")));
        tables.add(Map.entry(ALERTS, "event_time"));
        return Multi.createFrom().iterable(tables)
                .onItem().transformToUniAndConcatenate(table -> deleteBefore(table.getKey(), table.getValue(), cutoff))
                .collect().with(Collectors.summingLong(Long::longValue))
                .invoke(rows -> {
                    if (rows > 0) {
                        LOG.infof("Deleted %d aggregate and alert rows of windows before %s (pulse.retention.windows=%s)",
                                rows, cutoff, config.windows());
                    }
                });
    }

    /** Batch after batch until one comes back short: repeated, not recursive (a chain per batch overflowed the stack). */
    private Uni<Long> deleteBefore(String table, String timeColumn, Instant cutoff) {
        String sql = "DELETE FROM " + table + " WHERE ctid = ANY (ARRAY(SELECT ctid FROM " + table
                + " WHERE " + timeColumn + " < $1 LIMIT $2))";
        Tuple values = Tuple.of(AggregateStore.time(cutoff.toEpochMilli()), config.batchRows());
        return Multi.createBy().repeating()
                .uni(() -> pool.preparedQuery(sql).execute(values).map(result -> (long) result.rowCount()))
                .whilst(rows -> rows == config.batchRows())
                .invoke(rows -> deleted.increment(rows))
                .collect().with(Collectors.summingLong(Long::longValue));
    }

    @PreDestroy
    void stop() {
        if (ticks != null) {
            ticks.cancel();
        }
    }
}
