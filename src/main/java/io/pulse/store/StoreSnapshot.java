package io.pulse.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.pulse.aggregate.PartitionProgress;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Transaction;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The store as of one moment, for newly assigned partitions: where their aggregates stand and the page
 * counts the alert rules rebuild their baselines from, read in one read-only REPEATABLE READ transaction.
 * Read apart, a batch the partitions' previous owner commits between the two reads would be both in the
 * rebuilt baselines and delivered again from the offsets read before it: counted twice by the spike rule,
 * a false spike. Holds one connection until {@link #close() closed}; read-only, it takes no locks the
 * aggregator's upserts wait for.
 */
public final class StoreSnapshot {

    // The snapshot is taken by the first query after this, the offsets' read.
    private static final String REPEATABLE_READ = "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";

    private final SqlConnection conn;
    private final Transaction tx;

    private StoreSnapshot(SqlConnection conn, Transaction tx) {
        this.conn = conn;
        this.tx = tx;
    }

    /**
     * Waits for a snapshot being opened, on a thread that may block (the Kafka polling thread). Should it
     * come after the wait gave up (the pool busy, the database slow), it is closed then: else its
     * connection, and a transaction that holds back vacuum, would never be given back.
     *
     * @throws io.smallrye.mutiny.TimeoutException when it did not come in time
     */
    static StoreSnapshot await(Uni<StoreSnapshot> opening, Duration patience) {
        CompletableFuture<StoreSnapshot> opened = opening.subscribeAsCompletionStage();
        try {
            return opened.get(patience.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            closeWhenOpened(opened);
            throw new io.smallrye.mutiny.TimeoutException();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e.getCause() instanceof RuntimeException failure ? failure : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closeWhenOpened(opened);
            throw new IllegalStateException("interrupted while opening a store snapshot", e);
        }
    }

    private static void closeWhenOpened(CompletableFuture<StoreSnapshot> opening) {
        // A failed close leaves the connection to the pool, which drops it.
        opening.thenAccept(late -> late.close().subscribe().with(closed -> {
        }, failure -> {
        }));
    }

    static Uni<StoreSnapshot> open(Pool pool) {
        return pool.getConnection().chain(conn -> conn.begin()
                .call(() -> conn.query(REPEATABLE_READ).execute())
                .map(tx -> new StoreSnapshot(conn, tx))
                .onFailure().call(conn::close));
    }

    /** Where the aggregates stand per partition, for seeking on assignment; partitions never seen are absent. */
    public Uni<Map<Integer, PartitionProgress>> progress(String group, String topic, Collection<Integer> partitions) {
        return conn.preparedQuery(UpsertStatements.READ_OFFSETS)
                .execute(Tuple.of(group, topic, partitions.toArray(Integer[]::new)))
                .map(rows -> {
                    Map<Integer, PartitionProgress> progress = new HashMap<>();
                    rows.forEach(row -> progress.put(row.getInteger(0), AggregateStore.progressOf(row)));
                    return progress;
                });
    }

    /** Visits every page count of the windows starting at or after {@code from}; the item is the number of rows. */
    public Uni<Long> pageCountsSince(Instant from, PageCountHistory.Visitor visitor) {
        return PageCountHistory.forEachSince(conn, from, visitor);
    }

    /** Ends the transaction (it wrote nothing) and gives the connection back, also after a failed read. */
    public Uni<Void> close() {
        return tx.rollback().onFailure().recoverWithNull().eventually(conn::close);
    }
}
