package io.pulse.store;

import java.time.Duration;

/**
 * A read not answered within its deadline: the database stopped answering without closing the
 * connection (a frozen server or host, a storage stall, a network that drops packets), so its own
 * {@code statement_timeout} never fires. Taken for the database being away ({@link DatabaseUnreachable}).
 */
public class ReadUnansweredException extends RuntimeException {

    public ReadUnansweredException(Duration deadline) {
        super("The database did not answer a read within " + deadline.toMillis() + " ms", null, false, false);
    }
}
