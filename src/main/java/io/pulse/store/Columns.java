package io.pulse.store;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

import io.pulse.aggregate.Measures;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Builds the parallel arrays of an {@code unnest} upsert, row by row, column by column, in the
 * order the statement lists them.
 */
final class Columns {

    private final int rows;
    private final List<Object[]> columns = new ArrayList<>();
    private int row;
    private int column;
    private long startMs;
    private OffsetDateTime start;
    private long endMs = Long.MIN_VALUE;
    private OffsetDateTime end;

    Columns(int rows) {
        this.rows = rows;
    }

    Columns window(long startMs, long sizeMs) {
        start(startMs);
        if (startMs + sizeMs != endMs) {
            endMs = startMs + sizeMs;
            end = AggregateStore.time(endMs);
        }
        return put(end, OffsetDateTime[]::new);
    }

    Columns start(long startMs) {
        // Rows come sorted by window, so one remembered value spares a timestamp object per row.
        if (startMs != this.startMs || start == null) {
            this.startMs = startMs;
            start = AggregateStore.time(startMs);
        }
        return put(start, OffsetDateTime[]::new);
    }

    Columns text(String value) {
        return put(value, String[]::new);
    }

    Columns integer(int value) {
        return put(value, Integer[]::new);
    }

    Columns bool(boolean value) {
        return put(value, Boolean[]::new);
    }

    Columns number(long value) {
        return put(value, Long[]::new);
    }

    /** changes, [bot_changes], bytes_added, bytes_removed, [new_pages] — as the table has them. */
    Columns measures(Measures m, boolean botChanges, boolean newPages) {
        number(m.changes());
        if (botChanges) {
            number(m.botChanges());
        }
        number(m.bytesAdded());
        number(m.bytesRemoved());
        if (newPages) {
            number(m.newPages());
        }
        return this;
    }

    Columns next() {
        row++;
        column = 0;
        return this;
    }

    Tuple tuple() {
        return Tuple.tuple(new ArrayList<>(columns));
    }

    private <T> Columns put(T value, IntFunction<T[]> array) {
        if (column == columns.size()) {
            columns.add(array.apply(rows));
        }
        columns.get(column++)[row] = value;
        return this;
    }
}
