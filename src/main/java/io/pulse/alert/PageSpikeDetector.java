package io.pulse.alert;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-page change counts of the current and the last few event-time windows, for the spike rule.
 * Fed in partition order (the Kafka key is {@code wiki:title}, so each page lives in one partition).
 * Bounded: the least recently changed pages are forgotten beyond {@code maxPages}. Not thread-safe.
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

    private static int slot(long[] ring, long w) {
        return (int) Math.floorMod(w, (long) ring.length);
    }

    private static long count(long[] ring, long w) {
        long s = ring[slot(ring, w)];
        return s != EMPTY && s >> COUNT_BITS == w ? s & MAX_COUNT : 0;
    }

    private static long add(long[] ring, long w, long n) {
        int i = slot(ring, w);
        long s = ring[i];
        long changes = Math.min(MAX_COUNT, (s != EMPTY && s >> COUNT_BITS == w ? s & MAX_COUNT : 0) + n);
        ring[i] = w << COUNT_BITS | changes;
        return changes;
    }

    /** The count of the event's window after adding it, and the baseline (mean of the previous windows). */
    public record Observation(long windowStartMs, long changes, double baseline) {
    }

    private final long windowMs;
    private final Map<String, long[]> pages;

    public PageSpikeDetector(long windowMs, int maxPages) {
        this.windowMs = windowMs;
        this.pages = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, long[]> eldest) {
                return size() > maxPages;
            }
        };
    }

    public Observation add(String page, long eventTimeMs, int baselineWindows) {
        long[] ring = ring(page, baselineWindows);
        long w = Math.floorDiv(eventTimeMs, windowMs);
        long changes = add(ring, w, 1);
        long past = 0;
        for (int i = 1; i <= baselineWindows; i++) {
            past += count(ring, w - i);
        }
        return new Observation(w * windowMs, changes, baselineWindows == 0 ? 0 : (double) past / baselineWindows);
    }

    /**
     * Adds {@code changes} counted elsewhere (the stored page counts) to one window of a page, as if
     * each had been {@link #add added}. Fed in ascending window order, so that the pages kept within
     * the bound are the most recently changed ones, as they would be after adding the changes one by one.
     */
    public void seed(String page, long windowStartMs, long changes, int baselineWindows) {
        if (changes > 0) {
            add(ring(page, baselineWindows), Math.floorDiv(windowStartMs, windowMs), changes);
        }
    }

    private long[] ring(String page, int baselineWindows) {
        long[] ring = pages.get(page);
        if (ring == null || ring.length != baselineWindows + 1) {
            ring = new long[baselineWindows + 1];
            Arrays.fill(ring, EMPTY);
            pages.put(page, ring);
        }
        return ring;
    }
}
