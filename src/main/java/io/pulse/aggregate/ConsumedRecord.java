package io.pulse.aggregate;

import java.nio.charset.StandardCharsets;

import io.pulse.source.wikimedia.ParseResult;

/**
 * A Kafka record of the events topic, already parsed (parsing is idempotent, so it happens outside
 * the transaction). The value stays the UTF-8 bytes read off Kafka: only a dead letter needs text.
 * {@code timestampMs} is the record's Kafka timestamp (when the ingest published it), or
 * {@link #NO_TIMESTAMP}: an event cannot move its partition's event time past it ({@link BatchAggregator}).
 */
public record ConsumedRecord(int partition, long offset, String key, byte[] value, ParseResult parsed, long timestampMs) {

    /** No Kafka timestamp known: the event's own time counts as it is. */
    public static final long NO_TIMESTAMP = Long.MAX_VALUE;

    public ConsumedRecord(int partition, long offset, String key, byte[] value, ParseResult parsed) {
        this(partition, offset, key, value, parsed, NO_TIMESTAMP);
    }

    public ConsumedRecord(int partition, long offset, String key, String value, ParseResult parsed) {
        this(partition, offset, key, value == null ? null : value.getBytes(StandardCharsets.UTF_8), parsed);
    }

    /**
     * A Kafka record's timestamp as kept here: not positive (Kafka's -1, none; 0 from a producer that set
     * it so) is unknown. It is the publishing host's clock: a clock far behind holds the event time back.
     */
    public static long timestamp(long kafkaTimestampMs) {
        return kafkaTimestampMs <= 0 ? NO_TIMESTAMP : kafkaTimestampMs;
    }

    public String valueText() {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }
}
