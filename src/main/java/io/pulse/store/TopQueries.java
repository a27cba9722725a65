package io.pulse.store;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;

/** Top-N reads of the window tables: prepared statements, bounded in time ({@link BoundedReads}). */
@ApplicationScoped
public class TopQueries {

    private final BoundedReads reads;

    public TopQueries(BoundedReads reads) {
        this.reads = reads;
    }

    public Uni<List<TopItems.User>> users(ReadFilter filter, int limit) {
        return read(TopStatements.USERS, filter, limit, TopQueries::user);
    }

    public Uni<List<TopItems.Page>> pages(ReadFilter filter, int limit) {
        return read(TopStatements.PAGES, filter, limit, row -> page(filter, row));
    }

    /** A row of {@link TopStatements#USERS} (or of its restriction to candidates). */
    static TopItems.User user(Row row) {
        return new TopItems.User(row.getString(0), row.getString(1), row.getBoolean(2), row.getLong(3), row.getLong(4),
                row.getLong(5), row.getLong(6), WikiLinks.user(row.getString(7), row.getString(0)));
    }

    /** A row of {@link TopStatements#PAGES} (or of its restriction to candidates). */
    static TopItems.Page page(ReadFilter filter, Row row) {
        return new TopItems.Page(row.getString(0), row.getString(1), row.getInteger(2), row.getLong(3),
                unsplit(filter, row, 4), unsplit(filter, row, 5), unsplit(filter, row, 6),
                WikiLinks.page(row.getString(7), row.getString(0)));
    }

    public Uni<List<TopItems.Namespace>> namespaces(ReadFilter filter, int limit) {
        return read(TopStatements.NAMESPACES, filter, limit, row -> new TopItems.Namespace(row.getInteger(0),
                row.getLong(1), unsplit(filter, row, 2), unsplit(filter, row, 3), unsplit(filter, row, 4)));
    }

    public Uni<List<TopItems.Wiki>> wikis(ReadFilter filter, int limit) {
        return read(TopStatements.WIKIS, filter, limit, row -> new TopItems.Wiki(row.getString(0), row.getString(1),
                row.getLong(2), unsplit(filter, row, 3), unsplit(filter, row, 4), unsplit(filter, row, 5)));
    }

    public Uni<List<TopItems.Type>> types(ReadFilter filter, int limit) {
        return read(TopStatements.TYPES, filter, limit, row -> new TopItems.Type(row.getString(0), row.getLong(1),
                unsplit(filter, row, 2), unsplit(filter, row, 3)));
    }

    /** A measure the store does not split by bot: only meaningful when bots are included. */
    private static Long unsplit(ReadFilter filter, Row row, int column) {
        return filter.bot() == BotFilter.INCLUDE ? row.getLong(column) : null;
    }

    private <T> Uni<List<T>> read(String sql, ReadFilter filter, int limit, Function<Row, T> mapper) {
        return reads.execute(sql, filter.tuple((long) limit)).map(rows -> items(rows, mapper));
    }

    static <T> List<T> items(RowSet<Row> rows, Function<Row, T> mapper) {
        List<T> items = new ArrayList<>(rows.size());
        rows.forEach(row -> items.add(mapper.apply(row)));
        return items;
    }
}
