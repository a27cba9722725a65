package io.pulse.store;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;

import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationInfo;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.jboss.logging.Logger;

/**
 * Makes the migrations that build an index concurrently runnable again after an interruption. Such a
 * migration runs outside a transaction, so an interrupted one leaves traces that made every later start fail
 * until someone repaired the database by hand:
 * <ul>
 * <li>killed mid-build (a liveness probe during a long start, a drained node), its index stays, invalid, or
 * valid when the orphaned backend finished the build alone, and Flyway records no run: the next run failed on
 * the index's name. Before the migration runs, an index of that name is dropped, whatever its state: the
 * migration is pending, so no run of it built one that counts. This runs under Flyway's lock, so no other
 * replica is building it at the time;</li>
 * <li>failed with an error (cancelled, a deadlock), Flyway records a failed run and refuses to migrate past
 * it: that record is removed before validating, as {@code flyway repair} would, and the migration runs again.</li>
 * </ul>
 */
final class InterruptedIndexBuilds implements Callback {

    private static final Logger LOG = Logger.getLogger(InterruptedIndexBuilds.class);

    /** Migration version → the index it builds concurrently. */
    static final Map<String, String> CONCURRENT_INDEXES = Map.of("8", "wiki_edit_counts_wiki");

    @Override
    public boolean supports(Event event, Context context) {
        return event == Event.BEFORE_VALIDATE || event == Event.BEFORE_MIGRATE
                || event == Event.BEFORE_EACH_MIGRATE && index(context.getMigrationInfo()) != null;
    }

    @Override
    public boolean canHandleInTransaction(Event event, Context context) {
        return true;
    }

    @Override
    public void handle(Event event, Context context) {
        try {
            if (event == Event.BEFORE_EACH_MIGRATE) {
                dropLeftIndex(context);
            } else {
                forgetFailedRuns(context);
            }
        } catch (SQLException e) {
            throw new FlywayException("Could not clear what an interrupted migration left", e);
        }
    }

    private static void dropLeftIndex(Context context) throws SQLException {
        String index = index(context.getMigrationInfo());
        if (!exists(context, index)) {
            return;
        }
        LOG.warnf("Migration %s ran before and was interrupted: dropping the index %s it left, to build it again",
                context.getMigrationInfo().getVersion(), index);
        try (Statement drop = context.getConnection().createStatement()) {
            // Concurrently, as it was built: replicas of the previous version keep writing the table meanwhile.
            drop.execute("DROP INDEX CONCURRENTLY IF EXISTS " + index); // a name of ours, not input
        }
    }

    private static void forgetFailedRuns(Context context) throws SQLException {
        String table = context.getConfiguration().getTable();
        if (!exists(context, table)) {
            return; // a new database: no history yet
        }
        try (PreparedStatement forget = context.getConnection().prepareStatement("DELETE FROM " + table
                + " WHERE NOT success AND version = ANY (?)")) {
            forget.setArray(1, context.getConnection().createArrayOf("text", CONCURRENT_INDEXES.keySet().toArray()));
            int removed = forget.executeUpdate();
            if (removed > 0) {
                LOG.warnf("Removed the record of %d failed run(s) of a migration that builds an index concurrently,"
                        + " to run it again", removed);
            }
        }
    }

    /** Whether a relation of that name is in the schema migrated (the connection's current one). */
    private static boolean exists(Context context, String relation) throws SQLException {
        try (PreparedStatement find = context.getConnection().prepareStatement("SELECT 1 FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = ? AND n.nspname = current_schema()")) {
            find.setString(1, relation);
            try (ResultSet rs = find.executeQuery()) {
                return rs.next();
            }
        }
    }

    @Override
    public String getCallbackName() {
        return "interrupted-index-builds";
    }

    private static String index(MigrationInfo migration) {
        return migration == null || migration.getVersion() == null ? null
                : CONCURRENT_INDEXES.get(migration.getVersion().getVersion());
    }
}
