package io.pulse.store;

import java.net.SocketException;
import java.nio.channels.ClosedChannelException;
import java.util.Set;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;

/**
 * Tells a failure that says "the database is away for now" (refused connections, a connection lost, a
 * server shutting down or starting up, or out of connection slots) from the others. A request that meets
 * one is worth retrying in a few seconds: it gets a 503, not the 500 of a bug.
 */
public final class DatabaseUnreachable {

    /** admin_shutdown, crash_shutdown, cannot_connect_now (starting up or in recovery), too_many_connections. */
    private static final Set<String> AWAY = Set.of("57P01", "57P02", "57P03", "53300");

    private DatabaseUnreachable() {
    }

    public static boolean is(Throwable failure) {
        for (Throwable t = failure, seen = null; t != null && t != seen; seen = t, t = t.getCause()) {
            // Refused, reset (a backend ended: its FATAL message may come first, or a reset instead), closed.
            if (t instanceof SocketException || t instanceof ClosedChannelException || t instanceof ClosedConnectionException) {
                return true;
            }
            if (t instanceof PgException pg && pg.getSqlState() != null
                    && (pg.getSqlState().startsWith("08") || AWAY.contains(pg.getSqlState()))) {
                return true;
            }
        }
        return false;
    }
}
