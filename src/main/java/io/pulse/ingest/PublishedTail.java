package io.pulse.ingest;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

import io.pulse.config.KafkaClients;

/**
 * Reads back what an earlier run published after its last checkpoint: the event ids found in the
 * records from the checkpointed offsets to the end of each partition. The previous process may have
 * been killed after Kafka acknowledged those events but before the checkpoint recorded them; the
 * upstream feed will send them again, and these ids are how the ingest recognises them.
 * Blocking: call it from a worker thread.
 */
public final class PublishedTail {

    private final Map<String, Object> config;
    private final Duration timeout;
    private final int margin;
    private final LongSupplier clock;

    /**
     * @param kafka  the {@code kafka.*} settings: the brokers, and the TLS or SASL settings that reach them
     * @param margin records read before each checkpointed offset too: a timestamp-based resume
     *               re-sends the events sharing the checkpoint's timestamp, published just before it
     */
    public PublishedTail(Map<String, Object> kafka, Duration timeout, int margin) {
        this(kafka, timeout, margin, System::nanoTime);
    }

    PublishedTail(Map<String, Object> kafka, Duration timeout, int margin, LongSupplier nanoClock) {
        // Committed records only: a fenced leader's aborted events must not be dropped as already published.
        this.config = KafkaClients.committedReader(kafka, "pulse-published-tail");
        config.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000);
        // A start below the oldest record kept (retention deleted the margin, or deletes it under the read) is
        // out of range: it moves to the oldest kept. With Kafka's default (latest) the read jumped to the
        // partition's end, skipping the whole tail, whose events were then published twice.
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.timeout = timeout;
        this.margin = margin;
        this.clock = nanoClock;
    }

    /**
     * @param recordsRead the records read back, this feed's and others'
     * @param ends        per partition, the topic's end when the read began: past it, only this run publishes
     */
    public record Scan(Set<String> eventIds, long recordsRead, Map<Integer, Long> ends) {
    }

    /** Offsets {@code from} (inclusive) to {@code to} (exclusive) of a partition known to hold another feed's records only. */
    public record Skip(long from, long to) {
    }

    /**
     * The event ids of {@code stream}'s records from {@code margin} records before {@code from} (partitions
     * missing from it: see {@link #start}) to the end of each partition. The replay and the live feed
     * share the topic: records of another feed are passed over (their ids not kept: after a day of the
     * live feed, millions of them were the heap's end), and the ranges in {@code skip} are not read at all.
     * Records without a stream header (written before it existed) count as this feed's.
     */
    public Scan eventIdsAfter(String topic, Map<Integer, Long> from, Map<Integer, Long> runStart, String stream,
            Map<Integer, List<Skip>> skip) {
        byte[] own = stream.getBytes(StandardCharsets.UTF_8);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(config,
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, timeout).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            Map<Integer, Long> ends = new HashMap<>();
            consumer.endOffsets(partitions, timeout).forEach((tp, end) -> ends.put(tp.partition(), end));
            Map<Integer, Long> starts = new HashMap<>();
            ends.forEach((p, end) -> starts.put(p, start(p, end, from, runStart, margin)));
            List<TopicPartition> toRead = partitions.stream()
                    .filter(tp -> starts.get(tp.partition()) < ends.get(tp.partition()))
                    .toList();
            Set<String> ids = new HashSet<>();
            long read = 0;
            consumer.assign(toRead);
            toRead.forEach(tp -> consumer.seek(tp, starts.get(tp.partition())));
            // A bound on a read that makes no progress (a broker away), not on the whole read: a tail grown long
            // (checkpoints failing for hours while the feed was published) took longer than the bound each
            // time, and every retry read it from the start again: the ingest never started.
            long deadline = clock.getAsLong() + timeout.toNanos();
            while (toRead.stream().anyMatch(tp -> consumer.position(tp) < ends.get(tp.partition()))) {
                if (clock.getAsLong() > deadline) {
                    throw new IllegalStateException("Reading back " + topic + " made no progress for " + timeout
                            + " (pulse.wikimedia.ingest.read-back-timeout), " + read + " records read");
                }
                Set<TopicPartition> sought = new HashSet<>();
                long before = positions(consumer, toRead);
                var records = consumer.poll(Duration.ofMillis(200));
                // Progress is the positions moving: over an aborted transaction's records a committed
                // reader's polls come back empty, and it still moves on.
                if (!records.isEmpty() || positions(consumer, toRead) != before) {
                    deadline = clock.getAsLong() + timeout.toNanos();
                }
                for (ConsumerRecord<byte[], byte[]> record : records) {
                    TopicPartition tp = new TopicPartition(record.topic(), record.partition());
                    if (sought.contains(tp)) {
                        continue; // the rest of this poll's records of it: the next poll starts where it was sought to
                    }
                    Header tag = record.headers().lastHeader(PulseHeaders.STREAM);
                    boolean others = tag != null && !Arrays.equals(own, tag.value());
                    Skip skipped = skipping(skip.getOrDefault(record.partition(), List.of()), record.offset(),
                            ends.get(record.partition()));
                    // A range is trusted only where it starts with another feed's record: one recorded before
                    // the topic was recreated, say, must not hide this feed's own tail.
                    if (skipped != null && others) {
                        consumer.seek(tp, skipped.to());
                        sought.add(tp);
                        continue;
                    }
                    read++;
                    if (others) {
                        continue; // another feed's: it will not send this feed's events again
                    }
                    Header id = record.headers().lastHeader(PulseHeaders.EVENT_ID);
                    if (id != null && id.value() != null) { // another producer's header may have no value
                        ids.add(new String(id.value(), StandardCharsets.UTF_8));
                    }
                }
            }
            return new Scan(ids, read, Map.copyOf(ends));
        }
    }

    /**
     * Where the read-back of a partition starts: {@code margin} records before the saved prefix's end in it. A
     * partition a saved prefix has none of (added to the topic by a scale-out since: the feed's keys reach every
     * partition within its first seconds) holds this feed's records only past where its recorded run began there,
     * and from its start if it was added since. Only its last {@code margin} records were read, and a run's records
     * there (saves failing for a while after the scale-out) were published twice by its successor. With nothing
     * saved (a first run, or a feed without ids, whose run start stays its first deploy's) or no run recorded, the
     * last {@code margin}: a feed without ids would otherwise read everything it ever published at each start.
     *
     * @param runStart per partition, the topic's end when this feed's recorded run began
     */
    static long start(int partition, long end, Map<Integer, Long> from, Map<Integer, Long> runStart, int margin) {
        Long saved = from.get(partition);
        long start = saved != null ? saved
                : from.isEmpty() || runStart.isEmpty() ? end : runStart.getOrDefault(partition, 0L);
        return Math.max(0, Math.min(end, start) - margin);
    }

    private static long positions(KafkaConsumer<?, ?> consumer, List<TopicPartition> partitions) {
        long sum = 0;
        for (TopicPartition tp : partitions) {
            sum += consumer.position(tp);
        }
        return sum;
    }

    /** The range holding {@code offset}; one ending past the partition's end is stale (the topic was recreated). */
    private static Skip skipping(List<Skip> ranges, long offset, long end) {
        for (Skip range : ranges) {
            if (offset >= range.from() && offset < range.to() && range.to() <= end) {
                return range;
            }
        }
        return null;
    }
}
