package io.pulse.store;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.stream.Collectors;

import io.pulse.source.wikimedia.RecentChange;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The stored per-page counts of recent windows ({@code page_edit_counts}), oldest window first, read
 * through a cursor: at a sustained 10,000 events/s the eleven windows the spike rule reads hold
 * millions of rows, more than one result set should hold in memory at once. Read in a
 * {@link StoreSnapshot}, with the stored offsets they go with.
 */
public final class PageCountHistory {

    /** Receives each row, on the database client's event loop. */
    @FunctionalInterface
    public interface Visitor {
        /** @param page the page's Kafka key ({@link RecentChange#partitionKey(String, String)}) */
        void accept(String page, long windowStartMs, long changes);
    }

    // Epoch milliseconds computed by PostgreSQL: no date parse per row in the JVM, which does this on a
    // cold start.
    static final String SINCE = """
            SELECT wiki, title, (extract(epoch FROM window_start) * 1000)::bigint, changes
            FROM page_edit_counts
            WHERE window_start >= $1
            ORDER BY window_start
            """;
    private static final int FETCH_ROWS = 5_000;

    private PageCountHistory() {
    }

    /**
     * Visits every page count of the windows starting at or after {@code from}; the item is the number of rows.
     * @param conn in a transaction, which the cursor needs
     */
    static Uni<Long> forEachSince(SqlConnection conn, Instant from, Visitor visitor) {
        return conn.prepare(SINCE)
                .onItem().transformToUni(statement -> statement
                        .createStream(FETCH_ROWS, Tuple.of(from.atOffset(ZoneOffset.UTC)))
                        .toMulti()
                        .onItem().invoke(row -> visit(row, visitor))
                        .collect().with(Collectors.counting())
                        // Also after a failure: else the statement stays on the pooled connection.
                        .eventually(statement::close));
    }

    private static void visit(Row row, Visitor visitor) {
        visitor.accept(RecentChange.partitionKey(row.getString(0), row.getString(1)), row.getLong(2), row.getLong(3));
    }
}
