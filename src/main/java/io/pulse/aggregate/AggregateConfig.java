package io.pulse.aggregate;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Event-time windowing of the aggregator ({@code pulse.aggregate.*}). */
@ConfigMapping(prefix = "pulse.aggregate")
public interface AggregateConfig {

    /** Tumbling window length. Changing it for an existing database mixes window sizes: use a new one. */
    @WithDefault("1m")
    Duration window();

    /**
     * How far behind the newest event time of a partition an event may be before it counts as late.
     * Late events still add to their window (totals stay exact) and are counted in {@code late_events}.
     */
    @WithDefault("2m")
    Duration allowedLateness();

    /** Retries of a failed batch transaction back off up to this (PostgreSQL down, lock timeouts). */
    @WithDefault("10s")
    Duration maxRetryBackoff();

    /**
     * Whether a batch's transaction waits for PostgreSQL to flush its commit to disk. Off by default: a
     * database crash may then lose the last commits it acknowledged (whole transactions, aggregates and
     * offsets together), and the aggregator reads their records again from Kafka ({@link AccountedOffsets}),
     * so counts stay exact while the 10,000 events/s tail is shorter (bench/README.md, 42). Pulse's other
     * writes (alerts, the ingest's position) always wait.
     */
    @WithDefault("false")
    boolean synchronousCommit();

    /**
     * How long a batch's transaction waits for a row another transaction holds (another replica's, or a
     * frozen one's) before it fails and is retried: a stall then shows, as {@code degraded} and a WARN,
     * instead of waiting silently for as long as the holder lives ({@code lock_timeout}).
     */
    @WithDefault("30s")
    Duration lockTimeout();

    /**
     * How long a batch's transaction may sit idle (its process frozen, its network cut) before PostgreSQL
     * ends it, freeing its partitions' offset rows and the rows every replica updates; the batch is retried,
     * nothing of it committed ({@code idle_in_transaction_session_timeout}). Ten minutes during the rare
     * re-read of lost commits, which reads Kafka inside the transaction (up to a minute a partition).
     */
    @WithDefault("60s")
    Duration idleTransactionTimeout();

    /**
     * How long an assignment keeps trying to read the offsets stored for its partitions (the database
     * away) before it reads them from the topic's start, the offset check skipping what was counted: a
     * whole retention read again. The wait is on the polling thread, and counts against the consumer's
     * {@code max.poll.interval.ms} (5 min) with the spike warm-up that follows it (seconds, as a rule).
     */
    @WithDefault("3m")
    Duration storedOffsetsPatience();

    /**
     * How often the partitions this replica owns are checked for commits PostgreSQL lost: the next batch
     * of a partition finds them anyway, but a partition no batch comes for (the stream stopped) would stay
     * short of them until one came ({@link LostCommitsWatch}). One read of the stored offsets each time.
     */
    @WithDefault("15s")
    Duration lostCommitsCheck();
}
