package io.pulse.ingest;

import java.util.TreeMap;

/**
 * Tracks the resume position of a feed whose events are published concurrently. Acknowledgements
 * can arrive out of order; the position only moves over a gap-free prefix of completed events, so
 * a restart from the persisted position can re-deliver events but never skip one.
 */
public final class ResumeTracker {

    private final TreeMap<Long, String> completedAhead = new TreeMap<>();
    private long nextSeq;
    private long contiguous = -1;
    private String position;
    private long inFlight;

    public synchronized void resetTo(String resumeFrom) {
        completedAhead.clear();
        nextSeq = 0;
        contiguous = -1;
        inFlight = 0;
        position = resumeFrom;
    }

    /** @return the sequence number of a newly received event */
    public synchronized long begin() {
        inFlight++;
        return nextSeq++;
    }

    /** The event {@code seq}, received with SSE id {@code eventId}, is safely handled (published, dead-lettered or dropped). */
    public synchronized void complete(long seq, String eventId) {
        inFlight--;
        completedAhead.put(seq, eventId == null ? "" : eventId);
        while (!completedAhead.isEmpty() && completedAhead.firstKey() == contiguous + 1) {
            String id = completedAhead.pollFirstEntry().getValue();
            contiguous++;
            if (!id.isEmpty()) {
                position = id;
            }
        }
    }

    /** The id to resume after: every event up to it is handled. */
    public synchronized String position() {
        return position;
    }

    public synchronized long inFlight() {
        return inFlight;
    }
}
