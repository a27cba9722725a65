package io.pulse.aggregate;

/**
 * How far the aggregates already account for one partition: records below {@code nextOffset} are
 * counted, and {@code maxEventTimeMs} is the newest event time seen there (Long.MIN_VALUE: none).
 */
public record PartitionProgress(int partition, long nextOffset, long maxEventTimeMs) {

    public static PartitionProgress fresh(int partition) {
        return new PartitionProgress(partition, 0, Long.MIN_VALUE);
    }
}
