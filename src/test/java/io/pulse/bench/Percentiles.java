package io.pulse.bench;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** p50/p95/p99 of a sample, nearest-rank. */
final class Percentiles {

    /** As {@link #of(long[])}, and how many of the {@code expected} values are missing, if any: never silently. */
    static Map<String, Object> of(long[] values, int expected) {
        Map<String, Object> out = of(values);
        if (values.length < expected) {
            out.put("missing", expected - values.length);
        }
        return out;
    }

    static Map<String, Object> of(long[] values) {
        Map<String, Object> out = new LinkedHashMap<>();
        if (values.length == 0) {
            return out;
        }
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        for (int p : new int[] { 50, 95, 99 }) {
            int rank = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
            out.put("p" + p, sorted[Math.max(0, rank)]);
        }
        out.put("samples", sorted.length);
        return out;
    }

    private Percentiles() {
    }
}
