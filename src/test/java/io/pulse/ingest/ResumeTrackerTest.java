package io.pulse.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class ResumeTrackerTest {

    private final ResumeTracker tracker = new ResumeTracker();

    @Test
    void shouldStartFromTheGivenPosition() {
        tracker.resetTo("checkpoint");

        assertEquals("checkpoint", tracker.position());
        assertEquals(0, tracker.inFlight());
    }

    /**
     * A checkpoint counts the events behind its position; events begun past it are what a restart from it
     * would read back or receive again. The count goes on across runs, as the sequence numbers do.
     */
    @Test
    void shouldCountTheEventsBegunPastACheckpoint() {
        tracker.resetTo("start", java.util.Map.of(0, 10L));
        ResumeTracker.Checkpoint atStart = tracker.checkpoint();
        long s0 = tracker.begin();
        long s1 = tracker.begin();
        tracker.begin();
        tracker.complete(s1, "id-1", 0, 11);
        assertEquals(3, tracker.begunBeyond(atStart.covered()));

        tracker.complete(s0, "id-0", 0, 10);
        ResumeTracker.Checkpoint moved = tracker.checkpoint();
        assertEquals(new ResumeTracker.Checkpoint("id-1", java.util.Map.of(0, 12L), atStart.covered() + 2), moved);
        assertEquals(1, tracker.begunBeyond(moved.covered()), "the third, still in flight");

        tracker.resetTo("id-1", moved.kafkaPositions()); // a new run: its first checkpoint covers the last run's events
        assertEquals(0, tracker.begunBeyond(tracker.checkpoint().covered()));
        tracker.begin();
        assertEquals(1, tracker.begunBeyond(tracker.checkpoint().covered()));
        assertEquals(2, tracker.begunBeyond(moved.covered()), "the last run's event in flight, and this one's");
    }

    @Test
    void shouldHaveNoPositionBeforeAnything() {
        assertNull(tracker.position());
    }

    @Test
    void shouldAdvanceWithInOrderCompletions() {
        tracker.resetTo(null);
        long a = tracker.begin();
        long b = tracker.begin();

        tracker.complete(a, "id-a");
        assertEquals("id-a", tracker.position());
        tracker.complete(b, "id-b");
        assertEquals("id-b", tracker.position());
    }

    @Test
    void shouldOnlyAdvanceOverAGapFreePrefix() {
        tracker.resetTo("start");
        long s0 = tracker.begin();
        long s1 = tracker.begin();
        long s2 = tracker.begin();
        long s3 = tracker.begin();

        tracker.complete(s2, "id-2");
        tracker.complete(s1, "id-1");
        assertEquals("start", tracker.position(), "event 0 is still in flight");

        tracker.complete(s0, "id-0");
        assertEquals("id-2", tracker.position(), "0, 1 and 2 are all done");

        tracker.complete(s3, "id-3");
        assertEquals("id-3", tracker.position());
    }

    @Test
    void shouldKeepThePreviousPositionForEventsWithoutId() {
        tracker.resetTo(null);
        long s0 = tracker.begin();
        long s1 = tracker.begin();
        long s2 = tracker.begin();

        tracker.complete(s0, "id-0");
        tracker.complete(s1, null);
        assertEquals("id-0", tracker.position());

        tracker.complete(s2, "id-2");
        assertEquals("id-2", tracker.position(), "an id-less event does not block the ones after it");
    }

    @Test
    void shouldCountEventsInFlight() {
        tracker.resetTo(null);
        long s0 = tracker.begin();
        long s1 = tracker.begin();
        tracker.begin();
        assertEquals(3, tracker.inFlight());

        tracker.complete(s1, "id-1");
        assertEquals(2, tracker.inFlight(), "completed out of order still leaves flight");
        tracker.complete(s0, "id-0");
        assertEquals(1, tracker.inFlight());
    }

    @Test
    void shouldForgetEverythingOnReset() {
        tracker.resetTo(null);
        tracker.begin();
        long s1 = tracker.begin();
        tracker.complete(s1, "id-1");

        tracker.resetTo("resumed");
        long fresh = tracker.begin();

        assertEquals(1, tracker.inFlight());
        tracker.complete(fresh, "id-x");
        assertEquals("id-x", tracker.position(), "the earlier connection's pending gap is gone");
    }

    /** A send of a stopped run acknowledged after the next run began (fencing off: the shared producer). */
    @Test
    void shouldIgnoreALateAcknowledgementOfTheRunBefore() {
        tracker.resetTo("a");
        long old = tracker.begin();
        long oldToo = tracker.begin();
        tracker.resetTo("b", java.util.Map.of(0, 100L));

        long n0 = tracker.begin();
        long n1 = tracker.begin();
        tracker.complete(n0, "new-0", 0, 200);
        tracker.complete(old, "old", 0, 150);
        tracker.complete(n1, "new-1", 0, 201);
        tracker.complete(oldToo, "old-too", 0, 500);
        long n2 = tracker.begin();
        tracker.complete(n2, "new-2", 0, 202);

        assertEquals("new-2", tracker.position());
        assertEquals(java.util.Map.of(0, 203L), tracker.kafkaPositions());
        assertEquals(0, tracker.inFlight());
    }
}
