package io.pulse.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.DiscreteSampler;
import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;

class CandidateBoundTest {

    @Test
    void shouldAlwaysKeepTheTrueTopAmongTheKeysToCheck() {
        UniformRandomProvider random = RandomSource.XO_RO_SHI_RO_128_PP.create(42L);
        int conclusive = 0;
        int inconclusive = 0;
        for (int round = 0; round < 500; round++) {
            int windows = 1 + random.nextInt(30);
            int keys = 5 + random.nextInt(2000);
            int perWindow = 10 + random.nextInt(3000);
            double skew = 0.01 + random.nextDouble() * 1.49; // near 0: flat, 1.5: a few keys take most changes
            int listed = 10 + random.nextInt(100);
            int n = 1 + random.nextInt(20);
            List<Map<String, Long>> before = counts(random, windows, keys, perWindow, skew);
            List<CandidateBound.Window<String>> lists = new ArrayList<>();
            List<Map<String, Long>> after = new ArrayList<>();
            for (Map<String, Long> window : before) {
                // Listed at some point, then grown by late or new changes the list has not seen.
                CandidateBound.Window<String> list = list(window, listed);
                Map<String, Long> grown = new HashMap<>(window);
                long gained = 0;
                int more = random.nextInt(4) == 0 ? random.nextInt(perWindow) : 0;
                for (int i = 0; i < more; i++) {
                    grown.merge("k" + random.nextInt(keys), 1L, Long::sum);
                    gained++;
                }
                lists.add(new CandidateBound.Window<>(list.listed(), list.unlistedAtMost(), gained));
                after.add(grown);
            }

            Set<String> check = CandidateBound.keysToCheck(lists, n);

            if (check == null) {
                inconclusive++;
                continue;
            }
            conclusive++;
            assertThat(check).as("round %d", round).containsAll(topByLoop(after, n));
        }
        // Seed 42 settles 69 of the 500 rounds: many windows of flat counts cannot be.
        assertThat(conclusive).as("some rounds are settled from the lists").isGreaterThan(30);
        assertThat(inconclusive).as("flat data is not").isGreaterThan(10);
    }

    @Test
    void shouldSettleABusyFeedFromItsListsAlone() {
        // As the benchmark's pages: Zipf-skewed, s=1, five windows of a busy feed, 100 listed per window.
        UniformRandomProvider random = RandomSource.XO_RO_SHI_RO_128_PP.create(7L);
        List<Map<String, Long>> windows = counts(random, 5, 50_000, 20_000, 1.0);
        List<CandidateBound.Window<String>> lists = windows.stream().map(w -> list(w, 100)).toList();

        Set<String> check = CandidateBound.keysToCheck(lists, 10);

        assertThat(check).isNotNull().containsAll(topByLoop(windows, 10));
        assertThat(check.size()).as("exact totals read for a few keys only").isLessThan(100);
    }

    @Test
    void shouldCheckOnlyTheKeysThatCanStillReachTheTop() {
        // Two windows; "a" and "b" lead everywhere, "z" is listed once far below.
        var first = new CandidateBound.Window<>(Map.of("a", 100L, "b", 90L, "z", 5L), 5, 0);
        var second = new CandidateBound.Window<>(Map.of("a", 80L, "b", 70L, "c", 6L), 6, 0);

        assertThat(CandidateBound.keysToCheck(List.of(first, second), 2)).containsExactlyInAnyOrder("a", "b");
    }

    @Test
    void shouldGiveUpWhenAnUnlistedKeyCouldTieTheLast() {
        var first = new CandidateBound.Window<>(Map.of("a", 10L), 5, 0);
        var second = new CandidateBound.Window<>(Map.of("b", 10L), 5, 0);

        // "c", listed nowhere, may have 5 + 5 = 10 and win the tie on its name.
        assertThat(CandidateBound.keysToCheck(List.of(first, second), 2)).isNull();
    }

    @Test
    void shouldCountWhatAWindowGainedSinceItWasListed() {
        var listed = new CandidateBound.Window<>(Map.of("a", 50L, "b", 40L), 0, 0);
        var grown = new CandidateBound.Window<>(Map.of("a", 50L, "b", 40L), 0, 50);

        assertThat(CandidateBound.keysToCheck(List.of(listed), 2)).containsExactlyInAnyOrder("a", "b");
        assertThat(CandidateBound.keysToCheck(List.of(grown), 1)).as("50 new changes may all be a new key's, tied with a").isNull();
        assertThat(CandidateBound.keysToCheck(List.of(grown), 3)).as("fewer keys than asked, and more may exist").isNull();
    }

    @Test
    void shouldTakeEveryKeyWhenEveryWindowListedAllOfItsKeys() {
        var small = new CandidateBound.Window<>(Map.of("a", 1L, "b", 1L), 0, 0);

        assertThat(CandidateBound.keysToCheck(List.of(small, small), 10)).containsExactlyInAnyOrder("a", "b");
    }

    private static List<Map<String, Long>> counts(UniformRandomProvider random, int windows, int keys, int perWindow,
            double skew) {
        DiscreteSampler zipf = RejectionInversionZipfSampler.of(random, keys, skew);
        List<Map<String, Long>> out = new ArrayList<>();
        for (int w = 0; w < windows; w++) {
            Map<String, Long> window = new HashMap<>();
            for (int e = 0; e < perWindow; e++) {
                window.merge("k" + (zipf.sample() - 1), 1L, Long::sum);
            }
            out.add(window);
        }
        return out;
    }

    /** What the store's per-window statement returns: the top rows, and the last one's count if cut. */
    private static CandidateBound.Window<String> list(Map<String, Long> window, int limit) {
        List<Map.Entry<String, Long>> rows = window.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(limit).toList();
        Map<String, Long> listed = new LinkedHashMap<>();
        rows.forEach(e -> listed.put(e.getKey(), e.getValue()));
        long bound = rows.size() == limit ? rows.get(rows.size() - 1).getValue() : 0;
        return new CandidateBound.Window<>(listed, bound, 0);
    }

    /** The top n by total, ties by key, with a plain loop over every window. */
    private static List<String> topByLoop(List<Map<String, Long>> windows, int n) {
        Map<String, Long> totals = new HashMap<>();
        windows.forEach(w -> w.forEach((k, c) -> totals.merge(k, c, Long::sum)));
        return totals.entrySet().stream()
                .sorted(Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue).reversed()
                        .thenComparing(Map.Entry::getKey))
                .limit(n).map(Map.Entry::getKey).toList();
    }
}
