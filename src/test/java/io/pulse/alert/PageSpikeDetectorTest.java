package io.pulse.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;

import io.pulse.source.wikimedia.RecentChange;

class PageSpikeDetectorTest {

    private static final long WINDOW_MS = 60_000;
    private static final long T0 = 1_767_225_600_000L; // 2026-01-01T00:00:00Z
    private static final int BASELINE_WINDOWS = 10;

    private record Change(String page, long timeMs) {
    }

    @Test
    void shouldCountEachWindowAndAverageThePreviousOnesLikeAPlainLoopOverTheHistory() {
        Random random = new Random(11);
        List<Change> history = new ArrayList<>();
        PageSpikeDetector detector = new PageSpikeDetector(WINDOW_MS, 1000);
        long t = T0;
        for (int i = 0; i < 5_000; i++) {
            t += random.nextInt(800); // ~33 minutes of event time, in order
            String page = "enwiki:Page " + (int) Math.abs(random.nextGaussian() * 8); // a few hot pages
            Change c = new Change(page, t);
            history.add(c);

            PageSpikeDetector.Observation seen = detector.add(c.page(), c.timeMs(), BASELINE_WINDOWS);

            long w = Math.floorDiv(t, WINDOW_MS);
            assertThat(seen.windowStartMs()).isEqualTo(w * WINDOW_MS);
            assertThat(seen.changes()).as("change %d", i).isEqualTo(countIn(history, page, w));
            long past = 0;
            for (int k = 1; k <= BASELINE_WINDOWS; k++) {
                past += countIn(history, page, w - k);
            }
            assertThat(seen.baseline()).as("change %d", i).isEqualTo((double) past / BASELINE_WINDOWS);
        }
    }

    /**
     * The parser takes changes stamped up to an hour ahead. Counted in the rings, one of them (any page of the
     * partition) made the newest window an hour ahead: when the rule's windows then grew, no window before it
     * had a baseline, and no page could spike for that hour. They are not counted by the spike rule now.
     */
    @Test
    void shouldKeepBaselinesAfterAChangeStampedAheadOfTheClockWhenTheWindowsGrow() {
        long now = T0 + 30 * WINDOW_MS + 5_000;
        PageSpikeDetector detector = new PageSpikeDetector(WINDOW_MS, 10, () -> now);
        for (int m = 20; m < 30; m++) {
            detector.add("p", T0 + m * WINDOW_MS, BASELINE_WINDOWS);
            detector.add("p", T0 + m * WINDOW_MS + 1, BASELINE_WINDOWS);
        }
        assertThat(detector.add("q", now + 55 * WINDOW_MS, BASELINE_WINDOWS)).as("not counted here").isNull();

        PageSpikeDetector.Observation seen = detector.add("p", now, 2 * BASELINE_WINDOWS);
        assertThat(seen.changes()).isEqualTo(1);
        // Known before the rule grew: the 11 windows a ring of 10 + 1 held (19-29; 19 with no change).
        assertThat(seen.baseline()).isEqualTo(20.0 / 11);
        assertThat(detector.add("p", now + PageSpikeDetector.AHEAD_WINDOWS * WINDOW_MS, BASELINE_WINDOWS))
                .as("a few windows ahead: a clock behind the feed's").isNotNull();
    }

    /** A change stamped ahead held its page's ring slot, which then refused the real window of that slot. */
    @Test
    void shouldCountTheWindowWhoseSlotAChangeStampedAheadWouldHaveTaken() {
        long now = T0 + 30 * WINDOW_MS;
        PageSpikeDetector detector = new PageSpikeDetector(WINDOW_MS, 10, () -> now);
        detector.add("p", now + (BASELINE_WINDOWS + 1) * WINDOW_MS, BASELINE_WINDOWS); // the slot of now's window

        assertThat(detector.add("p", now, BASELINE_WINDOWS)).isNotNull().extracting(PageSpikeDetector.Observation::changes)
                .isEqualTo(1L);
    }

    /**
     * Counted up to an hour ahead before a restart whose stored counts could not be read: the windows up to
     * the clock's next one are partly unseen, not the hour ahead; baselines come back after them.
     */
    @Test
    void shouldKnowBaselinesSoonWhenTheHistoryUnknownReachesAheadOfTheClock() {
        long start = T0 + 30 * WINDOW_MS;
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(start);
        PageSpikeDetector detector = new PageSpikeDetector(WINDOW_MS, 10, clock::get);
        detector.historyUnknown(start + 55 * WINDOW_MS);
        int unseen = PageSpikeDetector.AHEAD_WINDOWS + 1; // windows 30-35 partly unseen; 36 the first seen whole
        for (int m = 0; m <= unseen; m++) {
            clock.set(start + m * WINDOW_MS);
            assertThat(detector.add("p", clock.get(), BASELINE_WINDOWS).baseline()).as("window %d", 30 + m).isNaN();
        }
        clock.set(start + (unseen + 1) * WINDOW_MS);
        assertThat(detector.add("p", clock.get(), BASELINE_WINDOWS).baseline()).as("window 36, seen whole").isEqualTo(1.0);
    }

    /**
     * History unknown (its stored counts unreadable): the first change's window and the one after it have
     * no baseline; from then on the windows seen whole make it, as many as have been seen.
     */
    @Test
    void shouldKnowNoBaselineBeforeTheFirstWholeWindowSeenWhenTheHistoryIsUnknown() {
        PageSpikeDetector detector = new PageSpikeDetector(WINDOW_MS, 10);
        detector.historyUnknown(T0 + 20_000); // counted up to the same window
        assertThat(detector.add("p", T0 + 30_000, BASELINE_WINDOWS).baseline()).as("mid-window: part seen").isNaN();
        assertThat(detector.add("q", T0 + 40_000, BASELINE_WINDOWS).baseline()).isNaN();
        for (int i = 0; i < 6; i++) {
            assertThat(detector.add("p", T0 + WINDOW_MS + i, BASELINE_WINDOWS).baseline()).isNaN();
        }
        assertThat(detector.add("p", T0 + 2 * WINDOW_MS, BASELINE_WINDOWS).baseline()).as("the window seen whole").isEqualTo(6.0);
        assertThat(detector.add("p", T0 + 3 * WINDOW_MS, BASELINE_WINDOWS).baseline()).isEqualTo((6.0 + 1) / 2);
    }

    /** The first change is a late one: the window counted up to before is partly unseen too. */
    @Test
    void shouldKnowNoBaselineUpToTheWindowCountedBeforeWhenTheFirstChangeIsLate() {
        PageSpikeDetector detector = new PageSpikeDetector(WINDOW_MS, 10);
        detector.historyUnknown(T0 + 2 * WINDOW_MS + 30_000);
        assertThat(detector.add("p", T0 + 10_000, BASELINE_WINDOWS).baseline()).as("late, two windows back").isNaN();
        assertThat(detector.add("p", T0 + 2 * WINDOW_MS + 40_000, BASELINE_WINDOWS).baseline()).isNaN();
        assertThat(detector.add("p", T0 + 3 * WINDOW_MS, BASELINE_WINDOWS).baseline()).as("no window seen whole").isNaN();
        assertThat(detector.add("p", T0 + 4 * WINDOW_MS, BASELINE_WINDOWS).baseline()).isEqualTo(1.0);
    }

    @Test
    void shouldCountALateChangeInItsOwnWindowWithoutDisturbingTheCurrentOne() {
        PageSpikeDetector detector = new PageSpikeDetector(WINDOW_MS, 10);
        detector.add("p", T0, BASELINE_WINDOWS);
        detector.add("p", T0 + 3 * WINDOW_MS, BASELINE_WINDOWS);

        PageSpikeDetector.Observation late = detector.add("p", T0 + 1, BASELINE_WINDOWS);
        PageSpikeDetector.Observation current = detector.add("p", T0 + 3 * WINDOW_MS + 1, BASELINE_WINDOWS);

        assertThat(late.changes()).isEqualTo(2);
        assertThat(current.changes()).isEqualTo(2);
        assertThat(current.baseline()).isEqualTo(2.0 / BASELINE_WINDOWS);
    }

    /**
     * A change a few windows late is judged by the baseline windows the page's ring still holds: the oldest ones'
     * slots hold the page's newer windows, and read as 0 they made a steady page (25 a minute) spike on one
     * change 8 minutes late (baseline 5), and on one 10 minutes late (baseline 0).
     */
    @Test
    void shouldJudgeALateChangeByTheBaselineWindowsTheRingStillHolds() {
        PageSpikeDetector detector = new PageSpikeDetector(WINDOW_MS, 10);
        for (int minute = 0; minute <= 20; minute++) {
            for (int i = 0; i < 25; i++) {
                detector.add("p", T0 + minute * WINDOW_MS + i, BASELINE_WINDOWS);
            }
        }

        PageSpikeDetector.Observation eightLate = detector.add("p", T0 + 12 * WINDOW_MS + 100, BASELINE_WINDOWS);
        PageSpikeDetector.Observation tenLate = detector.add("p", T0 + 10 * WINDOW_MS + 100, BASELINE_WINDOWS);
        PageSpikeDetector.Observation current = detector.add("p", T0 + 20 * WINDOW_MS + 100, BASELINE_WINDOWS);

        assertThat(eightLate.changes()).isEqualTo(26);
        assertThat(eightLate.baseline()).as("minutes 10 and 11: the ring holds no older one").isEqualTo(25.0);
        assertThat(tenLate.changes()).isEqualTo(26);
        assertThat(tenLate.baseline()).as("no baseline window held").isNaN();
        assertThat(current.baseline()).as("minutes 10 to 19, two of them 26").isEqualTo((8 * 25 + 2 * 26) / 10.0);
    }

    @Test
    void shouldIgnoreAChangeOlderThanThePagesCountsReachBackWithoutOverwritingANewerWindow() {
        PageSpikeDetector detector = new PageSpikeDetector(WINDOW_MS, 10);
        long current = T0 + 20 * WINDOW_MS;
        for (int minute = 9; minute <= 19; minute++) { // 3 a minute in the 10 windows before the current one
            for (int i = 0; i < 3; i++) {
                detector.add("p", T0 + minute * WINDOW_MS + i, BASELINE_WINDOWS);
            }
        }
        for (int i = 0; i < 15; i++) {
            detector.add("p", current + i, BASELINE_WINDOWS);
        }
        // 11 and 13 windows late: they share a slot of the 11-window ring with the current window and
        // with the oldest baseline window. Too late to count, and nothing the rule judges by changes.
        assertThat(detector.add("p", current - 11 * WINDOW_MS, BASELINE_WINDOWS)).isNull();
        assertThat(detector.add("p", T0 + 9 * WINDOW_MS - 2 * WINDOW_MS, BASELINE_WINDOWS)).isNull();

        PageSpikeDetector.Observation next = detector.add("p", current + 100, BASELINE_WINDOWS);
        assertThat(next.changes()).isEqualTo(16);
        assertThat(next.baseline()).isEqualTo(3.0);
    }

    @Test
    void shouldKeepTheCountsAndJudgeByTheWindowsItKnowsWhenTheNumberOfBaselineWindowsChanges() {
        PageSpikeDetector detector = new PageSpikeDetector(WINDOW_MS, 10);
        for (int minute = 0; minute < 11; minute++) {
            for (int i = 0; i < 25; i++) {
                detector.add("busy", T0 + minute * WINDOW_MS + i, BASELINE_WINDOWS);
            }
        }
        // Grown to 12 (at minute 11): only the last 11 windows were kept. They are all 25, and the two
        // windows no ring held are not taken for 0 (a baseline of 25 × 11 / 12 would be 22.9).
        PageSpikeDetector.Observation grown = detector.add("busy", T0 + 11 * WINDOW_MS, 12);
        assertThat(grown.changes()).isEqualTo(1);
        assertThat(grown.baseline()).isEqualTo(25.0);
        // Shrunk to 5: the 5 windows before, exactly.
        detector.add("busy", T0 + 11 * WINDOW_MS + 1, 5);
        assertThat(detector.add("busy", T0 + 12 * WINDOW_MS, 5).baseline()).isEqualTo((25.0 * 4 + 2) / 5);
        // A change to the oldest window kept: none of the windows before it is known, no baseline.
        PageSpikeDetector grownAtOnce = new PageSpikeDetector(WINDOW_MS, 10);
        grownAtOnce.add("a", T0, BASELINE_WINDOWS);
        assertThat(grownAtOnce.add("a", T0 - BASELINE_WINDOWS * WINDOW_MS, 12).baseline()).isNaN();
    }

    @Test
    void shouldForgetTheLeastRecentlyChangedPageBeyondTheBound() {
        PageSpikeDetector detector = new PageSpikeDetector(WINDOW_MS, 2);
        detector.add("a", T0, BASELINE_WINDOWS);
        detector.add("b", T0, BASELINE_WINDOWS);
        detector.add("a", T0, BASELINE_WINDOWS);
        detector.add("c", T0, BASELINE_WINDOWS); // evicts b, the least recently changed

        assertThat(detector.add("a", T0, BASELINE_WINDOWS).changes()).isEqualTo(3);
        assertThat(detector.add("b", T0, BASELINE_WINDOWS).changes()).as("forgotten, counted afresh").isEqualTo(1);
    }

    /**
     * A page forgotten beyond the bound and changed again had its windows read as 0: busy as usual for it, it was a
     * spike against a baseline of none. Its windows up to the newest forgotten one are not known; a page changed first
     * after those windows left the baseline is judged at once.
     */
    @Test
    void shouldNotJudgeAPageForgottenBeyondTheBoundAgainstNone() {
        PageSpikeDetector detector = new PageSpikeDetector(WINDOW_MS, 2, () -> T0 + 30 * WINDOW_MS);
        changes(detector, "busy", T0, 10, BASELINE_WINDOWS);
        detector.add("b", T0, BASELINE_WINDOWS);
        detector.add("c", T0, BASELINE_WINDOWS); // forgets busy, whose newest window is T0's

        assertThat(detector.add("busy", T0 + WINDOW_MS, BASELINE_WINDOWS).baseline()).as("its window T0 forgotten")
                .isNaN();
        changes(detector, "busy", T0 + WINDOW_MS, 9, BASELINE_WINDOWS);
        assertThat(detector.add("busy", T0 + 2 * WINDOW_MS, BASELINE_WINDOWS).baseline()).as("window 1 alone: 10 changes")
                .isEqualTo(10.0);
        assertThat(detector.add("new", T0 + 11 * WINDOW_MS, BASELINE_WINDOWS).baseline())
                .as("the forgotten window is out of its baseline: judged as any new page").isZero();
    }

    /** Forgotten again after it came back: its window since is forgotten too, not read as 0 from its new counts. */
    @Test
    void shouldNotJudgeAPageForgottenTwiceAgainstTheWindowItLostTheSecondTime() {
        PageSpikeDetector detector = new PageSpikeDetector(WINDOW_MS, 3, () -> T0 + 30 * WINDOW_MS);
        changes(detector, "busy", T0, 10, BASELINE_WINDOWS);
        detector.add("b", T0, BASELINE_WINDOWS);
        detector.add("c", T0, BASELINE_WINDOWS);
        detector.add("x", T0, BASELINE_WINDOWS); // forgets busy
        changes(detector, "busy", T0 + WINDOW_MS, 10, BASELINE_WINDOWS); // back (b forgotten): known from window 1
        detector.add("c", T0 + 2 * WINDOW_MS, BASELINE_WINDOWS);
        detector.add("x", T0 + 2 * WINDOW_MS, BASELINE_WINDOWS);
        detector.add("d", T0 + 2 * WINDOW_MS, BASELINE_WINDOWS); // forgets busy, the least recently changed, with window 1

        assertThat(detector.add("busy", T0 + 2 * WINDOW_MS, BASELINE_WINDOWS).baseline()).as("its window 1 forgotten")
                .isNaN();
    }

    /**
     * Every page held came back after pages were forgotten, each with its entry: the entries were bounded on their
     * own, and a new page's pushed out the entry of a page still held and busy, whose forgotten windows were then
     * read as 0 (a baseline of 20/3 where only window 1, 20, is known).
     */
    @Test
    void shouldKeepTheUnknownWindowsOfAPageStillHeldWhenEveryPageHeldCameBack() {
        PageSpikeDetector detector = new PageSpikeDetector(WINDOW_MS, 3, () -> T0 + 30 * WINDOW_MS);
        changes(detector, "busy", T0, 10, 3);
        detector.add("a", T0, 3);
        detector.add("b", T0, 3);
        detector.add("c", T0, 3); // forgets busy
        changes(detector, "busy", T0 + WINDOW_MS, 10, 3);
        detector.add("e", T0 + WINDOW_MS, 3);
        detector.add("f", T0 + WINDOW_MS, 3);
        changes(detector, "busy", T0 + WINDOW_MS, 10, 3); // held, the most recently changed
        detector.add("g", T0 + 2 * WINDOW_MS, 3); // forgets e

        assertThat(detector.add("busy", T0 + 2 * WINDOW_MS, 3).baseline()).as("window 1 alone").isEqualTo(20.0);
    }

    /** {@code times} changes of {@code page} in the window at {@code windowStart}. */
    private static void changes(PageSpikeDetector detector, String page, long windowStart, int times, int baselineWindows) {
        for (int i = 0; i < times; i++) {
            detector.add(page, windowStart, baselineWindows);
        }
    }

    @Test
    void shouldObserveTheSameAfterSeedingWithStoredCountsAsAfterAddingEachChange() {
        Random random = new Random(12);
        List<Change> history = new ArrayList<>();
        long t = T0;
        for (int i = 0; i < 4_000; i++) {
            t += random.nextInt(600);
            history.add(new Change("enwiki:Page " + (int) Math.abs(random.nextGaussian() * 6), t));
        }
        List<Change> before = history.subList(0, 2_500);
        List<Change> after = history.subList(2_500, history.size());
        PageSpikeDetector oneByOne = new PageSpikeDetector(WINDOW_MS, 1000);
        before.forEach(c -> oneByOne.add(c.page(), c.timeMs(), BASELINE_WINDOWS));
        // What page_edit_counts holds for the first part: changes per page and window, in window order.
        Map<Long, Map<String, Long>> stored = new TreeMap<>();
        for (Change c : before) {
            stored.computeIfAbsent(Math.floorDiv(c.timeMs(), WINDOW_MS) * WINDOW_MS, w -> new HashMap<>())
                    .merge(c.page(), 1L, Long::sum);
        }
        PageSpikeDetector seeded = new PageSpikeDetector(WINDOW_MS, 1000);
        stored.forEach((window, pages) -> pages.forEach((page, n) -> seeded.seed(page, window, n, BASELINE_WINDOWS)));

        for (Change c : after) {
            assertThat(seeded.add(c.page(), c.timeMs(), BASELINE_WINDOWS))
                    .isEqualTo(oneByOne.add(c.page(), c.timeMs(), BASELINE_WINDOWS));
        }
    }

    private static long countIn(List<Change> history, String page, long window) {
        long n = 0;
        for (Change c : history) {
            if (c.page().equals(page) && Math.floorDiv(c.timeMs(), WINDOW_MS) == window) {
                n++;
            }
        }
        return n;
    }

    /**
     * A page whose counts were seeded in another partition is not judged against none; the check ends once no
     * seeded window is in a baseline, counted from the clock's window at most: a row stamped 59 minutes ahead
     * (accepted up to max-future-skew) kept it on, and such pages unjudged, for an hour.
     */
    @Test
    void shouldNotJudgeAMovedPageAgainstNoneAndStopLookingOnceNoSeededWindowIsInABaseline() {
        java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong(T0);
        PageSpikeDetector detector = new PageSpikeDetector(WINDOW_MS, 1000, now::get);
        detector.seededAs(0, 4, T0 + 59 * WINDOW_MS);
        String moved = RecentChange.partitionKey("enwiki", WarmUpTest.titleIn(1, "a")); // partition 1, not 0

        assertThat(detector.add(moved, T0 + WINDOW_MS, BASELINE_WINDOWS).baseline()).as("counts elsewhere").isNaN();

        now.set(T0 + 16 * WINDOW_MS); // past the clock's window + 5 ahead + 10 baseline windows
        assertThat(detector.add(RecentChange.partitionKey("enwiki", WarmUpTest.titleIn(1, "b")), T0 + 16 * WINDOW_MS,
                BASELINE_WINDOWS).baseline())
                .as("judged as any page new here").isZero();
    }
}
