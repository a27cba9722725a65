package io.pulse.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

import io.pulse.testkit.PulseInfra;

/**
 * The read-back of a feed's unsaved tail on a real broker, where the replay and the live feed take
 * turns on one topic: only the reading feed's ids are kept, whoever wrote the records around them.
 */
class PublishedTailTest {

    static final String REPLAY = "wikimedia:/replay/wikimedia/recentchange";
    static final String LIVE = "wikimedia:/v2/stream/recentchange";

    @Test
    void shouldKeepOnlyTheReadingFeedsIds() throws Exception {
        String topic = "pulse.tail." + System.nanoTime();
        PulseInfra.get().kafka().createTopic(topic, 1);
        // The replay ran (0-9) and saved its checkpoint at 6, a day of the live feed followed (10-509),
        // then a record of a Pulse from before the stream header (510).
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < 10; i++) {
                producer.send(record(topic, "replay-" + i, REPLAY));
            }
            for (int i = 0; i < 500; i++) {
                producer.send(record(topic, "live-" + i, LIVE));
            }
            producer.send(record(topic, "untagged", null));
            producer.flush();
        }
        PublishedTail tail = new PublishedTail(Map.of("bootstrap.servers", PulseInfra.get().bootstrapServers()),
                Duration.ofSeconds(30), 2);

        PublishedTail.Scan replay = tail.eventIdsAfter(topic, Map.of(0, 6L), Map.of(), REPLAY, Map.of());

        Set<String> expected = new HashSet<>(List.of("replay-4", "replay-5", "replay-6", "replay-7", "replay-8",
                "replay-9", "untagged")); // two before the checkpoint (the margin), the rest after it
        assertThat(replay.eventIds()).isEqualTo(expected);
        assertThat(replay.recordsRead()).isEqualTo(511 - 4);
        assertThat(replay.ends()).isEqualTo(Map.of(0, 511L));

        // The live run's range, known from its checkpoint (began at 10, saved up to 480): not read at all.
        PublishedTail.Scan skipping = tail.eventIdsAfter(topic, Map.of(0, 6L), Map.of(), REPLAY,
                Map.of(0, List.of(new PublishedTail.Skip(10, 480))));
        assertThat(skipping.eventIds()).isEqualTo(expected);
        assertThat(skipping.recordsRead()).isEqualTo(6 + 31);

        // A range over this feed's own records (recorded before the topic was recreated, say) is not trusted.
        PublishedTail.Scan stale = tail.eventIdsAfter(topic, Map.of(0, 6L), Map.of(), REPLAY,
                Map.of(0, List.of(new PublishedTail.Skip(4, 480))));
        assertThat(stale.eventIds()).isEqualTo(expected);
        // As is one ending past the topic's end (recorded on a topic since deleted and created again).
        PublishedTail.Scan beyond = tail.eventIdsAfter(topic, Map.of(0, 6L), Map.of(), REPLAY,
                Map.of(0, List.of(new PublishedTail.Skip(10, 5000))));
        assertThat(beyond.recordsRead()).isEqualTo(511 - 4);

        PublishedTail.Scan live = tail.eventIdsAfter(topic, Map.of(0, 508L), Map.of(), LIVE, Map.of());
        assertThat(live.eventIds()).containsExactlyInAnyOrder("live-496", "live-497", "live-498", "live-499", "untagged");
    }

    /**
     * A partition the saved prefix has none of holds only this feed's records published after its run began: all
     * of one added to the topic since, and from the run's start in one that was there. Only the last margin was
     * read: after a scale-out while saves failed, a successor published the rest of the new partition again.
     */
    @Test
    void shouldReadAPartitionTheCheckpointHasNoneOfFromTheRunsStart() throws Exception {
        String topic = "pulse.tail." + System.nanoTime();
        PulseInfra.get().kafka().createTopic(topic, 2);
        // The run began with one partition (ends {0: 0}) and saved up to 10 of it; partition 1 came later.
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < 12; i++) {
                producer.send(record(topic, 0, "p0-" + i, LIVE));
            }
            for (int i = 0; i < 300; i++) {
                producer.send(record(topic, 1, "p1-" + i, LIVE));
            }
            producer.flush();
        }
        PublishedTail tail = new PublishedTail(Map.of("bootstrap.servers", PulseInfra.get().bootstrapServers()),
                Duration.ofSeconds(30), 2);

        Set<String> expected = new HashSet<>(List.of("p0-8", "p0-9", "p0-10", "p0-11"));
        for (int i = 0; i < 300; i++) {
            expected.add("p1-" + i);
        }
        assertThat(tail.eventIdsAfter(topic, Map.of(0, 10L), Map.of(0, 0L), LIVE, Map.of()).eventIds())
                .isEqualTo(expected);

        // Partition 1 was there when the run began, at 100: from there (less the margin).
        Set<String> fromItsStart = new HashSet<>(List.of("p0-8", "p0-9", "p0-10", "p0-11"));
        for (int i = 98; i < 300; i++) {
            fromItsStart.add("p1-" + i);
        }
        assertThat(tail.eventIdsAfter(topic, Map.of(0, 10L), Map.of(0, 0L, 1, 100L), LIVE, Map.of()).eventIds())
                .isEqualTo(fromItsStart);

        // No run recorded: the last margin of it, as before run starts were.
        assertThat(tail.eventIdsAfter(topic, Map.of(0, 10L), Map.of(), LIVE, Map.of()).eventIds())
                .containsExactlyInAnyOrder("p0-8", "p0-9", "p0-10", "p0-11", "p1-298", "p1-299");
    }

    @Test
    void shouldStartEachPartitionsReadBackWhereItsOwnRecordsMayBegin() {
        Map<Integer, Long> saved = Map.of(0, 500L);
        assertThat(PublishedTail.start(0, 900, saved, Map.of(0, 100L), 20)).as("saved").isEqualTo(480);
        assertThat(PublishedTail.start(0, 300, saved, Map.of(0, 100L), 20)).as("saved past a recreated topic's end")
                .isEqualTo(280);
        assertThat(PublishedTail.start(1, 900, saved, Map.of(0, 100L, 1, 400L), 20)).as("not saved, there at the run's start")
                .isEqualTo(380);
        assertThat(PublishedTail.start(2, 900, saved, Map.of(0, 100L, 1, 400L), 20)).as("added since the run began")
                .isZero();
        assertThat(PublishedTail.start(1, 900, saved, Map.of(), 20)).as("no run recorded").isEqualTo(880);
        assertThat(PublishedTail.start(1, 900, Map.of(), Map.of(1, 0L), 20)).as("nothing saved ever").isEqualTo(880);
    }

    /**
     * Retention deleted the records below the margin: the read starts at the oldest record kept. It was
     * out of range, and the consumer jumped to the partition's end: no id read back, the tail published twice.
     */
    @Test
    void shouldReadFromTheOldestRecordKeptWhenTheMarginReachesBelowIt() throws Exception {
        String topic = "pulse.tail." + System.nanoTime();
        PulseInfra.get().kafka().createTopic(topic, 1);
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < 20; i++) {
                producer.send(record(topic, "live-" + i, LIVE));
            }
            producer.flush();
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                PulseInfra.get().bootstrapServers()))) {
            admin.deleteRecords(Map.of(new TopicPartition(topic, 0), RecordsToDelete.beforeOffset(8)))
                    .all().get(30, TimeUnit.SECONDS);
        }
        PublishedTail tail = new PublishedTail(Map.of("bootstrap.servers", PulseInfra.get().bootstrapServers()),
                Duration.ofSeconds(30), 5);

        PublishedTail.Scan scan = tail.eventIdsAfter(topic, Map.of(0, 10L), Map.of(), LIVE, Map.of()); // from 5, but 8 is the oldest

        Set<String> expected = new HashSet<>();
        for (int i = 8; i < 20; i++) {
            expected.add("live-" + i);
        }
        assertThat(scan.eventIds()).isEqualTo(expected);
    }

    /**
     * The read-back's time bound is on a read without progress, not on the whole read: a tail longer than the
     * bound's worth of records (checkpoints failing for hours while the feed was published) failed every try.
     * The clock here moves 300 ms each time it is read: twenty polls' worth of records take longer than the 3 s
     * bound in all, but each poll brings some (and ten empty polls in a row still pass).
     */
    @Test
    void shouldReadBackATailLongerThanItsTimeBoundWhileItMakesProgress() throws Exception {
        String topic = "pulse.tail." + System.nanoTime();
        PulseInfra.get().kafka().createTopic(topic, 1);
        int records = 100_000; // twenty polls of 5,000 at least
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < records; i++) {
                producer.send(record(topic, "other-" + i, REPLAY)); // another feed's: read, ids not kept
            }
            producer.send(record(topic, "own", LIVE));
            producer.flush();
        }
        AtomicLong now = new AtomicLong();
        PublishedTail tail = new PublishedTail(Map.of("bootstrap.servers", PulseInfra.get().bootstrapServers()),
                Duration.ofSeconds(3), 0, () -> now.addAndGet(TimeUnit.MILLISECONDS.toNanos(300)));

        PublishedTail.Scan scan = tail.eventIdsAfter(topic, Map.of(0, 0L), Map.of(), LIVE, Map.of());

        assertThat(scan.recordsRead()).isEqualTo(records + 1);
        assertThat(scan.eventIds()).containsExactly("own");
    }

    private static KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, PulseInfra.get().bootstrapServers());
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    private static ProducerRecord<String, String> record(String topic, String eventId, String stream) {
        return record(topic, null, eventId, stream);
    }

    private static ProducerRecord<String, String> record(String topic, Integer partition, String eventId, String stream) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(PulseHeaders.EVENT_ID, eventId.getBytes(StandardCharsets.UTF_8));
        if (stream != null) {
            headers.add(PulseHeaders.STREAM, stream.getBytes(StandardCharsets.UTF_8));
        }
        return new ProducerRecord<>(topic, partition, "key", "{}", headers);
    }
}
