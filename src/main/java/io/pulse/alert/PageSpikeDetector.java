package io.pulse.alert;

import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Per-page change counts of the current and the last few event-time windows, for the spike rule.
 * Fed in partition order (the Kafka key is {@code wiki:title}, so each page lives in one partition).
 * Bounded: the least recently changed pages are forgotten beyond {@code maxPages} (what their windows held is then
 * unknown, not 0, for a page not held). Not thread-safe.
 */
public final class PageSpikeDetector {

    /*
     * Counts of one page: a ring of baselineWindows + 1 slots indexed by window number, each slot
     * packing the window number (high bits) with that window's count (low 22 bits, saturating).
     * One long[] per page: up to maxPages of them live for hours, so their size sets the heap the
     * service needs (two long[] and a holder per page were 70 MB of the 120 MB live in the benchmark).
     */
    private static final int COUNT_BITS = 22;
    private static final long MAX_COUNT = (1L << COUNT_BITS) - 1;
    private static final long EMPTY = Long.MIN_VALUE;
    /** Windows past the clock's own that are still counted ({@link #ahead}). */
    static final int AHEAD_WINDOWS = 5;

    private static int slot(long[] ring, long w) {
        return (int) Math.floorMod(w, (long) ring.length);
    }

    private static long count(long[] ring, long w) {
        long s = ring[slot(ring, w)];
        return s != EMPTY && s >> COUNT_BITS == w ? s & MAX_COUNT : 0;
    }

    private static long newestIn(long[] ring) {
        long newest = Long.MIN_VALUE;
        for (long s : ring) {
            if (s != EMPTY) {
                newest = Math.max(newest, s >> COUNT_BITS);
            }
        }
        return newest;
    }

    /** Adds to window {@code w}'s count; -1 when the slot holds a newer window (a change too late to keep). */
    private static long add(long[] ring, long w, long n) {
        int i = slot(ring, w);
        long s = ring[i];
        if (s != EMPTY && s >> COUNT_BITS > w) {
            return -1;
        }
        long changes = Math.min(MAX_COUNT, (s != EMPTY && s >> COUNT_BITS == w ? s & MAX_COUNT : 0) + n);
        ring[i] = w << COUNT_BITS | changes;
        return changes;
    }

    /**
     * The count of the event's window after adding it, and the baseline: the mean of the previous
     * windows, or NaN when none of them is known (right after the number of windows grew).
     */
    public record Observation(long windowStartMs, long changes, double baseline) {
    }

    private final long windowMs;
    private final LongSupplier clock;
    /** The newest window not {@link #ahead} at the last clock read. */
    private long notAheadUpTo = Long.MIN_VALUE;
    private final Map<String, long[]> pages;
    /** The number of baseline windows the rings are sized for; -1 before the first change. */
    private int windows = -1;
    /** The newest window counted, in any page. */
    private long newest = Long.MIN_VALUE;
    /**
     * The first window whose counts are complete in every ring: when the rule's number of windows grows,
     * the rings held only the last ones (older windows are not known, rather than 0).
     */
    private long knownFrom = Long.MIN_VALUE;
    /** Set by {@link #historyUnknown(long)}: the first change's window fixes {@link #knownFrom}. */
    private boolean historyUnknown;
    /** The newest event time counted before, whose window is partly unseen too (late changes come first). */
    private long unseenUpToMs;
    /** The partition whose changes this counts, and how many the topic had when it was seeded ({@link #seededAs}). */
    private int partition;
    /** 0 once no page's counts can be elsewhere. */
    private int seededPartitions;
    /** The newest window seeded (not ahead of the clock). */
    private long seededUpTo;
    /**
     * Pages whose counts are not all here (seeded elsewhere, or forgotten beyond the bound): the window from which they
     * are known. Each goes once it has a whole baseline of its own.
     */
    private final Map<String, Long> knownFromOf;
    /**
     * The newest window of any page forgotten beyond the bound: a page not held, changed again, may be one, and its
     * counts up to there are not known (read as 0, a page usual for it was a spike against a baseline of none).
     */
    private long forgottenUpTo = Long.MIN_VALUE;
    private final int maxPages;

    public PageSpikeDetector(long windowMs, int maxPages) {
        this(windowMs, maxPages, System::currentTimeMillis);
    }

    PageSpikeDetector(long windowMs, int maxPages, LongSupplier clock) {
        this.windowMs = windowMs;
        this.clock = clock;
        this.maxPages = maxPages;
        // Bounded by the pages: an entry is made for a page as it is added, and goes with it when it is forgotten.
        this.knownFromOf = new HashMap<>();
        this.pages = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
                if (size() <= maxPages) {
                    return false;
                }
                forgottenUpTo = Math.max(forgottenUpTo, newestIn(eldest.getValue()));
                knownFromOf.remove(eldest.getKey()); // its windows since are forgotten too: known again from the mark
                return true;
            }
        };
    }

    /**
     * Null when the change is older than the page's counts reach back (more than baselineWindows late), or
     * stamped ahead of the clock ({@link #ahead}).
     */
    public Observation add(String page, long eventTimeMs, int baselineWindows) {
        long w = Math.floorDiv(eventTimeMs, windowMs);
        if (ahead(w)) {
            return null;
        }
        if (historyUnknown) {
            historyUnknown = false;
            // This window's changes before this one are not known either, nor those of the newest window
            // counted before, should this change be a late one.
            knownFrom = Math.max(w, Math.floorDiv(unseenUpToMs, windowMs)) + 1;
        }
        Long pageKnownFrom = historyElsewhere(page, w, baselineWindows);
        long[] ring = ring(page, baselineWindows);
        long changes = add(ring, w, 1);
        if (changes < 0) {
            return null;
        }
        newest = Math.max(newest, w);
        long known = knownFrom == Long.MIN_VALUE ? baselineWindows : Math.max(0, Math.min(baselineWindows, w - knownFrom));
        if (pageKnownFrom != null) {
            known = Math.max(0, Math.min(known, w - pageKnownFrom));
        }
        // A late change's oldest baseline windows may be gone from the ring, their slots taken by the page's newer
        // windows: read as 0, they made a steady page spike on one change a few windows late. Unknown instead.
        if (w < newest) { // else no window of the page is newer: the ring holds every baseline window
            known = Math.min(known, Math.max(0, baselineWindows - (newestIn(ring) - w)));
        }
        long past = 0;
        for (int i = 1; i <= known; i++) {
            past += count(ring, w - i);
        }
        double baseline = baselineWindows == 0 ? 0 : known == 0 ? Double.NaN : (double) past / known;
        return new Observation(w * windowMs, changes, baseline);
    }

    /**
     * What came before the first change it will be given is unknown (the stored counts could not be read):
     * the windows up to that change's, or up to {@code countedUpToMs} (the newest event time counted
     * before) if later, have no known count rather than 0 changes, so they make no baseline. Judged
     * against zeros, every page busy as usual would be a spike in the first windows.
     */
    public void historyUnknown(long countedUpToMs) {
        historyUnknown = true;
        // No further than the windows add() counts: a change stamped an hour ahead left no baseline for an hour.
        unseenUpToMs = Math.min(countedUpToMs, (newestCountableWindow() + 1) * windowMs - 1);
    }

    /**
     * The stored counts were seeded into the states of the partitions their pages hash to among
     * {@code numPartitions}, up to {@code newestSeededMs}'s window. After partitions were added to the topic, a
     * producer that has not seen them yet (its metadata refresh: up to 5 minutes) still sends a page to its old
     * partition, while its counts were seeded under its new one: judged here against no counts, a baseline of 0,
     * every busy page that moved was a spike. Such a page (no ring here, another partition by the count seeded
     * with) has no baseline until it has a whole window of its own here. Checked for the rule's baseline windows
     * (as of each change) after the newest seeded one: later, no seeded count is in a baseline.
     */
    public void seededAs(int partition, int numPartitions, long newestSeededMs) {
        this.partition = partition;
        this.seededPartitions = numPartitions;
        // Not past the windows counted at all: a row stamped an hour ahead kept the check on for that hour.
        this.seededUpTo = Math.min(Math.floorDiv(newestSeededMs, windowMs), newestCountableWindow());
    }

    /** The newest window {@link #add} counts now: {@link #AHEAD_WINDOWS} past the clock's. */
    private long newestCountableWindow() {
        return Math.floorDiv(clock.getAsLong(), windowMs) + AHEAD_WINDOWS;
    }

    /**
     * The first window whose count is known for a page whose counts are not all here: seeded elsewhere, or maybe
     * forgotten beyond the bound (null for any other).
     */
    private Long historyElsewhere(String page, long w, int baselineWindows) {
        if (!knownFromOf.isEmpty()) {
            Long known = knownFromOf.get(page);
            if (known != null) {
                if (w - known < baselineWindows) {
                    return known;
                }
                knownFromOf.remove(page); // a whole baseline of its own by now
            }
        }
        if (seededPartitions != 0 && w > seededUpTo + baselineWindows) {
            seededPartitions = 0; // no seeded count is in a baseline any more
        }
        boolean forgotten = forgottenUpTo != Long.MIN_VALUE && w - baselineWindows <= forgottenUpTo;
        if (!forgotten && seededPartitions == 0 || pages.containsKey(page)) {
            return null;
        }
        // Not known here: its windows up to the newest one forgotten (a later one is all here: a page is forgotten
        // with its newest window); up to the newest one seeded, and this change's, whose earlier changes may have
        // been counted elsewhere.
        long from = forgotten ? forgottenUpTo + 1 : Long.MIN_VALUE;
        if (seededPartitions != 0 && WarmUp.partitionOf(page, seededPartitions) != partition) {
            from = Math.max(from, Math.max(w, seededUpTo) + 1);
        }
        if (from == Long.MIN_VALUE) {
            return null;
        }
        knownFromOf.put(page, from);
        return from;
    }

    /**
     * Adds {@code changes} counted elsewhere (the stored page counts) to one window of a page, as if
     * each had been {@link #add added}. Fed in ascending window order, so that the pages kept within
     * the bound are the most recently changed ones, as they would be after adding the changes one by one.
     */
    public void seed(String page, long windowStartMs, long changes, int baselineWindows) {
        long w = Math.floorDiv(windowStartMs, windowMs);
        if (changes > 0 && !ahead(w)) {
            if (add(ring(page, baselineWindows), w, changes) >= 0) {
                newest = Math.max(newest, w);
            }
        }
    }

    /**
     * A window more than {@link #AHEAD_WINDOWS} past the clock's. The parser accepts changes stamped up to an hour ahead; counted
     * here, one such change made {@link #newest} that far ahead, and when the rule's windows grew no window
     * before it had a baseline, so no page of the partition could spike for up to an hour; its own ring
     * slot, holding the future window, refused the real window of that slot. Not counted here, then (the
     * aggregates count it as usual). {@link #AHEAD_WINDOWS} windows are allowed for a clock behind the feed's:
     * with one, a host clock two minutes slow passed over every live change, and the rule went quiet.
     */
    private boolean ahead(long w) {
        if (w <= notAheadUpTo) {
            return false; // the clock only moves on: no need to read it for every change of the drain
        }
        notAheadUpTo = newestCountableWindow();
        return w > notAheadUpTo;
    }

    /**
     * The page's ring, sized for {@code baselineWindows} (the rule may have been changed at run time):
     * a ring of another size is copied into one of this size, newest windows first, so a change to the
     * rule keeps the counts it can.
     */
    private long[] ring(String page, int baselineWindows) {
        if (baselineWindows != windows) {
            if (windows >= 0 && baselineWindows > windows && newest != Long.MIN_VALUE) {
                knownFrom = Math.max(knownFrom, newest - windows);
            }
            windows = baselineWindows;
        }
        long[] ring = pages.get(page);
        if (ring == null || ring.length != baselineWindows + 1) {
            long[] resized = new long[baselineWindows + 1];
            Arrays.fill(resized, EMPTY);
            if (ring != null) {
                for (long s : ring) {
                    if (s != EMPTY) {
                        int i = slot(resized, s >> COUNT_BITS);
                        if (resized[i] == EMPTY || resized[i] >> COUNT_BITS < s >> COUNT_BITS) {
                            resized[i] = s;
                        }
                    }
                }
            }
            pages.put(page, resized);
            ring = resized;
        }
        return ring;
    }
}
