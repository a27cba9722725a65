package io.pulse.ingest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pulse.testkit.PulseInfra;

/**
 * {@link TransactionalSending} when the producer itself fails, against the test kit's broker: a real
 * producer whose {@code beginTransaction} or {@code abortTransaction} throws, as one in a fatal state
 * does (on every call after the first failure too). The producer is replaced and the failure counted,
 * and every record is read (read_committed, as the aggregator reads) exactly once.
 */
class TransactionalSendingFaultsTest {

    private static final int RECORDS = 600;
    private static final Duration DEADLINE = Duration.ofSeconds(90);

    private final PulseInfra infra = PulseInfra.get();
    private final String transactionalId = "pulse-faults-" + UUID.randomUUID();
    private final MeterRegistry registry = new SimpleMeterRegistry();
    private final List<FaultyProducer> producers = new CopyOnWriteArrayList<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private String topic;

    @BeforeEach
    void createTopic() {
        topic = "transaction-faults-" + UUID.randomUUID();
        infra.kafka().createTopic(topic, 3);
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : toClose) {
            closeable.close();
        }
    }

    /**
     * The first producer begins one transaction, then can no longer begin any: it is closed and a new
     * one sends the rest. Nothing is lost or written twice.
     */
    @Test
    void shouldReplaceAProducerThatCannotBeginATransactionAndWriteEveryRecordOnce() {
        TransactionalSending<String, String> sending = sending(Duration.ofMillis(50), new StringSerializer(),
                made -> made == 1 ? new Faults(2, false) : Faults.NONE);
        KafkaBatchSender<String, String> sender = new KafkaBatchSender<>(sending, Duration.ofMillis(10), Duration.ofMillis(100));
        List<ProducerRecord<String, String>> records = records();
        Map<Integer, RecordMetadata> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger acknowledgements = new AtomicInteger();

        // Three reads' worth, each sent once the one before is committed: the second needs a new transaction.
        for (int from = 0; from < RECORDS; from += RECORDS / 3) {
            int offset = from;
            sender.send(records.subList(from, from + RECORDS / 3), (index, metadata) -> {
                acknowledgements.incrementAndGet();
                acknowledged.put(offset + index, metadata);
            }).await().atMost(DEADLINE);
        }

        assertEquals(2, producers.size(), "the producer that could not begin was replaced once");
        FaultyProducer faulty = producers.get(0);
        assertEquals(1, faulty.injected.get(), "its begin failed once (then it was not used again)");
        assertTrue(faulty.closed, "the producer that could not begin is closed");
        assertEquals(1, transactions("failed"), "the failure counted once");
        assertEquals(0, transactions("aborted"), "nothing to abort: the transaction never began");
        assertTrue(transactions("committed") >= 3, "each read's transaction committed");
        assertEquals(RECORDS, acknowledgements.get(), "one acknowledgement per record");
        assertWrittenOnceWhereAcknowledged(acknowledged);
    }

    /**
     * A send fails (a value the serializer refuses), which spoils the transaction; but the producer cannot
     * abort it. The transaction's records, on the broker in a transaction left open, are reported failed:
     * a new producer sends them again, and its {@code initTransactions} aborts the one left open. The log
     * holds both copies; each record is read once.
     */
    @Test
    void shouldReplaceAProducerThatCannotAbortItsTransactionAndWriteEveryRecordOnce() {
        RefusesOnce refusesOnce = new RefusesOnce("event-300");
        TransactionalSending<String, String> sending = sending(Duration.ofMillis(50), refusesOnce,
                made -> made == 1 ? new Faults(0, true) : Faults.NONE);
        Map<Integer, RecordMetadata> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger acknowledgements = new AtomicInteger();

        new KafkaBatchSender<>(sending, Duration.ofMillis(10), Duration.ofMillis(100)).send(records(), (index, metadata) -> {
            acknowledgements.incrementAndGet();
            acknowledged.put(index, metadata);
        }).await().atMost(DEADLINE);

        assertEquals(1, refusesOnce.refused.get(), "the send that spoils the transaction failed");
        assertEquals(2, producers.size(), "the producer that could not abort was replaced once");
        FaultyProducer faulty = producers.get(0);
        assertEquals(1, faulty.injected.get(), "its abort failed once (then it was not used again)");
        assertTrue(faulty.closed, "the producer that could not abort is closed");
        assertEquals(1, transactions("failed"), "the failure counted once");
        assertEquals(0, transactions("aborted"), "an abort that failed is not counted as one");
        assertTrue(transactions("committed") >= 1);
        assertEquals(RECORDS, acknowledgements.get(), "one acknowledgement per record");
        assertWrittenOnceWhereAcknowledged(acknowledged);
        // Read uncommitted: the first producer's copies are there too (all but the refused record), aborted.
        Map<String, Integer> inLog = new HashMap<>();
        readAll("read_uncommitted", acknowledged).forEach(record -> inLog.merge(record.value(), 1, Integer::sum));
        Map<String, Integer> expected = new HashMap<>();
        for (int i = 0; i < RECORDS; i++) {
            expected.put("event-" + i, i == 300 ? 1 : 2);
        }
        assertEquals(expected, inLog, "the failed transaction's copies, in the log but never read committed");
    }

    // ---------------------------------------------------------------- helpers

    private TransactionalSending<String, String> sending(Duration commitInterval, Serializer<String> values,
            IntFunction<Faults> faultsOfProducer) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers());
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        TransactionalSending<String, String> sending = new TransactionalSending<>(() -> {
            FaultyProducer made = new FaultyProducer(p, values, faultsOfProducer.apply(producers.size() + 1));
            producers.add(made);
            return made;
        }, commitInterval, () -> {
        }, new TransactionMetrics<>(registry, Tags.of("source", "test")));
        toClose.add(sending);
        return sending;
    }

    private double transactions(String outcome) {
        return registry.get("pulse.ingest.transactions").tag("outcome", outcome).counter().count();
    }

    private List<ProducerRecord<String, String>> records() {
        List<ProducerRecord<String, String>> records = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            records.add(new ProducerRecord<>(topic, "page-" + (i % 37), "event-" + i));
        }
        return records;
    }

    /** Read as the aggregator reads: each record exactly once, where its acknowledgement said. */
    private void assertWrittenOnceWhereAcknowledged(Map<Integer, RecordMetadata> acknowledged) {
        assertEquals(RECORDS, acknowledged.size(), "every record acknowledged");
        Map<String, Integer> seen = new HashMap<>();
        for (ConsumerRecord<String, String> record : readAll("read_committed", acknowledged)) {
            int index = Integer.parseInt(record.value().substring("event-".length()));
            seen.merge(record.value(), 1, Integer::sum);
            assertEquals(acknowledged.get(index).partition(), record.partition(), record.value());
            assertEquals(acknowledged.get(index).offset(), record.offset(), record.value());
        }
        assertEquals(RECORDS, seen.size(), "every record written");
        assertTrue(seen.values().stream().allMatch(count -> count == 1), "no record written twice: " + seen);
    }

    /** The whole topic, once every acknowledged record is readable (commit markers come just after the commit). */
    private List<ConsumerRecord<String, String>> readAll(String isolation, Map<Integer, RecordMetadata> acknowledged) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, infra.bootstrapServers());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, DEADLINE).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> readable = new HashMap<>();
            acknowledged.values().forEach(ack -> readable.merge(new TopicPartition(topic, ack.partition()), ack.offset() + 1, Math::max));
            await().atMost(DEADLINE).until(() -> consumer.endOffsets(partitions).entrySet().stream()
                    .allMatch(e -> e.getValue() >= readable.getOrDefault(e.getKey(), 0L)));
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            await().atMost(DEADLINE).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
                return partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp));
            });
        }
        return out;
    }

    /**
     * What a producer fails at: {@code beginTransaction} from its {@code failingBegin}-th call on (0: never);
     * {@code abortTransaction} on every call, once its records are on the broker.
     */
    private record Faults(int failingBegin, boolean failingAbort) {
        static final Faults NONE = new Faults(0, false);
    }

    /** Refuses one value, the first time only, as a serializer that cannot take it does. */
    private static final class RefusesOnce implements Serializer<String> {
        private final String value;
        final AtomicInteger refused = new AtomicInteger();

        RefusesOnce(String value) {
            this.value = value;
        }

        @Override
        public byte[] serialize(String topic, String data) {
            if (data.equals(value) && refused.compareAndSet(0, 1)) {
                throw new SerializationException("Injected: refused once: " + data);
            }
            return data.getBytes(StandardCharsets.UTF_8);
        }
    }

    /** A real producer that throws where its {@link Faults} say, instead of doing it. */
    private static final class FaultyProducer extends KafkaProducer<String, String> {
        private final Faults faults;
        private final AtomicInteger begins = new AtomicInteger();
        final AtomicInteger injected = new AtomicInteger();
        volatile boolean closed;

        FaultyProducer(Properties config, Serializer<String> values, Faults faults) {
            super(config, new StringSerializer(), values);
            this.faults = faults;
        }

        @Override
        public void beginTransaction() {
            if (faults.failingBegin() > 0 && begins.incrementAndGet() >= faults.failingBegin()) {
                injected.incrementAndGet();
                throw new KafkaException("Injected: this producer cannot begin a transaction");
            }
            super.beginTransaction();
        }

        @Override
        public void abortTransaction() {
            if (faults.failingAbort()) {
                flush(); // what the transaction holds is on the broker: left there, open, by the failed abort
                injected.incrementAndGet();
                throw new KafkaException("Injected: this producer cannot abort its transaction");
            }
            super.abortTransaction();
        }

        @Override
        public void close(Duration timeout) {
            closed = true;
            super.close(timeout);
        }
    }
}
