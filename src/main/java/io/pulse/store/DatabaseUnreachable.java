package io.pulse.store;

import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.util.Set;

import io.pulse.aggregate.Causes;
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
    /** Of class 08 (connection exception) but a bug, not an absence. */
    private static final String PROTOCOL_VIOLATION = "08P01";

    private DatabaseUnreachable() {
    }

    public static boolean is(Throwable failure) {
        for (Throwable t : Causes.of(failure)) {
            // Refused, reset (a backend ended: its FATAL message may come first, or a reset instead), closed.
            if (t instanceof SocketException || t instanceof ClosedChannelException || t instanceof ClosedConnectionException) {
                return true;
            }
            if (t instanceof ReadUnansweredException) {
                return true; // connected, but nothing comes back
            }
            if (t instanceof UnknownHostException) {
                return true; // the database's name not resolving, as during a fail-over's DNS change
            }
            if (t instanceof PgException pg && pg.getSqlState() != null && !PROTOCOL_VIOLATION.equals(pg.getSqlState())
                    && (pg.getSqlState().startsWith("08") || AWAY.contains(pg.getSqlState()))) {
                return true;
            }
        }
        return false;
    }
}
