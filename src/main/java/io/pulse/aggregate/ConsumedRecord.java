package io.pulse.aggregate;

import io.pulse.source.wikimedia.ParseResult;

/** A Kafka record of the events topic, already parsed (parsing is idempotent, so it happens outside the transaction). */
public record ConsumedRecord(int partition, long offset, String key, String value, ParseResult parsed) {
}
