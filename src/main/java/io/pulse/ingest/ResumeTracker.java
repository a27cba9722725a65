package io.pulse.ingest;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Tracks the resume position of a feed whose events are published concurrently. Acknowledgements
 * can arrive out of order; the position only moves over a gap-free prefix of completed events, so
 * a restart from the persisted position can re-deliver events but never skip one. Alongside the
 * upstream id it keeps, per Kafka partition, the offset where that prefix ends: everything the
 * previous run published after it can be read back on restart and dropped as already published.
 */
public final class ResumeTracker {

    private record Completion(String eventId, int partition, long offset) {
    }

    private final TreeMap<Long, Completion> completedAhead = new TreeMap<>();
    private final Map<Integer, Long> prefixEnds = new HashMap<>();
    private long nextSeq;
    private long contiguous = -1;
    private String position;
    private long inFlight;

    public synchronized void resetTo(String resumeFrom) {
        resetTo(resumeFrom, Map.of());
    }

    /**
     * A new run: sequence numbers go on from the last run's, so that an acknowledgement of the last run
     * arriving late (a send still in flight when it stopped) is recognised and ignored, instead of
     * standing in for this run's event of the same number.
     *
     * @param publishedBefore per partition, the end offset of everything published before this run
     */
    public synchronized void resetTo(String resumeFrom, Map<Integer, Long> publishedBefore) {
        completedAhead.clear();
        prefixEnds.clear();
        prefixEnds.putAll(publishedBefore);
        contiguous = nextSeq - 1;
        inFlight = 0;
        position = resumeFrom;
    }

    /** @return the sequence number of a newly received event */
    public synchronized long begin() {
        inFlight++;
        return nextSeq++;
    }

    /** The event {@code seq}, received with SSE id {@code eventId}, is safely handled without a Kafka record of its own. */
    public synchronized void complete(long seq, String eventId) {
        complete(seq, eventId, -1, -1);
    }

    /** The event {@code seq} is acknowledged by Kafka at {@code partition}/{@code offset} (or -1 when not published). */
    public synchronized void complete(long seq, String eventId, int partition, long offset) {
        if (seq <= contiguous) {
            return; // begun before the last reset: that run's position is not this one's
        }
        inFlight--;
        completedAhead.put(seq, new Completion(eventId == null ? "" : eventId, partition, offset));
        while (!completedAhead.isEmpty() && completedAhead.firstKey() == contiguous + 1) {
            Completion done = completedAhead.pollFirstEntry().getValue();
            contiguous++;
            if (!done.eventId().isEmpty()) {
                position = done.eventId();
            }
            if (done.partition() >= 0) {
                prefixEnds.merge(done.partition(), done.offset() + 1, Math::max);
            }
        }
    }

    /** The id to resume after: every event up to it is handled. */
    public synchronized String position() {
        return position;
    }

    /** Per partition, the offset after the last record of the gap-free prefix. */
    public synchronized Map<Integer, Long> kafkaPositions() {
        return Map.copyOf(prefixEnds);
    }

    /** Events behind the position, ever: moves whenever the position does. */
    public synchronized long covered() {
        return contiguous + 1;
    }

    public synchronized long inFlight() {
        return inFlight;
    }

    /** Events begun and not yet behind the position: in flight, or settled after one still in flight. */
    public synchronized long unsettled() {
        return nextSeq - 1 - contiguous;
    }

    /**
     * A position to save, taken at once with its Kafka offsets, and how many events it covers: a count that
     * goes on across runs, as the sequence numbers do ({@link #begunBeyond}).
     */
    public record Checkpoint(String position, Map<Integer, Long> kafkaPositions, long covered) {
    }

    public synchronized Checkpoint checkpoint() {
        return new Checkpoint(position, Map.copyOf(prefixEnds), contiguous + 1);
    }

    /**
     * Events begun past a checkpoint that {@code covered} that many: on their way, or already published
     * after it (the tail a restart from it reads back) or settled otherwise.
     */
    public synchronized long begunBeyond(long covered) {
        return nextSeq - covered;
    }
}
