package io.pulse.ingest;

/** The connection ended (server close, stall) without an HTTP error: reconnecting is the normal path. */
public class StreamInterruptedException extends RuntimeException {

    public StreamInterruptedException(String message) {
        super(message, null, false, false);
    }
}
