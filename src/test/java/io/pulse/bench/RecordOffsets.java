package io.pulse.bench;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import io.pulse.ingest.PulseHeaders;

/**
 * The offsets of a one-partition topic's committed records, in order. The elected ingest publishes in
 * transactions, whose commit markers take offsets too: an offset is not a count of events, and a
 * committed offset is turned into the number of records before it with {@link #recordsBefore}.
 */
final class RecordOffsets {

    private final long[] offsets;
    /** The records' event-id headers (the events' {@code meta.id}), when asked for; else empty. */
    private final List<String> eventIds;

    private RecordOffsets(long[] offsets, List<String> eventIds) {
        this.offsets = offsets;
        this.eventIds = eventIds;
    }

    static RecordOffsets read(String bootstrapServers, String topic) {
        return read(bootstrapServers, topic, false);
    }

    /** With {@code eventIds}, also the records' event ids ({@link #eventIds()}): which events the topic holds. */
    static RecordOffsets read(String bootstrapServers, String topic, boolean eventIds) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10_000);
        long[] offsets = new long[1024];
        List<String> ids = new ArrayList<>();
        int n = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            while (consumer.position(tp) < end) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (n == offsets.length) {
                        offsets = Arrays.copyOf(offsets, n * 2);
                    }
                    offsets[n++] = record.offset();
                    Header id = eventIds ? record.headers().lastHeader(PulseHeaders.EVENT_ID) : null;
                    if (id != null && id.value() != null) { // another producer's header may have no value
                        ids.add(new String(id.value(), StandardCharsets.UTF_8));
                    }
                }
            }
        }
        return new RecordOffsets(Arrays.copyOf(offsets, n), ids);
    }

    List<String> eventIds() {
        return eventIds;
    }

    int records() {
        return offsets.length;
    }

    /** The offset after the last record (what a consumer that has all of them stores), 0 when empty. */
    long end() {
        return offsets.length == 0 ? 0 : offsets[offsets.length - 1] + 1;
    }

    /** How many records lie below {@code offset}: the events a stored next offset of {@code offset} covers. */
    long recordsBefore(long offset) {
        int i = Arrays.binarySearch(offsets, offset);
        return i >= 0 ? i : -i - 1;
    }
}
