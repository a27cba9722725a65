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
 * Makes the migrations that build an index concurrently runnable again after an interruption. A
 * {@code CREATE INDEX CONCURRENTLY} that does not finish (the process killed mid-build: a liveness probe
 * during a long start, a node drained) leaves its index behind, marked invalid, and Flyway records no run:
 * the next start runs the migration again and fails on the index's name, and so does every start after it
 * until someone drops the index by hand. Before such a migration runs, its invalid index is dropped. This
 * runs under Flyway's lock, so no other replica is building that index at the time.
 */
final class InterruptedIndexBuilds implements Callback {

    private static final Logger LOG = Logger.getLogger(InterruptedIndexBuilds.class);

    /** Migration version → the index it builds concurrently. */
    static final Map<String, String> CONCURRENT_INDEXES = Map.of("8", "wiki_edit_counts_wiki");

    @Override
    public boolean supports(Event event, Context context) {
        return event == Event.BEFORE_EACH_MIGRATE && index(context.getMigrationInfo()) != null;
    }

    @Override
    public boolean canHandleInTransaction(Event event, Context context) {
        return true;
    }

    @Override
    public void handle(Event event, Context context) {
        String index = index(context.getMigrationInfo());
        try (PreparedStatement invalid = context.getConnection().prepareStatement(
                "SELECT NOT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
                        + " WHERE c.relname = ? AND c.relnamespace = current_schema()::regnamespace")) {
            invalid.setString(1, index);
            try (ResultSet rs = invalid.executeQuery()) {
                if (!rs.next() || !rs.getBoolean(1)) {
                    return;
                }
            }
            LOG.warnf("Migration %s was interrupted before: dropping the invalid index %s it left, to build it again",
                    context.getMigrationInfo().getVersion(), index);
            try (Statement drop = context.getConnection().createStatement()) {
                drop.execute("DROP INDEX " + index); // a name of ours, not input
            }
        } catch (SQLException e) {
            throw new FlywayException("Could not drop the invalid index " + index + " left by an interrupted migration", e);
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
