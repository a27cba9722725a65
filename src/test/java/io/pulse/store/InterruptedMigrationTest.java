package io.pulse.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.junit.jupiter.api.Test;

import io.pulse.testkit.LocalPostgres;

/**
 * V8 builds an index concurrently, outside a transaction. Killed mid-build (a liveness probe during a long
 * start, a node drained), it leaves the index invalid and no record of its run: the next start must build it
 * again, not fail on its name at every start until someone drops it by hand.
 */
class InterruptedMigrationTest {

    static final String DATABASE = "interrupted_v8";

    @Test
    void shouldBuildAgainAnIndexWhoseConcurrentBuildWasKilled() throws Exception {
        try (LocalPostgres postgres = LocalPostgres.throwaway()) {
            postgres.start();
            postgres.createDatabase(DATABASE);
            settings(postgres).target("7").load().migrate();
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
    }

    /**
     * Killed mid-build from the client's side, the backend finishes the build alone (PostgreSQL notices a
     * dead client only when it writes to it): the index is valid, and still no run is recorded.
     */
    @Test
    void shouldBuildAgainAnIndexAnOrphanedBuildFinished() throws Exception {
        try (LocalPostgres postgres = LocalPostgres.throwaway()) {
            postgres.start();
            postgres.createDatabase(DATABASE);
            settings(postgres).target("7").load().migrate();
            try (Connection c = postgres.connect(DATABASE); Statement s = c.createStatement()) {
                s.execute("CREATE INDEX CONCURRENTLY wiki_edit_counts_wiki ON wiki_edit_counts (wiki, window_start)");
            }
            assertThat(indexValid(postgres)).isTrue();

            settings(postgres).load().migrate();

            assertThat(indexValid(postgres)).isTrue();
            assertThat(v8Runs(postgres)).isEqualTo("true");
        }
    }

    /** Failed with an error (cancelled, a deadlock), V8 is recorded as failed, which stopped every later migrate. */
    @Test
    void shouldRunAgainAMigrationRecordedAsFailed() throws Exception {
        try (LocalPostgres postgres = LocalPostgres.throwaway()) {
            postgres.start();
            postgres.createDatabase(DATABASE);
            settings(postgres).target("7").load().migrate();
            // V8 as Flyway runs it, cancelled by an operator while it waits for a writer's transaction.
            try (Connection writer = postgres.connect(DATABASE); Connection admin = postgres.connect(DATABASE)) {
                writer.setAutoCommit(false);
                try (Statement s = writer.createStatement()) {
                    s.execute("LOCK TABLE wiki_edit_counts IN ROW EXCLUSIVE MODE");
                }
                CompletableFuture<Throwable> v8 = CompletableFuture.supplyAsync(() -> {
                    try {
                        settings(postgres).load().migrate();
                        return null;
                    } catch (RuntimeException e) {
                        return e;
                    }
                });
                // (The statement comes after V8's comments; this session's own query holds the words too.)
                String building = " FROM pg_stat_activity WHERE query LIKE '%CREATE INDEX CONCURRENTLY%'"
                        + " AND pid <> pg_backend_pid()";
                await().atMost(Duration.ofSeconds(30)).until(() -> scalar(admin, "SELECT count(*)" + building
                        + " AND wait_event_type = 'Lock'") == 1);
                scalar(admin, "SELECT count(*) FROM (SELECT pg_cancel_backend(pid)" + building + ") t");
                assertThat(v8.get()).as("the cancelled migration").isNotNull();
                writer.rollback();
            }
            assertThat(v8Runs(postgres)).as("recorded as failed").isEqualTo("false");

            settings(postgres).load().migrate();

            assertThat(indexValid(postgres)).isTrue();
            assertThat(v8Runs(postgres)).isEqualTo("true");
        }
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

    /**
     * Runs V8's statement while a writer's transaction is open (a concurrent build waits for it after creating
     * its index entry), and terminates the building backend then, as a killed process would leave it.
     */
    private static void killV8MidBuild(LocalPostgres postgres) throws Exception {
        try (Connection writer = postgres.connect(DATABASE); Connection admin = postgres.connect(DATABASE)) {
            writer.setAutoCommit(false);
            try (Statement s = writer.createStatement()) {
                s.execute("LOCK TABLE wiki_edit_counts IN ROW EXCLUSIVE MODE");
            }
            CompletableFuture<Void> build = CompletableFuture.runAsync(() -> {
                try (Connection c = postgres.connect(DATABASE); Statement s = c.createStatement()) {
                    s.execute("SET application_name = 'v8-build'");
                    s.execute("CREATE INDEX CONCURRENTLY wiki_edit_counts_wiki ON wiki_edit_counts (wiki, window_start)");
                } catch (SQLException expected) {
                    // terminated
                }
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> scalar(admin,
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'v8-build' AND wait_event_type = 'Lock'") == 1);
            scalar(admin, "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    + " WHERE application_name = 'v8-build') t");
            build.get();
            writer.rollback();
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
