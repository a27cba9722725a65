package io.pulse.store;

import java.time.Duration;

/**
 * A duration setting sent to PostgreSQL as a timeout in milliseconds ({@code lock_timeout},
 * {@code statement_timeout}, ...): 0 for none, else 1 ms to PostgreSQL's bound of 2^31 - 1 ms (24 days).
 * Checked when the service starts: a value PostgreSQL refuses failed every transaction that set it,
 * and a batch's failure was taken for its data being refused (dead letters, again and again).
 */
public final class PostgresTimeout {

    static final long MAX_MILLIS = Integer.MAX_VALUE;

    private PostgresTimeout() {
    }

    /**
     * One statement that bounds the rest of its transaction: how long it waits for a lock, runs a statement,
     * and may sit idle inside (PostgreSQL then ends it, its locks with it). A SELECT, so that any client runs it,
     * Hibernate's native queries as well as the Vert.x client's.
     */
    public static String boundTransaction(long lockMs, long statementMs, long idleMs) {
        return "SELECT set_config('lock_timeout', '" + lockMs + "', true), set_config('statement_timeout', '"
                + statementMs + "', true), set_config('idle_in_transaction_session_timeout', '" + idleMs + "', true)";
    }

    /** The setting in milliseconds. @throws IllegalArgumentException naming the property, when out of bounds */
    static long millis(String property, Duration value) {
        if (value.isNegative() || !value.isZero() && value.compareTo(Duration.ofMillis(1)) < 0
                || value.toMillis() > MAX_MILLIS) {
            throw new IllegalArgumentException(property + " must be 0 (no limit) or between 1ms and "
                    + Duration.ofMillis(MAX_MILLIS).toString().substring(2).toLowerCase() + ", not " + value);
        }
        return value.toMillis();
    }
}
