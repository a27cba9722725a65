package io.pulse.api;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.util.logging.Filter;
import java.util.logging.LogRecord;

import io.pulse.aggregate.Causes;
import io.quarkus.logging.LoggingFilter;

/**
 * Keeps out of the log the web layer's ERROR for an SSE write to a client that is gone: one Pulse let go for taking
 * nothing ({@link StalledClients}: its pending write fails as the connection closes; counted in
 * {@code pulse_metrics_stalled_subscribers_total} and {@code pulse_alert_stalled_subscribers_total}), or a browser that
 * left in the middle of a write. Neither is a server error, and an ERROR with each would bury the real ones; every
 * other failure of an SSE stream is still logged.
 */
@LoggingFilter(name = "sse-client-gone")
public final class ClientGoneFilter implements Filter {

    static final String SSE_HANDLER = "org.jboss.resteasy.reactive.server.handlers.PublisherResponseHandler";

    @Override
    public boolean isLoggable(LogRecord record) {
        return !(SSE_HANDLER.equals(record.getLoggerName()) && record.getThrown() != null && gone(record.getThrown()));
    }

    static boolean gone(Throwable failure) {
        return Causes.of(failure).stream().anyMatch(t -> t instanceof ClosedChannelException
                || t instanceof IOException && t.getMessage() != null
                        && (t.getMessage().contains("Broken pipe") || t.getMessage().contains("Connection reset by peer")));
    }
}
