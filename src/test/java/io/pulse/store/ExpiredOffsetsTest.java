package io.pulse.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.sql.Connection;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import jakarta.inject.Inject;

import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pulse.aggregate.AccountedOffsets;
import io.pulse.aggregate.AggregateConfig;
import io.pulse.aggregate.ConsumedRecord;
import io.pulse.aggregate.RecordRereader;
import io.pulse.alert.AlertConfig;
import io.pulse.alert.AlertPartitions;
import io.pulse.alert.AlertRules;
import io.pulse.alert.WarmUp;
import io.pulse.it.StoredAggregates;
import io.pulse.it.TopicReader;
import io.pulse.source.wikimedia.RecentChangeParser;
import io.pulse.testkit.PulseInfra;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;

/**
 * The aggregator resumes at a stored offset Kafka no longer holds: retention deleted the records after it
 * while no replica read them. The consumer moves on to the first offset kept, which Kafka logs at INFO
 * only; the records in between were never counted and never will be. The assignment reports them (a WARN
 * and {@code pulse_aggregate_expired_records_total}); before, they went unnoticed.
 */
@QuarkusTest
class ExpiredOffsetsTest {

    static final String GROUP = "expired-offsets";
    static final String TOPIC = "pulse.expired-offsets";

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

    @Inject
    RecentChangeParser parser;

    @AfterEach
    void removeRows() throws Exception {
        try (Connection c = jdbc.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM consumer_offsets WHERE consumer_group = '" + GROUP + "'");
        }
    }

    /**
     * PostgreSQL lost commits (a crash, a restore) of records Kafka has deleted since: the re-read started at the
     * first offset kept without a word, and those records were missing for good, unreported. Now they are reported
     * as expired, and what Kafka holds is read again.
     */
    @Test
    void shouldReportTheLostRecordsKafkaNoLongerHolds() throws Exception {
        long end = withFirstHalfDeleted();
        long firstKept = end / 2;
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        var offsets = new AccountedOffsets(new RecordRereader(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                PulseInfra.get().bootstrapServers()), parser, TOPIC), registry);

        List<ConsumedRecord> again = offsets.reread(0, 10, end).await().atMost(java.time.Duration.ofSeconds(90));

        assertThat(again).extracting(ConsumedRecord::offset).as("what Kafka holds")
                .containsExactlyElementsOf(LongStream.range(firstKept, end).boxed().toList());
        assertThat(registry.get("pulse.aggregate.expired.records").counter().count()).isEqualTo(firstKept - 10);
        assertThat(registry.get("pulse.aggregate.reread.records").counter().count()).isEqualTo(end - firstKept);
        // A range Kafka still holds whole: nothing more reported.
        assertThat(offsets.reread(0, firstKept, end).await().atMost(java.time.Duration.ofSeconds(90))).hasSize((int) (end - firstKept));
        assertThat(registry.get("pulse.aggregate.expired.records").counter().count()).isEqualTo(firstKept - 10);
    }

    /** The topic's end offset; the records below half of it are deleted. */
    private static long withFirstHalfDeleted() throws Exception {
        PulseInfra.get().kafka().createTopic(TOPIC, 1);
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        long end = TopicReader.endOffsets(TOPIC).getOrDefault(0, 0L);
        if (end == 0) { // a topic kept from an earlier run has them, and its first ones deleted
            TopicReader.produce(TOPIC, Collections.nCopies(60, "{}"));
            end = 60;
        }
        PulseInfra.get().kafka().admin().deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(end / 2))).all().get();
        return end;
    }

    @Test
    void shouldReportTheRecordsDeletedBeforeTheyWereCounted() throws Exception {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        long firstKept = withFirstHalfDeleted() / 2;
        StoredAggregates.storeOffset(GROUP, TOPIC, 0, 10, null);
        List<long[]> expired = new ArrayList<>();
        var seeker = new StoredOffsetSeeker(store, new Expired(expired),
                new WarmUp(new AlertPartitions(alerts, aggregate), alerts, rules, aggregate),
                new Stopping(), aggregate, GROUP);
        try (KafkaConsumer<byte[], byte[]> consumer = TopicReader.earliestConsumer()) {
            consumer.assign(List.of(tp));
            seeker.onPartitionsAssigned(consumer, List.of(tp));

            assertThat(expired).containsExactly(new long[] { 0, 10, firstKept });
            assertThat(StoredAggregates.scalar("SELECT next_offset FROM consumer_offsets WHERE consumer_group = ?"
                    + " AND topic = ?", GROUP, TOPIC)).as("stored past them").isEqualTo(firstKept);
            // Assigned again (a rebalance, a restart) before a batch commits: reported once, not at every assignment.
            seeker.onPartitionsAssigned(consumer, List.of(tp));
            assertThat(expired).hasSize(1);
            var records = consumer.poll(java.time.Duration.ZERO);
            for (int i = 0; records.isEmpty() && i < 30; i++) {
                records = consumer.poll(java.time.Duration.ofSeconds(1));
            }
            assertThat(records.iterator().next().offset()).as("Kafka moves on to the first offset kept").isEqualTo(firstKept);
        }
    }

    /**
     * The consumer closing (a wakeup) while the stored offsets are sought, after the store snapshot was read: the
     * snapshot is closed. It kept its connection in an open transaction until the pool closed.
     */
    @Test
    void shouldCloseTheStoreSnapshotWhenTheSeekIsWokenUp() throws Exception {
        TopicPartition tp = new TopicPartition(TOPIC, 0);
        withFirstHalfDeleted();
        StoredAggregates.storeOffset(GROUP, TOPIC, 0, 10, null);
        var seeker = new StoredOffsetSeeker(store, new Expired(new ArrayList<>()),
                new WarmUp(new AlertPartitions(alerts, aggregate), alerts, rules, aggregate),
                new Stopping(), aggregate, GROUP);
        MockConsumer<byte[], byte[]> closing = new MockConsumer<>("earliest") {
            @Override
            public synchronized Map<TopicPartition, Long> beginningOffsets(Collection<TopicPartition> partitions,
                    java.time.Duration timeout) {
                throw new WakeupException();
            }
        };

        assertThatThrownBy(() -> seeker.onPartitionsAssigned(closing, List.of(tp))).isInstanceOf(WakeupException.class);
        // The snapshot's last statement, which the aggregator's own batches do not run (they lock the rows).
        assertThat(StoredAggregates.scalar("SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction'"
                + " AND query = ?", UpsertStatements.READ_OFFSETS)).isZero();
    }

    /** Records what the seeker reports, knows nothing. */
    private record Expired(List<long[]> reported) implements KnownOffsets {

        @Override
        public void expired(int partition, long from, long to) {
            reported.add(new long[] { partition, from, to });
        }

        @Override
        public void assigned(int partition, long nextOffset) {
        }

        @Override
        public long known(int partition) {
            return -1;
        }

        @Override
        public Uni<List<ConsumedRecord>> reread(int partition, long from, long to) {
            return Uni.createFrom().item(List.of());
        }
    }
}
