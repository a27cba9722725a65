package io.pulse.store;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.pulse.config.SettingsCheck;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;

/**
 * Reads on behalf of a request, bounded in time by PostgreSQL itself ({@code statement_timeout} for the
 * read's own transaction). A read that runs too long (a range of millions of rows, a table locked by
 * maintenance) is cancelled on the server, which frees its connection for the aggregator and the other
 * requests; a timeout on the client side would leave it running. The transaction's three statements
 * (begin and set, the read, commit) are sent at once: one round trip, as a read without a bound takes.
 * Bounded in number too ({@link ReadLimiter}): the rest of the pool stays the aggregator's.
 */
@Startup // its settings are checked as the service starts, not at the first read
@ApplicationScoped
public class BoundedReads {

    private static final Logger LOG = Logger.getLogger(BoundedReads.class);

    /** SQLSTATE query_canceled: statement_timeout, or an operator's pg_cancel_backend. */
    static final String QUERY_CANCELED = "57014";

    private final Pool pool;
    private final Duration timeout;
    private final String setTimeout;
    private final ReadLimiter limiter;
    /** How long past the read timeout a running read is waited for. */
    private static final Duration DEADLINE_MARGIN = Duration.ofSeconds(5);

    public BoundedReads(Pool pool, ReadConfig config,
            @ConfigProperty(name = "quarkus.datasource.reactive.max-size", defaultValue = "20") int poolSize) {
        new SettingsCheck().atLeast("pulse.store.max-concurrent-reads", config.maxConcurrentReads(), 1)
                .atLeast("pulse.store.max-queued-reads", config.maxQueuedReads(), 0).orFail();
        if (config.maxConcurrentReads() >= poolSize) {
            LOG.warnf("pulse.store.max-concurrent-reads (%d) leaves none of the %d pooled connections"
                    + " (quarkus.datasource.reactive.max-size) to the aggregator: slow reads can stall it",
                    config.maxConcurrentReads(), poolSize);
        }
        this.pool = pool;
        this.timeout = config.readTimeout();
        this.setTimeout = "BEGIN; SET LOCAL statement_timeout = " + PostgresTimeout.millis("pulse.store.read-timeout", timeout);
        // PostgreSQL's timeout needs a server that answers: frozen, or cut off without a reset, it never fires,
        // and a request waited as long as the freeze, the queue behind it too. A running read not answered a
        // margin past the timeout fails (its turn is kept until the connection answers or fails, as the
        // connection is still taken); a read that waited two timeouts for its turn is refused as busy.
        Duration maxRun = timeout.isZero() ? null : timeout.plus(DEADLINE_MARGIN);
        this.limiter = new ReadLimiter(config.maxConcurrentReads(), config.maxQueuedReads(),
                timeout.isZero() ? null : timeout.multipliedBy(2), maxRun, () -> new ReadUnansweredException(maxRun));
    }

    /**
     * The read, when its turn comes; a {@link ReadsBusyException} when too many wait already, a
     * {@link ReadUnansweredException} when the database has not answered it 5 s past the read timeout. Its turn
     * waits two read timeouts at most: then it too is a {@link ReadsBusyException}.
     */
    public Uni<RowSet<Row>> execute(String sql, Tuple values) {
        return limiter.run(() -> bounded(sql, values));
    }

    private Uni<RowSet<Row>> bounded(String sql, Tuple values) {
        if (timeout.isZero()) {
            return pool.preparedQuery(sql).execute(values);
        }
        // Pipelined on one connection, run in order. After a failed read the COMMIT ends the transaction as
        // a rollback, so the connection goes back to the pool clean.
        return pool.withConnection(conn -> Uni.combine().all()
                .unis(conn.query(setTimeout).execute(), conn.preparedQuery(sql).execute(values),
                        conn.query("COMMIT").execute())
                .with((set, rows, commit) -> rows))
                .onFailure(BoundedReads::cancelled).transform(f -> new ReadTimedOutException(timeout, f));
    }

    private static boolean cancelled(Throwable failure) {
        return failure instanceof PgException pg && QUERY_CANCELED.equals(pg.getSqlState());
    }
}
