package io.pulse.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which of the events a phase sent never reached the topic, by their place in the sending order. The latencies map the
 * k-th record to the k-th event sent: with events missing early, every later figure is off by the time they took to
 * send (the 6,355 of bench/README.md 64, about 0.64 s at 10,000/s, showed as a steady 0.72 s lag). Where the gap lies
 * says what lost them: at the start (the feed resumed past them), spread out, or at the end (never published).
 */
final class MissingEvents {

    /** The generator's events carry {@code meta.request_id} just before {@code meta.id}. */
    private static final Pattern META_ID = Pattern.compile("\"request_id\":\"[^\"]*\",\"id\":\"([^\"]+)\"");
    private static final int RANGES_SHOWN = 5;

    private MissingEvents() {
    }

    /** The event's {@code meta.id}, which the ingest publishes in its event-id header; null when it has none. */
    static String idOf(String json) {
        Matcher m = META_ID.matcher(json);
        return m.find() ? m.group(1) : null;
    }

    /** The ranges {from, to} (inclusive) of indices in {@code sent} whose id is not among {@code published}. */
    static List<long[]> ranges(String[] sent, Collection<String> published) {
        Set<String> in = published instanceof Set<String> set ? set : new HashSet<>(published);
        List<long[]> ranges = new ArrayList<>();
        for (int i = 0; i < sent.length; i++) {
            if (in.contains(sent[i])) {
                continue;
            }
            long[] last = ranges.isEmpty() ? null : ranges.get(ranges.size() - 1);
            if (last != null && last[1] == i - 1) {
                last[1] = i;
            } else {
                ranges.add(new long[] { i, i });
            }
        }
        return ranges;
    }

    /** E.g. "6355 of 450000 missing: 0-6354 (6355)"; the first few ranges, then how many more. */
    static String describe(List<long[]> ranges, int sent) {
        long missing = ranges.stream().mapToLong(r -> r[1] - r[0] + 1).sum();
        StringBuilder out = new StringBuilder().append(missing).append(" of ").append(sent).append(" missing");
        for (int i = 0; i < Math.min(RANGES_SHOWN, ranges.size()); i++) {
            long[] r = ranges.get(i);
            out.append(i == 0 ? ": " : ", ").append(r[0]).append('-').append(r[1]).append(" (").append(r[1] - r[0] + 1)
                    .append(')');
        }
        if (ranges.size() > RANGES_SHOWN) {
            out.append(", and ").append(ranges.size() - RANGES_SHOWN).append(" ranges more");
        }
        return out.toString();
    }
}
