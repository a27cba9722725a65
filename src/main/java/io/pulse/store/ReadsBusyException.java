package io.pulse.store;

/** A read refused because {@link ReadLimiter}'s queue was full: the database is busy with other reads. */
public class ReadsBusyException extends RuntimeException {

    public ReadsBusyException(int concurrency, int queued) {
        super("Too many reads in progress: " + concurrency + " running and " + queued
                + " waiting (pulse.store.max-concurrent-reads, pulse.store.max-queued-reads)");
    }
}
