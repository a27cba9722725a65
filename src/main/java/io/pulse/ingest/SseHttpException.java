package io.pulse.ingest;

import java.time.Duration;

/** The SSE endpoint answered with a status other than 200; carries its {@code Retry-After}, if any. */
public class SseHttpException extends RuntimeException {

    private final int status;
    private final Duration retryAfter;

    public SseHttpException(int status, Duration retryAfter, String body) {
        super("SSE endpoint answered HTTP " + status + (body == null || body.isBlank() ? "" : ": " + body));
        this.status = status;
        this.retryAfter = retryAfter;
    }

    public int status() {
        return status;
    }

    /** @return the server's requested wait, or null */
    public Duration retryAfter() {
        return retryAfter;
    }
}
