package io.pulse.alert;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Per-page change counts of the current and the last few event-time windows, for the spike rule.
 * Fed in partition order (the Kafka key is {@code wiki:title}, so each page lives in one partition).
 * Bounded: the least recently changed pages are forgotten beyond {@code maxPages}. Not thread-safe.
 */
public final class PageSpikeDetector {

    /** Counts of one page, a ring of {@code baselineWindows + 1} slots indexed by window number. */
    private static final class History {
        final long[] window;
        final long[] count;

        History(int slots) {
            window = new long[slots];
            count = new long[slots];
            java.util.Arrays.fill(window, Long.MIN_VALUE);
        }

        long count(long w) {
            int slot = (int) Math.floorMod(w, (long) window.length);
            return window[slot] == w ? count[slot] : 0;
        }

        long add(long w) {
            int slot = (int) Math.floorMod(w, (long) window.length);
            if (window[slot] != w) {
                window[slot] = w;
                count[slot] = 0;
            }
            return ++count[slot];
        }
    }

    /** The count of the event's window after adding it, and the baseline (mean of the previous windows). */
    public record Observation(long windowStartMs, long changes, double baseline) {
    }

    private final long windowMs;
    private final Map<String, History> pages;

    public PageSpikeDetector(long windowMs, int maxPages) {
        this.windowMs = windowMs;
        this.pages = new LinkedHashMap<>(1024, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, History> eldest) {
                return size() > maxPages;
            }
        };
    }

    public Observation add(String page, long eventTimeMs, int baselineWindows) {
        History h = pages.get(page);
        if (h == null || h.window.length != baselineWindows + 1) {
            h = new History(baselineWindows + 1);
            pages.put(page, h);
        }
        long w = Math.floorDiv(eventTimeMs, windowMs);
        long changes = h.add(w);
        long past = 0;
        for (int i = 1; i <= baselineWindows; i++) {
            past += h.count(w - i);
        }
        return new Observation(w * windowMs, changes, baselineWindows == 0 ? 0 : (double) past / baselineWindows);
    }
}
