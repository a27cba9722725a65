package io.pulse.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.pulse.testkit.LocalPostgres;

/**
 * V8 builds an index concurrently, outside a transaction. Killed mid-build (a liveness probe during a long
 * start, a node drained), it leaves the index invalid and no record of its run: the next start must build it
 * again, not fail on its name at every start until someone drops it by hand.
 */
class InterruptedMigrationTest {

    static final String DATABASE = "interrupted_v8";
    static final String V8 = "CREATE INDEX CONCURRENTLY wiki_edit_counts_wiki ON wiki_edit_counts (wiki, window_start)";

    private static LocalPostgres postgres;

    @BeforeAll
    static void start() {
        postgres = LocalPostgres.throwaway().start();
    }

    @AfterAll
    static void stop() {
        postgres.close();
    }

    /** A new database, migrated up to V7: V8 pending. */
    @BeforeEach
    void atV7() {
        postgres.createDatabase(DATABASE);
        settings(postgres).target("7").load().migrate();
    }

    @Test
    void shouldBuildAgainAnIndexWhoseConcurrentBuildWasKilled() throws Exception {
        killV8MidBuild(postgres);
        assertThat(indexValid(postgres)).as("left by the killed build").isFalse();

        // As the service's start does: Quarkus hands its configuration to the customizer.
        FluentConfiguration configuration = Flyway.configure()
                .dataSource(postgres.jdbcUrl(DATABASE), LocalPostgres.USERNAME, "")
                .locations("classpath:db/migration");
        new FlywaySettings().customize(configuration);
        configuration.load().migrate();

        assertThat(indexValid(postgres)).isTrue();
        assertThat(v8Runs(postgres)).isEqualTo("true");
    }

    /**
     * Killed mid-build from the client's side, the backend finishes the build alone (PostgreSQL notices a
     * dead client only when it writes to it): the index is valid, and still no run is recorded.
     */
    @Test
    void shouldBuildAgainAnIndexAnOrphanedBuildFinished() throws Exception {
        try (Connection c = postgres.connect(DATABASE); Statement s = c.createStatement()) {
            s.execute(V8);
        }
        assertThat(indexValid(postgres)).isTrue();

        settings(postgres).load().migrate();

        assertThat(indexValid(postgres)).isTrue();
        assertThat(v8Runs(postgres)).isEqualTo("true");
    }

    /** Failed with an error (cancelled, a deadlock), V8 is recorded as failed, which stopped every later migrate. */
    @Test
    void shouldRunAgainAMigrationRecordedAsFailed() throws Exception {
        // V8 as Flyway runs it, cancelled by an operator.
        Throwable cancelled = interruptV8(() -> {
            try {
                settings(postgres).load().migrate();
                return null;
            } catch (RuntimeException e) {
                return e;
            }
        }, "pg_cancel_backend");
        assertThat(cancelled).as("the cancelled migration").isNotNull();
        assertThat(v8Runs(postgres)).as("recorded as failed").isEqualTo("false");

        settings(postgres).load().migrate();

        assertThat(indexValid(postgres)).isTrue();
        assertThat(v8Runs(postgres)).isEqualTo("true");
    }

    /** V8's records in Flyway's history, their success flags joined. */
    private static String v8Runs(LocalPostgres postgres) throws SQLException {
        try (Connection c = postgres.connect(DATABASE); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT string_agg(success::text, ',') FROM flyway_schema_history WHERE version = '8'")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static FluentConfiguration settings(LocalPostgres postgres) {
        return FlywaySettings.apply(Flyway.configure()
                .dataSource(postgres.jdbcUrl(DATABASE), LocalPostgres.USERNAME, "")
                .locations("classpath:db/migration"));
    }

    /** V8's statement run by hand, its backend terminated mid-build, as a killed process would leave it. */
    private static void killV8MidBuild(LocalPostgres postgres) throws Exception {
        interruptV8(() -> {
            try (Connection c = postgres.connect(DATABASE); Statement s = c.createStatement()) {
                s.execute(V8);
            } catch (SQLException expected) {
                // terminated
            }
            return null;
        }, "pg_terminate_backend");
    }

    /**
     * Runs {@code build} (V8, by hand or by Flyway) while a writer's transaction is open, which a concurrent
     * build waits for once its index entry is created, and then ends the building backend with {@code end}
     * ({@code pg_terminate_backend}: a killed process; {@code pg_cancel_backend}: an operator).
     */
    private static <T> T interruptV8(Callable<T> build, String end) throws Exception {
        try (Connection writer = postgres.connect(DATABASE); Connection admin = postgres.connect(DATABASE)) {
            writer.setAutoCommit(false);
            try (Statement s = writer.createStatement()) {
                s.execute("LOCK TABLE wiki_edit_counts IN ROW EXCLUSIVE MODE");
            }
            CompletableFuture<T> building = CompletableFuture.supplyAsync(() -> {
                try {
                    return build.call();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            // (Flyway sends the statement after V8's comments; this session's own query holds the words too.)
            String builds = " FROM pg_stat_activity WHERE query LIKE '%CREATE INDEX CONCURRENTLY%' AND pid <> pg_backend_pid()";
            await().atMost(Duration.ofSeconds(30)).until(() -> scalar(admin, "SELECT count(*)" + builds
                    + " AND wait_event_type = 'Lock'") == 1);
            scalar(admin, "SELECT count(*) FROM (SELECT " + end + "(pid)" + builds + ") t");
            T result = building.get();
            writer.rollback();
            return result;
        }
    }

    private static boolean indexValid(LocalPostgres postgres) throws SQLException {
        try (Connection c = postgres.connect(DATABASE)) {
            return scalar(c, "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                    + " WHERE c.relname = 'wiki_edit_counts_wiki' AND i.indisvalid") == 1;
        }
    }

    private static long scalar(Connection c, String sql) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
