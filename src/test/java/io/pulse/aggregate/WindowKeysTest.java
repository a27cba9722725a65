package io.pulse.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;

import org.junit.jupiter.api.Test;

/**
 * The keys' natural order is the lock order of concurrent replicas: it must be window, wiki, then the
 * dimension, exactly. Checked against a plain comparison of the fields' values on many random keys,
 * with deliberate ties on the leading fields so that every level decides somewhere.
 */
class WindowKeysTest {

    private static final String[] WIKIS = { "enwiki", "dewiki", "wikidatawiki", "commonswiki", "Zwiki" };
    private static final String[] NAMES = { "Alice", "alice", "Bob", "Ünïcode", "", "A/B", "Page 1", "Page 10", "Page 2" };

    private final Random random = new Random(42);

    @Test
    void shouldOrderPagesByWindowThenWikiThenTitle() {
        assertOrder(() -> new WindowKeys.Page(window(), pick(WIKIS), pick(NAMES)),
                k -> List.of(k.windowStart(), k.wiki(), k.title()));
    }

    @Test
    void shouldOrderUsersByWindowThenWikiThenUser() {
        assertOrder(() -> new WindowKeys.User(window(), pick(WIKIS), pick(NAMES)),
                k -> List.of(k.windowStart(), k.wiki(), k.user()));
    }

    @Test
    void shouldOrderTypesByWindowThenWikiThenType() {
        assertOrder(() -> new WindowKeys.Type(window(), pick(WIKIS), pick(NAMES)),
                k -> List.of(k.windowStart(), k.wiki(), k.type()));
    }

    @Test
    void shouldOrderNamespacesByWindowThenWikiThenNumber() {
        assertOrder(() -> new WindowKeys.Namespace(window(), pick(WIKIS), random.nextInt(7) - 2),
                k -> List.of(k.windowStart(), k.wiki(), k.namespace()));
    }

    @Test
    void shouldOrderWikisByWindowThenWiki() {
        assertOrder(() -> new WindowKeys.Wiki(window(), pick(WIKIS)), k -> List.of(k.windowStart(), k.wiki()));
    }

    /** Sorts 2,000 random keys by their natural order and compares with a field-by-field expectation. */
    private <K extends Comparable<K>> void assertOrder(Supplier<K> keys, Function<K, List<Object>> fields) {
        List<K> shuffled = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            shuffled.add(keys.get());
        }
        List<K> natural = new ArrayList<>(shuffled);
        Collections.sort(natural);
        List<K> expected = new ArrayList<>(shuffled);
        expected.sort((a, b) -> compareFields(fields.apply(a), fields.apply(b)));
        assertEquals(expected, natural);
    }

    @SuppressWarnings({ "unchecked", "rawtypes" })
    private static int compareFields(List<Object> a, List<Object> b) {
        for (int i = 0; i < a.size(); i++) {
            int c = ((Comparable) a.get(i)).compareTo(b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private long window() {
        // A few windows, negative ones included (before 1970 is still a valid event time).
        return (random.nextInt(5) - 1) * 60_000L;
    }

    private String pick(String[] values) {
        return values[random.nextInt(values.length)];
    }
}
