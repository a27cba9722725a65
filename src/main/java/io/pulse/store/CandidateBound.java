package io.pulse.store;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which keys can be in the top n of a range of windows, knowing only each window's own top keys: a
 * threshold test in the manner of Fagin's algorithms. Counts only grow (the store's upserts add), so a
 * window listed when it held fewer changes still bounds every key: an unlisted key has at most the
 * window's last listed count plus what the window gained since, a listed one its listed count plus
 * that gain. A key listed nowhere can reach the sum of those bounds; when that sum is below the n-th
 * largest known total, the top n is among the listed keys, and only those whose bound reaches the
 * n-th known total need their exact totals read.
 */
final class CandidateBound {

    /**
     * One window as listed: its top keys and counts (all its keys when fewer than asked for), the most
     * an unlisted key had then (0 when every key was listed), and the changes it gained since.
     */
    record Window<K>(Map<K, Long> listed, long unlistedAtMost, long grownSince) {
    }

    private CandidateBound() {
    }

    /**
     * The keys whose exact totals decide the top n, or null when a key listed in no window might
     * belong there (list again the windows that grew, or read every row).
     */
    static <K> Set<K> keysToCheck(List<Window<K>> windows, int n) {
        if (n <= 0) {
            return Set.of();
        }
        long unlistedTotal = 0;
        long grownTotal = 0;
        for (Window<K> w : windows) {
            unlistedTotal += w.unlistedAtMost();
            grownTotal += w.grownSince();
        }
        Map<K, long[]> bounds = new HashMap<>(); // key -> {known total, bound on its total}
        for (Window<K> w : windows) {
            w.listed().forEach((key, count) -> {
                long[] b = bounds.computeIfAbsent(key, k -> new long[2]);
                b[0] += count;
                b[1] += count - w.unlistedAtMost(); // replaces this window's share of the unlisted bound
            });
        }
        long anyUnlisted = unlistedTotal + grownTotal;
        if (bounds.size() < n) {
            // Fewer keys listed than asked for: complete only if no other key can have a change.
            return anyUnlisted == 0 ? Set.copyOf(bounds.keySet()) : null;
        }
        List<Long> known = new ArrayList<>(bounds.size());
        bounds.values().forEach(b -> known.add(b[0]));
        Collections.sort(known, Collections.reverseOrder());
        long nth = known.get(n - 1);
        // An unlisted key tied with the n-th could still win the tie on its name: strictly below only.
        if (anyUnlisted >= nth) {
            return null;
        }
        Set<K> check = new HashSet<>();
        bounds.forEach((key, b) -> {
            if (b[1] + anyUnlisted >= nth) {
                check.add(key);
            }
        });
        return check;
    }
}
