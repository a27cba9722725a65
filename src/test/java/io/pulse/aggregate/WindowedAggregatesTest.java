package io.pulse.aggregate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.pulse.source.wikimedia.RecentChange;

class WindowedAggregatesTest {

    private static final long MINUTE = 60_000;

    private final WindowedAggregates aggregates = new WindowedAggregates(new WindowSpec(MINUTE, 0));

    @Test
    void shouldStartEmpty() {
        assertTrue(aggregates.isEmpty());
        assertEquals(0, aggregates.events());
        assertEquals(MINUTE, aggregates.windowSizeMs());
    }

    @Test
    void shouldFoldChangesOfOneWindowIntoOneMeasurePerDimensionValue() {
        aggregates.add(change("Alice", "edit", 0, "Page A", false, 15_000, +100), false);
        aggregates.add(change("Alice", "edit", 0, "Page A", false, 59_999, -30), false);
        aggregates.add(change("RoboBot", "new", 2, "User:Page B", true, 1_000, +500), true);

        Measures wiki = aggregates.wikis().get(new WindowKeys.Wiki(0, "enwiki"));
        assertEquals(1, aggregates.wikis().size());
        assertEquals(3, wiki.changes());
        assertEquals(1, wiki.botChanges());
        assertTrue(wiki.anyBot());
        assertEquals(600, wiki.bytesAdded());
        assertEquals(30, wiki.bytesRemoved());
        assertEquals(1, wiki.newPages());
        assertEquals(1, wiki.lateEvents());

        assertEquals(2, aggregates.types().get(new WindowKeys.Type(0, "enwiki", "edit")).changes());
        assertEquals(1, aggregates.types().get(new WindowKeys.Type(0, "enwiki", "new")).changes());
        assertEquals(2, aggregates.namespaces().get(new WindowKeys.Namespace(0, "enwiki", 0)).changes());
        assertEquals(2, aggregates.namespaces().get(new WindowKeys.Namespace(0, "enwiki", 2)).namespace());
        Measures alice = aggregates.users().get(new WindowKeys.User(0, "enwiki", "Alice"));
        assertEquals(2, alice.changes());
        assertFalse(alice.anyBot());
        assertEquals(Set.of("Page A", "User:Page B"), Set.copyOf(
                aggregates.pages().keySet().stream().map(WindowKeys.Page::title).toList()));
        assertEquals(3, aggregates.events());
        assertEquals(1, aggregates.lateEvents());
    }

    @Test
    void shouldKeepWindowsApart() {
        aggregates.add(change("Alice", "edit", 0, "Page", false, MINUTE - 1, 1), false);
        aggregates.add(change("Alice", "edit", 0, "Page", false, MINUTE, 1), false);
        aggregates.add(change("Alice", "edit", 0, "Page", false, -1, 1), false);

        assertEquals(Set.of(new WindowKeys.Wiki(-MINUTE, "enwiki"), new WindowKeys.Wiki(0, "enwiki"),
                new WindowKeys.Wiki(MINUTE, "enwiki")), aggregates.wikis().keySet());
        assertEquals(Map.of("wikis", 3, "users", 3, "pages", 3), aggregates.sizes());
    }

    @Test
    void shouldLeaveChangesWithoutUserOutOfTheUserDimension() {
        aggregates.add(change(null, "log", RecentChange.NO_NAMESPACE, "Special:Log", false, 0, 0), false);

        assertEquals(0, aggregates.users().size());
        assertEquals(1, aggregates.wikis().get(new WindowKeys.Wiki(0, "enwiki")).changes());
        assertEquals(1, aggregates.namespaces().get(new WindowKeys.Namespace(0, "enwiki", -1)).changes());
    }

    private static RecentChange change(String user, String type, int namespace, String title, boolean bot,
            long timeMs, long delta) {
        return new RecentChange(user + title + timeMs, "en.wikipedia.org", "enwiki", type, namespace, title, user,
                bot, timeMs, delta, null);
    }
}
