package io.pulse.ingest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntPredicate;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.pulse.testkit.PulseInfra;
import io.smallrye.mutiny.Uni;

/** The batch sender against a real broker: every record written once and acknowledged once, failures sent again. */
class KafkaBatchSenderTest {

    static final int RECORDS = 600;
    static final Duration DEADLINE = Duration.ofSeconds(60);

    final PulseInfra infra = PulseInfra.get();
    private final ExecutorService sendingThread = Executors.newSingleThreadExecutor();
    final List<AutoCloseable> toClose = new ArrayList<>();
    String topic;

    @BeforeEach
    void createTopic() {
        topic = "batch-sender-" + UUID.randomUUID();
        infra.kafka().createTopic(topic, 3);
    }

    @AfterEach
    void stopSendingThread() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
        sendingThread.shutdownNow();
    }

    @Test
    void shouldWriteAndAcknowledgeEveryRecordOnceAtTheOffsetItWasWritten() {
        Acknowledged acknowledged = new Acknowledged();

        sender(() -> producer(new StringSerializer())).send(records(), acknowledged).await().atMost(DEADLINE);

        assertEquals(RECORDS, acknowledged.calls.get(), "one acknowledgement per record");
        assertWrittenOnceWhereAcknowledged(acknowledged.byIndex);
    }

    @Test
    void shouldSendAgainTheRecordsTheProducerRefusedUntilEveryOneIsWritten() {
        // Every seventh record fails its first send, as a record the producer cannot take at that moment does.
        FailsOnce failsOnce = new FailsOnce(index -> index % 7 == 0);
        Acknowledged acknowledged = new Acknowledged();

        sender(() -> producer(failsOnce)).send(records(), acknowledged).await().atMost(DEADLINE);

        int expectedFailures = 0;
        for (int i = 0; i < RECORDS; i++) {
            expectedFailures += i % 7 == 0 ? 1 : 0;
        }
        assertEquals(expectedFailures, failsOnce.failures.get(), "the injected failures happened");
        assertEquals(RECORDS, acknowledged.calls.get(), "one acknowledgement per record, failed ones included");
        assertWrittenOnceWhereAcknowledged(acknowledged.byIndex);
    }

    @Test
    void shouldSendAgainWhenTheHandOffToTheSendingThreadFails() {
        AtomicInteger handOffs = new AtomicInteger();
        KafkaBatchSender.SendingThread<String, String> sending = sending(() -> producer(new StringSerializer()));
        KafkaBatchSender<String, String> sender = new KafkaBatchSender<>(task -> handOffs.incrementAndGet() == 1
                ? Uni.createFrom().failure(new IllegalStateException("sending thread busy"))
                : sending.run(task), Duration.ofMillis(10), Duration.ofMillis(100));
        Acknowledged acknowledged = new Acknowledged();

        sender.send(records(), acknowledged).await().atMost(DEADLINE);

        assertEquals(2, handOffs.get(), "one failed hand-off, then one with every record");
        assertWrittenOnceWhereAcknowledged(acknowledged.byIndex);
    }

    /**
     * Records larger than Kafka takes (the topic's {@code max.message.bytes}, or the producer's
     * {@code max.request.size}) are refused again on every send: they are handed back instead of sent
     * again forever, which held up every read after them, and the others are written once.
     */
    @ParameterizedTest
    @ValueSource(strings = { "topic", "producer" })
    void shouldHandBackTheRecordsKafkaRefusesForGoodAndWriteEveryOtherOneOnce(String limit) {
        if (limit.equals("topic")) {
            infra.kafka().setTopicConfig(topic, "max.message.bytes", "16384");
        }
        Set<Integer> large = Set.of(0, 250, RECORDS - 1);
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            records.add(new ProducerRecord<>(topic, "page-" + (i % 37), "event-" + i + (large.contains(i) ? "|" + "x".repeat(40_000) : "")));
        }
        Properties config = new Properties();
        if (limit.equals("producer")) {
            config.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "16384");
        }
        Acknowledged acknowledged = new Acknowledged();

        List<KafkaBatchSender.Refused> refused = sender(() -> producer(new StringSerializer(), config))
                .send(records, acknowledged).await().atMost(DEADLINE);

        assertEquals(large, Set.copyOf(refused.stream().map(KafkaBatchSender.Refused::index).toList()));
        assertTrue(refused.stream().allMatch(r -> r.error() instanceof RecordTooLargeException), refused.toString());
        assertEquals(RECORDS - large.size(), acknowledged.calls.get(), "one acknowledgement per record taken");
        Map<String, Integer> seen = new HashMap<>();
        for (ConsumerRecord<String, String> record : readAll(acknowledged.byIndex.values())) {
            seen.merge(record.value(), 1, Integer::sum);
            RecordMetadata ack = acknowledged.byIndex.get(Integer.parseInt(record.value().substring("event-".length())));
            assertEquals(ack.offset(), record.offset(), record.value());
        }
        Set<String> expected = new HashSet<>();
        for (int i = 0; i < RECORDS; i++) {
            if (!large.contains(i)) {
                expected.add("event-" + i);
            }
        }
        assertEquals(expected, seen.keySet(), "every record but the refused ones written");
        assertTrue(seen.values().stream().allMatch(count -> count == 1), "no record written twice");
    }

    // ---------------------------------------------------------------- helpers

    KafkaBatchSender<String, String> sender(Supplier<Producer<String, String>> producers) {
        return new KafkaBatchSender<>(sending(producers), Duration.ofMillis(10), Duration.ofMillis(100));
    }

    /** Sends with one producer on a thread of the test's, as the channel's sending thread does. */
    KafkaBatchSender.SendingThread<String, String> sending(Supplier<Producer<String, String>> producers) {
        Producer<String, String> producer = producers.get();
        toClose.add(producer);
        return task -> Uni.createFrom().voidItem().invoke(() -> task.accept(KafkaBatchSender.Sink.of(producer)))
                .runSubscriptionOn(sendingThread);
    }

    /** Producer settings a subclass adds (a transactional id). */
    Properties producerSettings() {
        return new Properties();
    }

    List<ProducerRecord<String, String>> records() {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            ProducerRecord<String, String> record = new ProducerRecord<>(topic, "page-" + (i % 37), "event-" + i);
            record.headers().add("index", Integer.toString(i).getBytes(StandardCharsets.US_ASCII));
            records.add(record);
        }
        return records;
    }

    Producer<String, String> producer(Serializer<String> values) {
        return producer(values, new Properties());
    }

    Producer<String, String> producer(Serializer<String> values, Properties overrides) {
        Properties p = producerSettings();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        p.putAll(overrides);
        return new KafkaProducer<>(p, new StringSerializer(), values);
    }

    /** The topic read back: each value exactly once, at the partition and offset its acknowledgement gave. */
    void assertWrittenOnceWhereAcknowledged(Map<Integer, RecordMetadata> acknowledged) {
        assertEquals(RECORDS, acknowledged.size(), "every record acknowledged");
        Map<String, Integer> seen = new HashMap<>();
        for (ConsumerRecord<String, String> record : readAll(acknowledged.values())) {
            int index = Integer.parseInt(record.value().substring("event-".length()));
            seen.merge(record.value(), 1, Integer::sum);
            RecordMetadata ack = acknowledged.get(index);
            assertEquals(ack.partition(), record.partition(), record.value());
            assertEquals(ack.offset(), record.offset(), record.value());
            assertEquals("page-" + (index % 37), record.key());
        }
        assertEquals(RECORDS, seen.size(), "every record written");
        assertTrue(seen.values().stream().allMatch(count -> count == 1), "no record written twice: " + seen);
    }

    /**
     * The topic's committed records, once each acknowledged one is readable: a transaction's commit
     * markers are written after the commit returns, so its records become readable a moment later.
     */
    List<ConsumerRecord<String, String>> readAll(Collection<RecordMetadata> acknowledged) {
        return readAll(infra.bootstrapServers(), acknowledged);
    }

    List<ConsumerRecord<String, String>> readAll(String bootstrapServers, Collection<RecordMetadata> acknowledged) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"); // as the aggregator reads
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(),
                new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, DEADLINE).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> readable = new HashMap<>();
            acknowledged.forEach(ack -> readable.merge(new TopicPartition(topic, ack.partition()), ack.offset() + 1, Math::max));
            await().atMost(DEADLINE).until(() -> consumer.endOffsets(partitions).entrySet().stream()
                    .allMatch(e -> e.getValue() >= readable.getOrDefault(e.getKey(), 0L)));
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
                    && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** Records the acknowledgements: each record's metadata, and how many calls there were. */
    static final class Acknowledged implements KafkaBatchSender.Acknowledgement {
        final Map<Integer, RecordMetadata> byIndex = new ConcurrentHashMap<>();
        final AtomicInteger calls = new AtomicInteger();

        @Override
        public void acknowledged(int index, RecordMetadata metadata) {
            calls.incrementAndGet();
            byIndex.put(index, metadata);
        }
    }

    /** Refuses the first send of the chosen records, as a serializer that cannot take a value does. */
    private static final class FailsOnce implements Serializer<String> {
        private final IntPredicate chosen;
        private final Set<String> failedBefore = ConcurrentHashMap.newKeySet();
        final AtomicInteger failures = new AtomicInteger();

        FailsOnce(IntPredicate chosen) {
            this.chosen = chosen;
        }

        @Override
        public byte[] serialize(String topic, String value) {
            int index = Integer.parseInt(value.substring("event-".length()));
            if (chosen.test(index) && failedBefore.add(value)) {
                failures.incrementAndGet();
                throw new SerializationException("refused once: " + value);
            }
            return value.getBytes(StandardCharsets.UTF_8);
        }
    }
}
