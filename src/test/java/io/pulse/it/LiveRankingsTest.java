package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.pulse.api.metrics.SnapshotHub;
import io.pulse.store.BotFilter;
import io.pulse.store.LiveRankings;
import io.pulse.store.ReadFilter;
import io.pulse.store.TopItems;
import io.pulse.store.TopQueries;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The live rankings against a plain loop over the events sent, and against the statement that reads
 * every row: through Kafka, the aggregator and PostgreSQL, on a day of its own in 2010.
 */
@QuarkusTest
class LiveRankingsTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final int WINDOWS = 6;

    @Inject
    LiveRankings rankings;

    @Inject
    TopQueries top;

    @Inject
    MeterRegistry registry;

    @Inject
    SnapshotHub hub;

    /** One change as sent: where, what, who, when. */
    record Change(String wiki, String title, String user, boolean bot, long timestamp) {
    }

    @Test
    void shouldRankSkewedWindowsFromTheirListsAndStayExactWhenAnOldWindowGrows() {
        String wiki = "rankwiki" + Long.toString(System.nanoTime(), 36);
        Instant start = day();
        Random random = new Random(11);
        List<Change> changes = new ArrayList<>();
        for (int w = 0; w < WINDOWS; w++) {
            for (int i = 0; i < 1_500; i++) {
                int page = zipf(random, 3_000);
                int user = zipf(random, 400);
                changes.add(new Change(wiki, "Page " + page, "User " + user, user % 5 == 0,
                        start.getEpochSecond() + w * 60L + random.nextInt(60)));
            }
        }
        send(changes);
        ReadFilter all = new ReadFilter(start, start.plusSeconds(60L * WINDOWS), wiki, BotFilter.INCLUDE);

        // No live feed ranks meanwhile: the counters below are this test's alone.
        await().atMost(WAIT).until(() -> hub.subscribers() == 0);
        double fromListsBefore = answers("lists");
        assertThat(titles(rankings.pages(all, 10).await().atMost(WAIT))).isEqualTo(topPagesByLoop(changes, c -> true, 10));
        assertThat(users(rankings.users(all, 10).await().atMost(WAIT))).isEqualTo(topUsersByLoop(changes, c -> true, 10));
        assertThat(answers("lists") - fromListsBefore).as("both settled from the window lists").isEqualTo(2);
        assertThat(rankings.pages(all, 10).await().atMost(WAIT)).isEqualTo(top.pages(all, 10).await().atMost(WAIT));
        assertThat(rankings.users(all, 10).await().atMost(WAIT)).isEqualTo(top.users(all, 10).await().atMost(WAIT));

        // Late changes to the oldest window, after its list was kept: a page listed nowhere rises to the top.
        List<Change> late = new ArrayList<>();
        for (int i = 0; i < 1_500; i++) {
            late.add(new Change(wiki, "Late riser", "Late user", false, start.getEpochSecond() + 30));
        }
        send(late);
        changes.addAll(late);
        List<String> expectedPages = topPagesByLoop(changes, c -> true, 10);
        assertThat(expectedPages.get(0)).isEqualTo("Late riser");
        assertThat(titles(rankings.pages(all, 10).await().atMost(WAIT))).isEqualTo(expectedPages);
        assertThat(users(rankings.users(all, 10).await().atMost(WAIT))).isEqualTo(topUsersByLoop(changes, c -> true, 10));

        // Bot filters go through the same lists.
        ReadFilter botsOnly = new ReadFilter(all.from(), all.to(), wiki, BotFilter.ONLY);
        ReadFilter humans = new ReadFilter(all.from(), all.to(), wiki, BotFilter.EXCLUDE);
        assertThat(titles(rankings.pages(botsOnly, 5).await().atMost(WAIT))).isEqualTo(topPagesByLoop(changes, Change::bot, 5));
        assertThat(users(rankings.users(humans, 5).await().atMost(WAIT))).isEqualTo(topUsersByLoop(changes, c -> !c.bot(), 5));
    }

    @Test
    void shouldReadEveryRowWhenFlatCountsCannotBeSettledFromTheLists() {
        String wiki = "flatwiki" + Long.toString(System.nanoTime(), 36);
        Instant start = day();
        List<Change> changes = new ArrayList<>();
        // Every page once per window: any page could be first, the lists cannot tell.
        for (int w = 0; w < WINDOWS; w++) {
            for (int page = 0; page < 300; page++) {
                changes.add(new Change(wiki, "Flat " + page, "Flat user " + page, false, start.getEpochSecond() + w * 60L + 1));
            }
        }
        changes.add(new Change(wiki, "Flat 299", "Flat user 299", false, start.getEpochSecond() + 2));
        send(changes);
        ReadFilter all = new ReadFilter(start, start.plusSeconds(60L * WINDOWS), wiki, BotFilter.INCLUDE);

        await().atMost(WAIT).until(() -> hub.subscribers() == 0);
        double everyRowBefore = answers("every-row");
        assertThat(titles(rankings.pages(all, 3).await().atMost(WAIT))).isEqualTo(topPagesByLoop(changes, c -> true, 3))
                .startsWith("Flat 299");
        assertThat(answers("every-row") - everyRowBefore).isEqualTo(1);
    }

    private static Instant day() {
        // A minute-aligned start on a random day of 2010, which no other test uses.
        long day = Instant.parse("2010-01-01T00:00:00Z").getEpochSecond() + 86_400L * ThreadLocalRandom.current().nextInt(365);
        return Instant.ofEpochSecond(day + 60L * ThreadLocalRandom.current().nextInt(1_000));
    }

    private double answers(String from) {
        var counter = registry.find("pulse.rankings.answers").tag("from", from).counter();
        return counter == null ? 0 : counter.count();
    }

    private static void send(List<Change> changes) {
        String wiki = changes.get(0).wiki();
        long before = StoredAggregates.scalar("SELECT coalesce(sum(changes), 0) FROM wiki_edit_counts WHERE wiki = ?", wiki);
        List<String> lines = new ArrayList<>();
        for (Change c : changes) {
            lines.add(json(c));
        }
        TopicReader.produce(WikimediaPipelineTest.TOPIC, lines);
        await().atMost(WikimediaPipelineTest.PATIENCE).until(() -> StoredAggregates.scalar(
                "SELECT coalesce(sum(changes), 0) FROM wiki_edit_counts WHERE wiki = ?", wiki) == before + changes.size());
    }

    private static String json(Change c) {
        return "{\"$schema\":\"/mediawiki/recentchange/1.0.0\",\"meta\":{\"id\":\"" + java.util.UUID.randomUUID()
                + "\",\"domain\":\"" + c.wiki() + ".example.org\",\"dt\":\"2010-01-01T00:00:00Z\"},\"type\":\"edit\","
                + "\"namespace\":0,\"title\":\"" + c.title() + "\",\"comment\":\"\",\"timestamp\":" + c.timestamp()
                + ",\"user\":\"" + c.user() + "\",\"bot\":" + c.bot() + ",\"length\":{\"old\":10,\"new\":15},\"wiki\":\""
                + c.wiki() + "\"}";
    }

    /** 0..n-1, Zipf-skewed (s=1) by inversion over the harmonic weights. */
    private static int zipf(Random random, int n) {
        double sum = 0;
        for (int k = 1; k <= n; k++) {
            sum += 1.0 / k;
        }
        double pick = random.nextDouble() * sum;
        for (int k = 1; k <= n; k++) {
            pick -= 1.0 / k;
            if (pick <= 0) {
                return k - 1;
            }
        }
        return n - 1;
    }

    private static List<String> topPagesByLoop(List<Change> changes, Predicate<Change> counted, int n) {
        Map<String, Long> totals = new HashMap<>();
        changes.stream().filter(counted).forEach(c -> totals.merge(c.title(), 1L, Long::sum));
        return ranked(totals, n);
    }

    private static List<String> topUsersByLoop(List<Change> changes, Predicate<Change> counted, int n) {
        Map<String, Long> totals = new HashMap<>();
        changes.stream().filter(counted).forEach(c -> totals.merge(c.user(), 1L, Long::sum));
        return ranked(totals, n);
    }

    /** By changes, then by name (ASCII names: Java's order is the store's byte order). */
    private static List<String> ranked(Map<String, Long> totals, int n) {
        return totals.entrySet().stream()
                .sorted(Comparator.<Map.Entry<String, Long>>comparingLong(Map.Entry::getValue).reversed()
                        .thenComparing(Map.Entry::getKey))
                .limit(n).map(Map.Entry::getKey).toList();
    }

    private static List<String> titles(List<TopItems.Page> pages) {
        return pages.stream().map(TopItems.Page::title).toList();
    }

    private static List<String> users(List<TopItems.User> users) {
        return users.stream().map(TopItems.User::user).toList();
    }
}
