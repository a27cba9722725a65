package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.inject.Inject;

import org.apache.commons.rng.UniformRandomProvider;
import org.apache.commons.rng.sampling.distribution.DiscreteSampler;
import org.apache.commons.rng.sampling.distribution.RejectionInversionZipfSampler;
import org.apache.commons.rng.simple.RandomSource;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pulse.aggregate.AggregateConfig;
import io.pulse.api.metrics.SnapshotHub;
import io.pulse.store.BotFilter;
import io.pulse.store.BoundedReads;
import io.pulse.store.LiveRankings;
import io.pulse.store.RankingsConfig;
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

    @Inject
    BoundedReads reads;

    @Inject
    AggregateConfig aggregate;

    /** One change as sent: where, what, who, when. */
    record Change(String wiki, String title, String user, boolean bot, long timestamp) {
    }

    @Test
    void shouldRankSkewedWindowsFromTheirListsAndStayExactWhenAnOldWindowGrows() {
        String wiki = "rankwiki" + Long.toString(System.nanoTime(), 36);
        Instant start = day();
        List<Change> changes = skewed(wiki, start, 11L, 3_000, 400, 1_500);
        send(changes);
        ReadFilter all = new ReadFilter(start, start.plusSeconds(60L * WINDOWS), wiki, BotFilter.INCLUDE);

        // No live feed ranks meanwhile: the counters below are this test's alone.
        await().atMost(WAIT).until(() -> hub.subscribers() == 0);
        double fromListsBefore = answers("lists");
        assertThat(titles(rankings.pages(all, 10).await().atMost(WAIT))).isEqualTo(topPagesByLoop(changes, "include", 10));
        assertThat(users(rankings.users(all, 10).await().atMost(WAIT))).isEqualTo(topUsersByLoop(changes, "include", 10));
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
        List<String> expectedPages = topPagesByLoop(changes, "include", 10);
        assertThat(expectedPages.get(0)).startsWith("Late riser:");
        assertThat(titles(rankings.pages(all, 10).await().atMost(WAIT))).isEqualTo(expectedPages);
        assertThat(users(rankings.users(all, 10).await().atMost(WAIT))).isEqualTo(topUsersByLoop(changes, "include", 10));

        // Bot filters go through the same lists.
        ReadFilter botsOnly = new ReadFilter(all.from(), all.to(), wiki, BotFilter.ONLY);
        ReadFilter humans = new ReadFilter(all.from(), all.to(), wiki, BotFilter.EXCLUDE);
        assertThat(titles(rankings.pages(botsOnly, 5).await().atMost(WAIT))).isEqualTo(topPagesByLoop(changes, "only", 5));
        assertThat(users(rankings.users(humans, 5).await().atMost(WAIT))).isEqualTo(topUsersByLoop(changes, "exclude", 5));
    }

    /**
     * A range of more windows than the list cache holds (or other feeds' lists crowding this one's out):
     * a window listed in this ranking is not listed again because the cache evicted it meanwhile. It
     * used to be, over and over (303 listings of these 6 windows), each a scan of the window, and for
     * as long as the evictions kept up the ranking never answered and its feed sent no snapshot.
     */
    @Test
    void shouldSettleARangeOfMoreWindowsThanTheCacheHolds() {
        String wiki = "evictwiki" + Long.toString(System.nanoTime(), 36);
        Instant start = day();
        List<Change> changes = skewed(wiki, start, 12L, 1_000, 50, 500);
        send(changes);
        ReadFilter all = new ReadFilter(start, start.plusSeconds(60L * WINDOWS), wiki, BotFilter.INCLUDE);
        var counted = new SimpleMeterRegistry();
        var twoLists = new LiveRankings(reads, top, new RankingsConfig() {
            @Override
            public int candidatesPerWindow() {
                return 100;
            }

            @Override
            public int cachedLists() {
                return 2;
            }

            @Override
            public int minWindows() {
                return 3;
            }
        }, aggregate, counted);

        assertThat(titles(twoLists.pages(all, 10).await().atMost(WAIT))).isEqualTo(topPagesByLoop(changes, "include", 10));
        assertThat(counted.counter("pulse.rankings.answers", "from", "lists").count()).isEqualTo(1);
        assertThat(counted.counter("pulse.rankings.window.lists").count()).as("each window listed once")
                .isEqualTo(WINDOWS);
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
        assertThat(titles(rankings.pages(all, 3).await().atMost(WAIT))).isEqualTo(topPagesByLoop(changes, "include", 3))
                .startsWith("Flat 299:7");
        assertThat(answers("every-row") - everyRowBefore).isEqualTo(1);
    }

    /**
     * {@code perWindow} changes in each of the {@link #WINDOWS} windows from {@code start}: Zipf-skewed pages
     * and users (a fifth of the users bots), at random seconds, the same for the same seed.
     */
    private static List<Change> skewed(String wiki, Instant start, long seed, int pageCount, int userCount,
            int perWindow) {
        UniformRandomProvider random = RandomSource.XO_RO_SHI_RO_128_PP.create(seed);
        DiscreteSampler pages = RejectionInversionZipfSampler.of(random, pageCount, 1.0);
        DiscreteSampler users = RejectionInversionZipfSampler.of(random, userCount, 1.0);
        List<Change> changes = new ArrayList<>();
        for (int w = 0; w < WINDOWS; w++) {
            for (int i = 0; i < perWindow; i++) {
                int page = pages.sample() - 1;
                int user = users.sample() - 1;
                changes.add(new Change(wiki, "Page " + page, "User " + user, user % 5 == 0,
                        start.getEpochSecond() + w * 60L + random.nextInt(60)));
            }
        }
        return changes;
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

    /** The expectation: the tests' own plain loops over the changes sent ({@link Expected}). */
    private static List<String> topPagesByLoop(List<Change> changes, String bot, int n) {
        return Expected.topPages(events(changes), bot, n).stream().map(p -> p.get("title") + ":" + p.get("changes")).toList();
    }

    private static List<String> topUsersByLoop(List<Change> changes, String bot, int n) {
        return Expected.topUsers(events(changes), bot, n).stream().map(u -> u.get("user") + ":" + u.get("changes")).toList();
    }

    private static List<Expected.Event> events(List<Change> changes) {
        return changes.stream().map(c -> new Expected.Event(c.wiki(), c.wiki() + ".example.org", "edit", 0, c.title(),
                c.user(), c.bot(), c.timestamp(), 5)).toList();
    }

    private static List<String> titles(List<TopItems.Page> pages) {
        return pages.stream().map(p -> p.title() + ":" + p.changes()).toList();
    }

    private static List<String> users(List<TopItems.User> users) {
        return users.stream().map(u -> u.user() + ":" + u.changes()).toList();
    }
}
