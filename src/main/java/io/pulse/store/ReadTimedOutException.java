package io.pulse.store;

import java.time.Duration;

/** A read PostgreSQL cancelled after {@link ReadConfig#readTimeout()} (or that an operator cancelled). */
public class ReadTimedOutException extends RuntimeException {

    private final Duration timeout;

    public ReadTimedOutException(Duration timeout, Throwable cause) {
        super("The read was cancelled after " + timeout.toMillis() + " ms (pulse.store.read-timeout)", cause);
        this.timeout = timeout;
    }

    public Duration timeout() {
        return timeout;
    }
}
