package io.pulse.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.pulse.testkit.PulseInfra;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;

/**
 * A store snapshot that comes after the partition assignment stopped waiting for it (the pool busy,
 * the database slow) must still give its connection back: it used to keep it, and its open
 * transaction, for good. Here the pool has one connection, held while the snapshot is asked for.
 */
class StoreSnapshotTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.closeAndAwait();
    }

    @Test
    void shouldCloseASnapshotThatComesAfterTheWaitGaveUp() {
        Pool pool = poolOfOne();
        SqlConnection busy = pool.getConnection().await().atMost(Duration.ofSeconds(30));

        assertThatThrownBy(() -> StoreSnapshot.await(StoreSnapshot.open(pool), Duration.ofMillis(200)))
                .isInstanceOf(io.smallrye.mutiny.TimeoutException.class);
        busy.close().await().atMost(Duration.ofSeconds(30)); // the snapshot gets the connection now, unwanted

        // Back in the pool once the late snapshot is closed; else this waits for a connection that never comes.
        SqlConnection again = pool.getConnection().await().atMost(Duration.ofSeconds(20));
        again.close().await().atMost(Duration.ofSeconds(30));
        pool.close().await().atMost(Duration.ofSeconds(30));
    }

    private Pool poolOfOne() {
        PulseInfra infra = PulseInfra.get();
        PgConnectOptions options = PgConnectOptions.fromUri(infra.reactiveUrl()).setUser(infra.postgres().username());
        return PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(options).using(vertx).build();
    }

    /**
     * A warm-up that fails while it reads the page counts (here its visitor) must not leave its prepared
     * statement on the pooled connection: it did, one more on the server for each failed warm-up.
     */
    @Test
    void shouldClosePageCountStatementWhenTheReadFails() {
        Pool pool = poolOfOne();
        SqlConnection conn = pool.getConnection().await().atMost(Duration.ofSeconds(30));
        // A temporary table comes first in the search path: the statement reads it, not the schema's.
        conn.query("CREATE TEMP TABLE page_edit_counts (wiki text, title text, window_start timestamptz, changes bigint)")
                .execute().await().atMost(Duration.ofSeconds(30));
        conn.query("INSERT INTO page_edit_counts VALUES ('enwiki', 'Page', now(), 3)").execute()
                .await().atMost(Duration.ofSeconds(30));
        var tx = conn.begin().await().atMost(Duration.ofSeconds(30));

        assertThatThrownBy(() -> PageCountHistory.forEachSince(conn, Instant.EPOCH, (page, windowStartMs, changes) -> {
            throw new IllegalStateException("visitor failed");
        }).await().atMost(Duration.ofSeconds(30))).hasMessage("visitor failed");

        tx.rollback().await().atMost(Duration.ofSeconds(30));
        long prepared = conn.query("SELECT count(*) FROM pg_prepared_statements").execute()
                .await().atMost(Duration.ofSeconds(30)).iterator().next().getLong(0);
        assertThat(prepared).isZero();
        conn.close().await().atMost(Duration.ofSeconds(30));
        pool.close().await().atMost(Duration.ofSeconds(30));
    }
}
