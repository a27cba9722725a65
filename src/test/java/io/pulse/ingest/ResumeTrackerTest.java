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

        assertEquals(0, fresh, "sequence numbers restart");
        assertEquals(1, tracker.inFlight());
        tracker.complete(fresh, "id-x");
        assertEquals("id-x", tracker.position(), "the earlier connection's pending gap is gone");
    }
}
