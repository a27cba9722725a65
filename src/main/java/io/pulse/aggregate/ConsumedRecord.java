package io.pulse.aggregate;

import java.nio.charset.StandardCharsets;

import io.pulse.source.wikimedia.ParseResult;

/**
 * A Kafka record of the events topic, already parsed (parsing is idempotent, so it happens outside
 * the transaction). The value stays the UTF-8 bytes read off Kafka: only a dead letter needs text.
 */
public record ConsumedRecord(int partition, long offset, String key, byte[] value, ParseResult parsed) {

    public ConsumedRecord(int partition, long offset, String key, String value, ParseResult parsed) {
        this(partition, offset, key, value == null ? null : value.getBytes(StandardCharsets.UTF_8), parsed);
    }

    public String valueText() {
        return value == null ? null : new String(value, StandardCharsets.UTF_8);
    }
}
