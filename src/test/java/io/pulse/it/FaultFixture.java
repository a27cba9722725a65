package io.pulse.it;

import static io.pulse.it.StoredAggregates.restrictTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

import io.pulse.ingest.PulseHeaders;
import io.pulse.source.wikimedia.RecentChange;
import io.pulse.testkit.PulseInfra;

/**
 * What the process-level fault tests share: generated input, a producer, and the exact-totals
 * assertion. Each test isolates itself by its own wiki, topic and consumer group.
 */
final class FaultFixture {

    private FaultFixture() {
    }

    /** The test infrastructure, also exposed as the configuration StoredAggregates and TopicReader read. */
    static PulseInfra infra() {
        PulseInfra infra = PulseInfra.get();
        System.setProperty("kafka.bootstrap.servers", infra.bootstrapServers());
        System.setProperty("quarkus.datasource.jdbc.url", infra.jdbcUrl());
        System.setProperty("quarkus.datasource.username", infra.postgres().username());
        return infra;
    }

    /**
     * A packaged Pulse that reads {@code feed} into {@code topic} and aggregates that topic in
     * {@code group} (replicas of one deployment share it).
     */
    static PulseProcess ingesting(String name, TestSseServer feed, String topic, String group) {
        return PulseProcess.ingesting(name, feed.url()).consuming(topic, group)
                .property("mp.messaging.outgoing.wikimedia-events-out.topic", topic);
    }

    /**
     * {@code count} events of one wiki over the last half hour, two hours ago (recent enough not to be
     * refused, old enough that no clock skew matters), with users, pages, types, namespaces, bots and
     * lengths varied by a seeded generator; timestamps never decrease, as in a live feed.
     */
    static List<String> events(String wiki, int count, long seed) {
        return events(wiki, count, seed, Instant.now().minusSeconds(2 * 3600).getEpochSecond());
    }

    /** As {@link #events(String, int, long)}, over the half hour from {@code start} (epoch seconds). */
    static List<String> events(String wiki, int count, long seed, long start) {
        Random random = new Random(seed);
        String[] types = { "edit", "edit", "edit", "new", "log", "categorize" };
        List<String> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long timestamp = start + (long) i * 1800 / count;
            String type = types[random.nextInt(types.length)];
            boolean bot = random.nextInt(5) == 0;
            int oldLength = random.nextInt(5000);
            int newLength = Math.max(0, oldLength + random.nextInt(400) - 200);
            int namespace = random.nextInt(4);
            String title = "Page " + random.nextInt(200);
            String user = "User " + random.nextInt(60);
            out.add(event(wiki, wiki + "-" + seed + "-" + i, type, namespace, title, user, bot, timestamp, oldLength,
                    newLength));
        }
        return out;
    }

    /** One recentchange event, as the feed sends it. */
    static String event(String wiki, String id, String type, int namespace, String title, String user, boolean bot,
            long timestamp, int oldLength, int newLength) {
        return "{\"$schema\":\"/mediawiki/recentchange/1.0.0\",\"meta\":{\"id\":\"" + id + "\",\"domain\":\""
                + wiki + ".example.org\",\"dt\":\"" + Instant.ofEpochSecond(timestamp) + "\"},\"type\":\"" + type
                + "\",\"namespace\":" + namespace + ",\"title\":\"" + title + "\",\"comment\":\"\",\"timestamp\":"
                + timestamp + ",\"user\":\"" + user + "\",\"bot\":" + bot + ",\"length\":{\"old\":" + oldLength
                + ",\"new\":" + newLength + "},\"wiki\":\"" + wiki + "\"}";
    }

    /** Produces the events to {@code topic} keyed by page, as the ingest does; returns once all are acknowledged. */
    static void produce(String topic, List<String> events) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, PulseInfra.get().bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (String event : events) {
                String wiki = event.replaceAll(".*\"wiki\":\"([^\"]*)\".*", "$1");
                String title = event.replaceAll(".*\"title\":\"([^\"]*)\".*", "$1");
                producer.send(new ProducerRecord<>(topic, RecentChange.partitionKey(wiki, title), event));
            }
            producer.flush();
        }
    }

    /** The SSE id the feed stand-in gives an event: its timestamp, as Wikimedia's ids carry. */
    static String sseIdOf(String event) {
        return TestSseServer.idFor(timestampOf(event) * 1000);
    }

    /** An event's {@code timestamp} field (epoch seconds). */
    static long timestampOf(String event) {
        return Long.parseLong(event.replaceAll(".*\"timestamp\":(\\d+).*", "$1"));
    }

    /**
     * Waits until the feed stand-in stops sending (a second without a new event), then for {@code quiet}
     * more without one; answers how many it had sent.
     */
    static int awaitFeedStalled(TestSseServer feed, Duration quiet) {
        int[] previous = { -1 };
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            int sent = feed.eventsSent();
            boolean still = sent == previous[0];
            previous[0] = sent;
            return still;
        });
        int stalledAt = feed.eventsSent();
        await().during(quiet).atMost(quiet.plusSeconds(10)).until(() -> feed.eventsSent() == stalledAt);
        return stalledAt;
    }

    /** The persisted ingest resume position. */
    static String persistedEventId() {
        return StoredAggregates.text(
                "SELECT max(last_event_id) FROM ingest_checkpoints WHERE source = '" + TestSseServer.CHECKPOINT + "'");
    }

    /** Forgets any other feed's resume position (the table exists once a Pulse process has migrated). */
    static void forgetIngestPosition() {
        StoredAggregates.execute("DO $$ BEGIN IF to_regclass('ingest_checkpoints') IS NOT NULL THEN"
                + " DELETE FROM ingest_checkpoints; END IF; END $$");
    }

    /** Changes counted in PostgreSQL for one wiki, all windows. */
    static long counted(String wiki) {
        return StoredAggregates.scalar("SELECT coalesce(sum(changes), 0) FROM wiki_edit_counts WHERE wiki = ?", wiki);
    }

    /**
     * Waits until the wiki's changes reach {@code total}, then checks they stay there for two seconds
     * (on purpose: a batch applied twice would show up as more).
     */
    static void awaitCounted(String wiki, long total) {
        await().atMost(Duration.ofSeconds(120)).until(() -> counted(wiki) >= total);
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10)).until(() -> counted(wiki) == total);
    }

    /** Every table, every window of the wiki, equals the plain-loop totals: nothing lost, nothing doubled. */
    static void assertExactTotals(ExpectedAggregates expected, String wiki) {
        assertThat(restrictTo(StoredAggregates.wikiWindows(wiki), expected.wikiWindows)).isEqualTo(expected.wikiWindows);
        assertThat(restrictTo(StoredAggregates.userChanges(wiki), expected.wikiWindows)).isEqualTo(expected.userChanges);
        assertThat(restrictTo(StoredAggregates.pageChanges(wiki), expected.wikiWindows)).isEqualTo(expected.pageChanges);
        assertThat(restrictTo(StoredAggregates.typeChanges(wiki), expected.wikiWindows)).isEqualTo(expected.typeChanges);
        assertThat(restrictTo(StoredAggregates.namespaceChanges(wiki), expected.wikiWindows))
                .isEqualTo(expected.namespaceChanges);
    }

    /** The topic holds each expected event exactly once, by {@code meta.id} (the ingest's event id header). */
    static void assertPublishedOnce(String topic, List<String> expectedIds) {
        Set<String> eventIds = new HashSet<>(expectedIds);
        Map<String, Long> published = TopicReader.readAll(topic).stream()
                .map(r -> TopicReader.header(r, PulseHeaders.EVENT_ID))
                .filter(eventIds::contains)
                .collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
        assertThat(published).hasSize(eventIds.size());
        assertThat(published.values()).allMatch(count -> count == 1);
    }
}
