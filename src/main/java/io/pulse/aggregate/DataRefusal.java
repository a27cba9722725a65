package io.pulse.aggregate;

import java.util.Optional;

import io.vertx.pgclient.PgException;

/**
 * Whether PostgreSQL refused a write for what it holds rather than for the state the database is in.
 * A refusal comes back the same on every retry, so retrying the batch would stall its partitions for
 * good; an outage, a deadlock, a serialization failure or a missing table is worth waiting out instead.
 * The SQLSTATE classes taken as refusals: 21 (cardinality: the same row twice in one upsert), 22 (data
 * exception: a NUL in text, a number out of range), 23 (integrity: a check constraint) and 54 (limit
 * exceeded: a key larger than an index entry).
 */
final class DataRefusal {

    private DataRefusal() {
    }

    /** @return "SQLSTATE code: message" when the failure is a refusal of the data, else empty */
    static Optional<String> of(Throwable failure) {
        for (Throwable t : Causes.of(failure)) {
            if (t instanceof PgException pg && isDataClass(pg.getSqlState())) {
                return Optional.of("SQLSTATE " + pg.getSqlState() + ": " + pg.getErrorMessage());
            }
        }
        return Optional.empty();
    }

    static boolean is(Throwable failure) {
        return of(failure).isPresent();
    }

    static boolean isDataClass(String sqlState) {
        return sqlState != null && sqlState.length() == 5
                && (sqlState.startsWith("21") || sqlState.startsWith("22") || sqlState.startsWith("23")
                        || sqlState.startsWith("54"));
    }
}
