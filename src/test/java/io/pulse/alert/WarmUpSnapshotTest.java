package io.pulse.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.pulse.aggregate.AggregateConfig;
import io.pulse.aggregate.ConsumedRecord;
import io.pulse.it.StoredAggregates;
import io.pulse.it.TopicReader;
import io.pulse.source.wikimedia.ParseResult;
import io.pulse.source.wikimedia.RecentChange;
import io.pulse.store.AggregateStore;
import io.pulse.store.KnownOffsets;
import io.pulse.store.Stopping;
import io.pulse.store.StoredOffsetSeeker;
import io.pulse.testkit.ConfigMappings;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A rebalance moves a partition while its previous owner still commits a batch. The new owner seeks to
 * the stored offsets and rebuilds the spike baselines from the stored page counts; should that batch
 * commit between the two reads, it would be in the baselines and also delivered again from the older
 * offsets: counted twice by the spike rule, a spike that never happened. Both reads are one snapshot.
 * The batch is made to commit exactly there: it holds the page counts' table lock until the seeker
 * waits for it, after reading the offsets.
 */
@QuarkusTest
class WarmUpSnapshotTest {

    static final String WIKI = "snapshotwiki";
    static final String PAGE = "Moved page";
    static final String GROUP = "warm-up-snapshot";
    static final String TOPIC = "pulse.warm-up-snapshot";
    static final long MINUTE = 60_000;
    // Long ago: the test's rows are in no window another test reads.
    static final long T0 = Instant.parse("2001-01-01T00:00:00Z").toEpochMilli();
    static final long STORED_OFFSET = 100;
    static final int STORED_IN_WINDOW = 4;
    static final int OLD_OWNERS_BATCH = 14;

    @Inject
    AgroalDataSource jdbc;

    @Inject
    AggregateStore store;

    @Inject
    AlertConfig config;

    @Inject
    AlertRules rules;

    @Inject
    AggregateConfig aggregate;

    @ConfigProperty(name = "kafka.bootstrap.servers")
    String bootstrap;

    @AfterEach
    void removeRows() throws Exception {
        try (Connection c = jdbc.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM page_edit_counts WHERE wiki = '" + WIKI + "'");
            s.executeUpdate("DELETE FROM consumer_offsets WHERE consumer_group = '" + GROUP + "'");
        }
    }

    @Test
    void shouldNotCountTheBatchThePreviousOwnerCommitsDuringTheAssignmentTwice() throws Exception {
        PageSpikeRule rule = rules.refresh().replaceWith(rules::current).await().atMost(Duration.ofSeconds(30)).pageSpike();
        assertThat(List.of(rule.minChanges(), rule.factor(), rule.baselineWindows())).as("the defaults this test is built on")
                .containsExactly(20L, 5.0, 10);
        createTopic();
        long window = T0 + 10 * MINUTE;
        // Stored: 4 changes a minute for ten minutes, then 4 in the current window, up to offset 100.
        try (Connection c = jdbc.getConnection()) {
            for (int minute = 0; minute <= 10; minute++) {
                insertCount(c, T0 + minute * MINUTE, STORED_IN_WINDOW);
            }
        }
        StoredAggregates.storeOffset(GROUP, TOPIC, 0, STORED_OFFSET, Instant.ofEpochMilli(window + 30_000));
        // The previous owner's next batch: 14 more in the current window, 18 in all, no spike (20 needed).
        List<ConsumedRecord> batch = new ArrayList<>();
        for (int i = 0; i < OLD_OWNERS_BATCH; i++) {
            RecentChange change = new RecentChange("moved-" + i, "snapshot.example.org", WIKI, "edit", 0, PAGE,
                    "User " + i, false, window + 31_000 + i, 10, null);
            batch.add(new ConsumedRecord(0, STORED_OFFSET + i, null, (byte[]) null, new ParseResult.Accepted(change)));
        }

        AlertPartitions partitions = new AlertPartitions(aggregate.window().toMillis(), 1_000_000);
        var seeker = seeker(partitions);
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(); Connection previousOwner = jdbc.getConnection()) {
            consumer.assign(List.of(tp));
            // The previous owner's transaction, as AggregateStore writes it, holding the page counts' lock.
            previousOwner.setAutoCommit(false);
            try (Statement s = previousOwner.createStatement()) {
                s.execute("LOCK TABLE page_edit_counts IN ACCESS EXCLUSIVE MODE");
                s.executeUpdate("UPDATE page_edit_counts SET changes = changes + " + OLD_OWNERS_BATCH
                        + " WHERE wiki = '" + WIKI + "' AND window_start = '" + Instant.ofEpochMilli(window) + "'");
                s.executeUpdate("UPDATE consumer_offsets SET next_offset = " + (STORED_OFFSET + OLD_OWNERS_BATCH)
                        + " WHERE consumer_group = '" + GROUP + "'");
            }
            var assigned = CompletableFuture.runAsync(() -> seeker.onPartitionsAssigned(consumer, List.of(tp)));
            // The seeker read the offsets and now waits to read the page counts: the batch commits.
            await().atMost(Duration.ofSeconds(30)).until(this::pageCountsReadWaitsForTheLock);
            previousOwner.commit();
            assigned.get(60, TimeUnit.SECONDS);

            assertThat(consumer.position(tp)).as("resumes at the offsets read before the batch committed")
                    .isEqualTo(STORED_OFFSET);
        }
        // The batch is delivered again to the new owner (outside a group: generation -1), which counts it
        // once: still 18, no spike.
        assertThat(PerChangeAlerts.evaluate(batch, -1, rules.current(), partitions)).isEmpty();
    }

    /**
     * The page counts could not be read (the connection lost mid-read): the baselines used to start as
     * zeros, and a page busy as usual, 25 changes a minute where 15 were stored, was a spike at once.
     * They now start unknown: no spike until whole windows of the page have been seen.
     */
    @Test
    void shouldJudgeNoSpikeAgainstZerosWhenTheStoredCountsCouldNotBeRead() throws Exception {
        createTopic();
        long window = T0 + 10 * MINUTE;
        try (Connection c = jdbc.getConnection()) {
            for (int minute = 0; minute < 10; minute++) {
                insertCount(c, T0 + minute * MINUTE, 15);
            }
        }
        StoredAggregates.storeOffset(GROUP, TOPIC, 0, STORED_OFFSET, Instant.ofEpochMilli(window - 30_000));
        List<ConsumedRecord> busyAsUsual = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            RecentChange change = new RecentChange("usual-" + i, "snapshot.example.org", WIKI, "edit", 0, PAGE,
                    "User " + i, false, window + i * 1000, 10, null);
            busyAsUsual.add(new ConsumedRecord(0, STORED_OFFSET + i, null, (byte[]) null, new ParseResult.Accepted(change)));
        }

        AlertPartitions partitions = new AlertPartitions(aggregate.window().toMillis(), 1_000_000);
        var seeker = seeker(partitions);
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(); Connection locker = jdbc.getConnection()) {
            consumer.assign(List.of(tp));
            locker.setAutoCommit(false);
            try (Statement s = locker.createStatement()) {
                s.execute("LOCK TABLE page_edit_counts IN ACCESS EXCLUSIVE MODE");
            }
            var assigned = CompletableFuture.runAsync(() -> seeker.onPartitionsAssigned(consumer, List.of(tp)));
            await().atMost(Duration.ofSeconds(30)).until(this::pageCountsReadWaitsForTheLock);
            try (Statement s = locker.createStatement()) { // the read's connection lost
                s.execute("SELECT pg_terminate_backend(pid)" + PAGE_COUNTS_READ_WAITING);
            }
            locker.rollback();
            assigned.get(60, TimeUnit.SECONDS);
            assertThat(consumer.position(tp)).as("the offsets were read").isEqualTo(STORED_OFFSET);
        }
        assertThat(PerChangeAlerts.evaluate(busyAsUsual, -1, rules.current(), partitions)).isEmpty();
    }

    /**
     * Not even the stored offsets could be read (the database away past {@code stored-offsets-patience}): the partition
     * is read from its start, and its first window, days old, was judged against baselines of zeros: every page with
     * 20 changes in it was a spike, raised again as new. Now that window is unknown, as when only the counts are.
     */
    @Test
    void shouldJudgeNoSpikeAgainstZerosWhenNotEvenTheStoredOffsetsCouldBeRead() throws Exception {
        createTopic();
        List<ConsumedRecord> fromTheStart = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            RecentChange change = new RecentChange("first-" + i, "snapshot.example.org", WIKI, "edit", 0, PAGE,
                    "User " + i, false, T0 + i * 1000, 10, null);
            fromTheStart.add(new ConsumedRecord(0, i, null, (byte[]) null, new ParseResult.Accepted(change)));
        }

        AlertPartitions partitions = new AlertPartitions(aggregate.window().toMillis(), 1_000_000);
        AggregateConfig impatient = ConfigMappings.of(AggregateConfig.class,
                Map.of("pulse.aggregate.stored-offsets-patience", "1s"));
        var seeker = new StoredOffsetSeeker(store, KnownOffsets.NONE, new WarmUp(partitions, config, rules, aggregate),
                new Stopping(), impatient, GROUP);
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (KafkaConsumer<byte[], byte[]> consumer = consumer(); Connection locker = jdbc.getConnection()) {
            consumer.assign(List.of(tp));
            locker.setAutoCommit(false);
            try (Statement s = locker.createStatement()) {
                s.execute("LOCK TABLE consumer_offsets IN ACCESS EXCLUSIVE MODE");
            }
            try {
                seeker.onPartitionsAssigned(consumer, List.of(tp));
            } finally {
                locker.rollback();
            }
        }
        assertThat(PerChangeAlerts.evaluate(fromTheStart, -1, rules.current(), partitions)).as("its first window").isEmpty();
        // Once a whole window has been seen, it is a baseline: 25 a minute, then 150 in the next are a spike.
        List<ConsumedRecord> next = new ArrayList<>();
        for (int i = 0; i < 150; i++) {
            RecentChange change = new RecentChange("next-" + i, "snapshot.example.org", WIKI, "edit", 0, PAGE,
                    "User " + i, false, T0 + 2 * MINUTE + i * 100, 10, null);
            next.add(new ConsumedRecord(0, 100 + i, null, (byte[]) null, new ParseResult.Accepted(change)));
        }
        List<ConsumedRecord> second = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            RecentChange change = new RecentChange("second-" + i, "snapshot.example.org", WIKI, "edit", 0, PAGE,
                    "User " + i, false, T0 + MINUTE + i * 1000, 10, null);
            second.add(new ConsumedRecord(0, 50 + i, null, (byte[]) null, new ParseResult.Accepted(change)));
        }
        assertThat(PerChangeAlerts.evaluate(second, -1, rules.current(), partitions)).as("judged against none yet").isEmpty();
        assertThat(PerChangeAlerts.evaluate(next, -1, rules.current(), partitions)).extracting(Alert::rule)
                .containsExactly(PageSpikeRule.NAME);
    }

    /** The warm-up's read of the page counts, waiting for a lock. */
    private static final String PAGE_COUNTS_READ_WAITING = " FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            + " AND query LIKE '%extract(epoch FROM window_start)%' AND query NOT LIKE '%pg_stat_activity%'";

    private StoredOffsetSeeker seeker(AlertPartitions partitions) {
        return new StoredOffsetSeeker(store, KnownOffsets.NONE, new WarmUp(partitions, config, rules, aggregate),
                new Stopping(), aggregate, GROUP);
    }

    private boolean pageCountsReadWaitsForTheLock() throws Exception {
        try (Connection c = jdbc.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*)" + PAGE_COUNTS_READ_WAITING)) {
            rs.next();
            return rs.getInt(1) > 0;
        }
    }

    private static void insertCount(Connection c, long windowStart, int changes) throws Exception {
        try (PreparedStatement s = c.prepareStatement("INSERT INTO page_edit_counts (window_start, window_end, wiki,"
                + " title, namespace, changes, bot_changes, bytes_added, bytes_removed, new_pages)"
                + " VALUES (?, ?, ?, ?, 0, ?, 0, 0, 0, 0)")) {
            s.setTimestamp(1, Timestamp.from(Instant.ofEpochMilli(windowStart)));
            s.setTimestamp(2, Timestamp.from(Instant.ofEpochMilli(windowStart + MINUTE)));
            s.setString(3, WIKI);
            s.setString(4, PAGE);
            s.setLong(5, changes);
            s.executeUpdate();
        }
    }

    private void createTopic() throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(TOPIC)) {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
                // Records up to past the batch, so the consumer's position is one the log holds.
                TopicReader.produce(TOPIC, Collections.nCopies((int) STORED_OFFSET + OLD_OWNERS_BATCH, "{}"));
            }
        }
    }

    private KafkaConsumer<byte[], byte[]> consumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }
}
