package io.pulse.aggregate;

import java.util.ArrayList;
import java.util.List;

/**
 * PostgreSQL refused a transaction that also counted records read again for commits it lost
 * ({@link io.pulse.store.KnownOffsets}). The refused record may be one of those (dead-lettered before
 * the loss, accepted by the parser again): the search by halves ({@link RefusedRecords}) must include
 * them, or it would end on an innocent record of the batch and be refused forever, every partition
 * stalled behind it.
 */
public final class RereadRecordsRefused extends RuntimeException {

    private final transient List<ConsumedRecord> reread;

    private RereadRecordsRefused(List<ConsumedRecord> reread, Throwable refusal) {
        super(refusal.toString(), refusal, false, false);
        this.reread = List.copyOf(reread);
    }

    /** {@code failure}, carrying the records read again when it is a refusal of a transaction that counted some. */
    public static Throwable of(List<ConsumedRecord> reread, Throwable failure) {
        return reread.isEmpty() || !DataRefusal.is(failure) ? failure : new RereadRecordsRefused(reread, failure);
    }

    /** The records whose transaction was refused: those it read again, if any, then {@code records}. */
    static List<ConsumedRecord> searched(Throwable refusal, List<ConsumedRecord> records) {
        for (Throwable t : Causes.of(refusal)) {
            if (t instanceof RereadRecordsRefused r) {
                List<ConsumedRecord> all = new ArrayList<>(r.reread.size() + records.size());
                all.addAll(r.reread);
                all.addAll(records);
                return all;
            }
        }
        return records;
    }
}
