package io.pulse.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class RecentIdsTest {

    @Test
    void shouldReportOnlyTheFirstSightingOfAnId() {
        RecentIds ids = new RecentIds(10);

        assertTrue(ids.firstSighting("a"));
        assertFalse(ids.firstSighting("a"));
        assertFalse(ids.firstSighting("a"));
        assertTrue(ids.firstSighting("b"));
        assertEquals(2, ids.size());
    }

    @Test
    void shouldEvictTheOldestIdBeyondCapacity() {
        RecentIds ids = new RecentIds(3);
        ids.firstSighting("a");
        ids.firstSighting("b");
        ids.firstSighting("c");

        assertTrue(ids.firstSighting("d"));

        assertEquals(3, ids.size());
        assertFalse(ids.firstSighting("b"));
        assertFalse(ids.firstSighting("c"));
        assertFalse(ids.firstSighting("d"));
        assertTrue(ids.firstSighting("a"), "a was evicted, so it counts as new again");
    }

    @Test
    void shouldNotRefreshAnIdWhenItIsSeenAgain() {
        RecentIds ids = new RecentIds(2);
        ids.firstSighting("a");
        ids.firstSighting("b");
        ids.firstSighting("a"); // a duplicate: does not make "a" recent

        ids.firstSighting("c");

        assertTrue(ids.firstSighting("a"), "a is still the oldest arrival and was evicted");
    }

    @Test
    void shouldRememberIdsInBulk() {
        RecentIds ids = new RecentIds(3);

        ids.rememberAll(List.of("a", "b", "c", "d"));

        assertEquals(3, ids.size());
        assertFalse(ids.firstSighting("d"));
        assertTrue(ids.firstSighting("a"));
    }
}
