package io.pulse.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.pulse.testkit.Ports;
import io.pulse.testkit.PulseInfra;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.pgclient.PgBuilder;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.PoolOptions;

/**
 * What a request meets when PostgreSQL is away (refused, its backend ended by a shutdown) is told apart
 * from a bug or a slow read, from failures a real client raises: the API answers the first 503, not 500.
 */
class DatabaseUnreachableTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.closeAndAwait();
    }

    @Test
    void shouldTellARefusedConnection() {
        PgConnectOptions nobody = new PgConnectOptions().setHost("127.0.0.1").setPort(Ports.preferredOrFree(0))
                .setDatabase("pulse").setUser("pulse");
        assertThat(DatabaseUnreachable.is(failure(pool(nobody).query("SELECT 1").execute()))).isTrue();
    }

    @Test
    void shouldTellANameThatDoesNotResolve() {
        PgConnectOptions nowhere = new PgConnectOptions().setHost("pulse-database.invalid").setPort(5432)
                .setDatabase("pulse").setUser("pulse");
        assertThat(DatabaseUnreachable.is(failure(pool(nowhere).query("SELECT 1").execute()))).isTrue();
    }

    @Test
    void shouldTellABackendEndedUnderARead() throws Exception {
        PulseInfra infra = PulseInfra.get();
        Pool pool = pool(PgConnectOptions.fromUri(infra.reactiveUrl()).setUser(infra.postgres().username())
                .addProperty("application_name", "unreachable-test"));
        Uni<?> read = pool.query("SELECT pg_sleep(60)").execute().memoize().indefinitely();
        read.subscribe().with(x -> { }, f -> { });
        try (Connection admin = infra.postgres().connect(infra.database()); Statement s = admin.createStatement()) {
            // As a fast shutdown or an operator would: SQLSTATE 57P01, then the connection closes.
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                var rs = s.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                        + " WHERE application_name = 'unreachable-test' AND query LIKE 'SELECT pg_sleep%'");
                rs.next();
                return rs.getInt(1) == 1;
            });
        }
        assertThat(DatabaseUnreachable.is(failure(read))).isTrue();
        pool.close().await().atMost(Duration.ofSeconds(30));
    }

    @Test
    void shouldNotTakeABadStatementOrACancelledReadForTheDatabaseAway() {
        PulseInfra infra = PulseInfra.get();
        Pool pool = pool(PgConnectOptions.fromUri(infra.reactiveUrl()).setUser(infra.postgres().username()));
        assertThat(DatabaseUnreachable.is(failure(pool.query("SELECT * FROM no_such_table").execute()))).isFalse();
        assertThat(DatabaseUnreachable.is(failure(pool.withTransaction(c -> c.query("SET LOCAL statement_timeout = 50")
                .execute().chain(() -> c.query("SELECT pg_sleep(5)").execute()))))).isFalse();
        pool.close().await().atMost(Duration.ofSeconds(30));
    }

    private Pool pool(PgConnectOptions options) {
        return PgBuilder.pool().with(new PoolOptions().setMaxSize(2)).connectingTo(options).using(vertx).build();
    }

    private static Throwable failure(Uni<?> uni) {
        return uni.onItem().transform(x -> (Throwable) null).onFailure().recoverWithItem(f -> f)
                .await().atMost(Duration.ofSeconds(60));
    }
}
