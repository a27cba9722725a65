package io.pulse.it;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.eclipse.microprofile.config.ConfigProvider;

import io.pulse.testkit.LocalKafka;

/** Reads a whole topic as it stands, and writes raw records: the test's own view of Kafka. */
public final class TopicReader {

    public static List<ConsumerRecord<String, String>> readAll(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        List<ConsumerRecord<String, String>> out = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Could not read " + topic + " to its end");
                }
                consumer.poll(Duration.ofMillis(200)).forEach(out::add);
            }
        }
        return out;
    }

    /** A consumer of no group that starts where the aggregator's would without a position: the earliest offset. */
    public static KafkaConsumer<byte[], byte[]> earliestConsumer() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    public static String header(ConsumerRecord<?, ?> record, String name) {
        Header h = record.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    public static void produce(String topic, List<String> values) {
        produceBytes(topic, values.stream().map(v -> v.getBytes(StandardCharsets.UTF_8)).toList());
    }

    /** Values as raw bytes: what another producer might write, not necessarily UTF-8. */
    public static void produceBytes(String topic, List<byte[]> values) {
        send(values.stream().map(v -> new ProducerRecord<String, byte[]>(topic, null, v)).toList());
    }

    /** A record with one header, whose value may be null, as another producer might write one. */
    public static void produceWithHeader(String topic, String value, String header, byte[] headerValue) {
        var record = new ProducerRecord<String, byte[]>(topic, null, value.getBytes(StandardCharsets.UTF_8));
        record.headers().add(header, headerValue);
        send(List.of(record));
    }

    /** Records that all carry one header, as one feed's run writes them. */
    public static void produceWithHeader(String topic, List<String> values, String header, byte[] headerValue) {
        send(values.stream().map(v -> {
            var record = new ProducerRecord<String, byte[]>(topic, null, v.getBytes(StandardCharsets.UTF_8));
            record.headers().add(header, headerValue);
            return record;
        }).toList());
    }

    /** The records a committed reader gets between offsets {@code from} (inclusive) and {@code to} (exclusive), per partition. */
    public static long countRecords(String topic, Map<Integer, Long> from, Map<Integer, Long> to) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        long count = 0;
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = to.keySet().stream().map(partition -> new TopicPartition(topic, partition)).toList();
            consumer.assign(partitions);
            partitions.forEach(tp -> consumer.seek(tp, from.get(tp.partition())));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < to.get(tp.partition()))) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("Could not read " + topic + " to " + to);
                }
                for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
                    count += r.offset() < to.get(r.partition()) ? 1 : 0;
                }
            }
        }
        return count;
    }

    /** Per partition, the offset after the topic's last record. */
    public static Map<Integer, Long> endOffsets(String topic) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(10)).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            Map<Integer, Long> ends = new java.util.TreeMap<>();
            consumer.endOffsets(partitions, Duration.ofSeconds(10)).forEach((tp, end) -> ends.put(tp.partition(), end));
            return ends;
        }
    }

    /** A record with a key and no value (a tombstone), as another producer might write one. */
    public static void produceTombstone(String topic, String key) {
        send(List.of(new ProducerRecord<>(topic, key, null)));
    }

    /** Sends the records in order and returns once the broker has acknowledged them all. */
    private static void send(List<ProducerRecord<String, byte[]>> records) {
        Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap());
        p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
        p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(p)) {
            records.forEach(producer::send);
            producer.flush();
        }
    }

    /** Sets one of the topic's configs, or removes it (back to the broker's default) when value is null. */
    public static void setTopicConfig(String topic, String name, String value) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap()))) {
            LocalKafka.setTopicConfig(admin, topic, name, value);
        }
    }

    private static String bootstrap() {
        return ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class);
    }

    private TopicReader() {
    }
}
