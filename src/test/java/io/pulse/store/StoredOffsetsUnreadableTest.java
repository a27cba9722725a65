package io.pulse.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.pulse.aggregate.AggregateConfig;
import io.pulse.alert.AlertConfig;
import io.pulse.alert.AlertPartitions;
import io.pulse.alert.AlertRules;
import io.pulse.alert.WarmUp;
import io.pulse.it.StoredAggregates;
import io.pulse.it.TopicReader;
import io.pulse.testkit.ConfigMappings;
import io.pulse.testkit.PulseInfra;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The stored offsets cannot be read when partitions are assigned (the database away for a moment during
 * a rebalance). The group commits no offsets to Kafka, so the assignment used to start the partitions
 * from the earliest offset: the whole retention read again for the offset check to skip. It now tries
 * again, with back-off, and resumes at the stored offsets once they are read.
 */
@QuarkusTest
class StoredOffsetsUnreadableTest {

    static final String GROUP = "stored-offsets-unreadable";
    static final String TOPIC = "pulse.stored-offsets-unreadable";
    static final long STORED_OFFSET = 40;

    @Inject
    AgroalDataSource jdbc;

    @Inject
    AggregateStore store;

    @Inject
    AlertConfig alerts;

    @Inject
    AlertRules rules;

    @Inject
    AggregateConfig aggregate;

    @AfterEach
    void removeRows() throws Exception {
        try (Connection c = jdbc.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM consumer_offsets WHERE consumer_group = '" + GROUP + "'");
        }
    }

    @Test
    void shouldResumeAtTheStoredOffsetsOnceTheyCanBeReadNotFromTheEarliest() throws Exception {
        // The seeker's read of the offsets waits for the lock: its connection is lost, then the database is back.
        assertThat(resumedAt(aggregate, assigned -> terminateOffsetsRead() > 0))
                .as("the stored offset, not the earliest").isEqualTo(STORED_OFFSET);
    }

    /**
     * A patience of 0 (retry nothing) cut the one try to a millisecond: the offsets of a healthy database, read in a
     * few, were never read, and every assignment read the whole retention again. A try now gets a few seconds.
     */
    @Test
    void shouldReadTheStoredOffsetsWithNoPatienceForRetries() throws Exception {
        AggregateConfig impatient = ConfigMappings.of(AggregateConfig.class,
                Map.of("pulse.aggregate.stored-offsets-patience", "0s"));
        // The read takes longer than a millisecond for sure: it waits for the lock, held until it is seen waiting.
        assertThat(resumedAt(impatient, assigned -> offsetsReadsWaiting() > 0 || assigned.isDone()))
                .as("the stored offset, not the earliest").isEqualTo(STORED_OFFSET);
    }

    /** When the test lets the lock on the offsets go, seeing how the assignment waits. */
    private interface Release {
        boolean now(CompletableFuture<Void> assigned) throws Exception;
    }

    /** Where the consumer stands after an assignment made while {@code consumer_offsets} is locked, until released. */
    private long resumedAt(AggregateConfig config, Release release) throws Exception {
        PulseInfra.get().kafka().createTopic(TOPIC, 1);
        if (TopicReader.endOffsets(TOPIC).getOrDefault(0, 0L) == 0) { // a topic kept from an earlier run has them
            TopicReader.produce(TOPIC, Collections.nCopies(60, "{}"));
        }
        StoredAggregates.storeOffset(GROUP, TOPIC, 0, STORED_OFFSET, null);
        var seeker = new StoredOffsetSeeker(store, KnownOffsets.NONE,
                new WarmUp(new AlertPartitions(alerts, aggregate), alerts, rules, aggregate),
                new Stopping(), config, GROUP);
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.earliestConsumer(); Connection locker = jdbc.getConnection()) {
            consumer.assign(List.of(tp));
            locker.setAutoCommit(false);
            try (Statement s = locker.createStatement()) {
                s.execute("LOCK TABLE consumer_offsets IN ACCESS EXCLUSIVE MODE");
            }
            var assigned = CompletableFuture.runAsync(() -> seeker.onPartitionsAssigned(consumer, List.of(tp)));
            await().atMost(Duration.ofSeconds(30)).until(() -> release.now(assigned));
            locker.rollback();
            assigned.get(60, TimeUnit.SECONDS);
            return consumer.position(tp);
        }
    }

    private int offsetsReadsWaiting() throws Exception {
        try (Connection c = jdbc.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*)" + OFFSETS_READ_WAITING)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static final String OFFSETS_READ_WAITING = " FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
            + " AND query NOT LIKE '%FOR UPDATE%'"
            + " AND query LIKE 'SELECT kafka_partition, next_offset, max_event_time FROM consumer_offsets%'";

    private int terminateOffsetsRead() throws Exception {
        try (Connection c = jdbc.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(pg_terminate_backend(pid))" + OFFSETS_READ_WAITING)) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
