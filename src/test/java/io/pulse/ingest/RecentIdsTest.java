package io.pulse.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;

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

    @Test
    void shouldHoldTheWholeReadBackOfAResumedRunWhateverItsSize() {
        List<String> readBack = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            readBack.add("tail-" + i);
        }
        Collections.shuffle(readBack, new Random(7)); // a set's order, as the read-back hands them over

        RecentIds ids = RecentIds.seededWith(new HashSet<>(readBack), 1_000);

        for (String id : readBack) {
            assertFalse(ids.firstSighting(id), id + " re-sent by the feed must be dropped");
        }
        for (int i = 0; i < 1_000; i++) {
            assertTrue(ids.firstSighting("live-" + i));
        }
        assertFalse(ids.firstSighting("live-0"), "the usual capacity of live ids is kept besides the read-back");
    }
}
