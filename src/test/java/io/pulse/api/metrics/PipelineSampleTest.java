package io.pulse.api.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import io.pulse.store.SnapshotQueries;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;

/** The pipeline's rates, from counts read at once from Kafka and PostgreSQL, one of which may answer late. */
class PipelineSampleTest {

    private final AtomicLong clock = new AtomicLong();
    private final RateOverSpan ingested = new RateOverSpan(Duration.ofSeconds(1), Duration.ofMinutes(1));
    private final RateOverSpan aggregated = new RateOverSpan(Duration.ofSeconds(1), Duration.ofMinutes(1));

    /**
     * At 100 events/s both ways, the offsets' read waits 3 s for its turn: the count of the events topic, read
     * at once, was stamped when that read answered, and the rate came out at a quarter of the real one (and the
     * next at several times it, once the reads were quick again).
     */
    @Test
    void shouldStampEachCountWhenItsOwnReadAnswers() {
        sampleAt(0, 0, 0);

        clock.set(seconds(1));
        CompletableFuture<SnapshotQueries.Progress> slowRead = new CompletableFuture<>();
        UniAssertSubscriber<SnapshotSource.PipelineSample> sample = SnapshotSource.sample(
                Uni.createFrom().item(new KafkaProgress.EndOffsets(100, true, 1)), // read at 1 s
                Uni.createFrom().item(new KafkaProgress.EndOffsets(0, true, 1)),
                Uni.createFrom().completionStage(slowRead), ingested, aggregated, clock::get)
                .subscribe().withSubscriber(UniAssertSubscriber.create());
        clock.set(seconds(4));
        slowRead.complete(progress(400)); // its turn came at 4 s

        SnapshotSource.PipelineSample answered = sample.awaitItem().getItem();
        assertThat(answered.ingestedPerSecond()).as("100 events in the first second").isEqualTo(100.0);
        assertThat(answered.aggregatedPerSecond()).isEqualTo(100.0);
        // The reads quick again: the rates stay 100 (the count read at 1 s, stamped at 4 s, made the second one 400).
        for (long at : new long[] { millis(4500), millis(5000), millis(5500) }) {
            SnapshotSource.PipelineSample next = sampleAt(at, at / 10_000_000, at / 10_000_000);
            assertThat(next.ingestedPerSecond()).as("at %d ms", at / 1_000_000).isEqualTo(100.0);
            assertThat(next.aggregatedPerSecond()).as("at %d ms", at / 1_000_000).isEqualTo(100.0);
        }
    }

    /**
     * While the events topic's end cannot be read, its last known sum stands for it: the lag against counts that go
     * on drained to 0 (the whole lag on a replica that never read it). Not known, it is null, as the ingest rate.
     */
    @Test
    void shouldNotKnowTheLagWhileTheTopicsEndCannotBeRead() {
        assertThat(sampleAt(0, 500, 200).consumerLag()).isEqualTo(300L);

        clock.set(seconds(1));
        SnapshotSource.PipelineSample unread = SnapshotSource.sample(Uni.createFrom().item(new KafkaProgress.EndOffsets(500, false, 1)),
                Uni.createFrom().item(new KafkaProgress.EndOffsets(0, true, 1)), Uni.createFrom().item(progress(450)),
                ingested, aggregated, clock::get).await().atMost(Duration.ofSeconds(5));

        assertThat(unread.consumerLag()).isNull();
        assertThat(unread.ingestedPerSecond()).isNull();
        assertThat(unread.aggregatedPerSecond()).isEqualTo(250.0);
    }

    /**
     * Partitions added to the events topic (a scale-out) joined its sum at once, with all they held: the ingest rate
     * of that second showed them as published in it. A sum over other partitions is no base for the next rate.
     */
    @Test
    void shouldNotTakeTheRecordsOfPartitionsAddedAsPublishedAtOnce() {
        assertThat(sampleOver(0, 1000, 2).ingestedPerSecond()).isNull();
        assertThat(sampleOver(seconds(1), 1100, 2).ingestedPerSecond()).isEqualTo(100.0);
        assertThat(sampleOver(seconds(2), 5200, 4).ingestedPerSecond()).as("4,000 records of two partitions added: not known")
                .isNull();
        assertThat(sampleOver(seconds(3), 5300, 4).ingestedPerSecond()).isEqualTo(100.0);
    }

    /** Never read since the start (the broker away): no count, not 0, and no lag either. */
    @Test
    void shouldAnswerNoCountsForEndOffsetsNeverRead() {
        clock.set(seconds(1));
        SnapshotSource.PipelineSample sample = SnapshotSource.sample(Uni.createFrom().item(KafkaProgress.EndOffsets.unknown()),
                Uni.createFrom().item(KafkaProgress.EndOffsets.unknown()), Uni.createFrom().item(progress(40)),
                ingested, aggregated, clock::get).await().atMost(Duration.ofSeconds(5));

        assertThat(sample.published()).isNull();
        assertThat(sample.deadLetters()).isNull();
        assertThat(sample.consumerLag()).isNull();
        assertThat(sample.ingestedPerSecond()).isNull();
        assertThat(sample.aggregated()).isEqualTo(40);
    }

    /** Read once, then not: the last counts stay (measured or not), the lag goes. */
    @Test
    void shouldAnswerTheLastCountsReadWhileTheTopicCannotBeRead() {
        clock.set(seconds(1));
        SnapshotSource.PipelineSample sample = SnapshotSource.sample(
                Uni.createFrom().item(new KafkaProgress.EndOffsets(500, false, 1)),
                Uni.createFrom().item(new KafkaProgress.EndOffsets(3, false, 1)), Uni.createFrom().item(progress(40)),
                ingested, aggregated, clock::get).await().atMost(Duration.ofSeconds(5));

        assertThat(sample.published()).isEqualTo(500);
        assertThat(sample.deadLetters()).isEqualTo(3);
        assertThat(sample.consumerLag()).isNull();
    }

    private SnapshotSource.PipelineSample sampleOver(long atNanos, long published, int partitions) {
        clock.set(atNanos);
        return SnapshotSource.sample(Uni.createFrom().item(new KafkaProgress.EndOffsets(published, true, partitions)),
                Uni.createFrom().item(new KafkaProgress.EndOffsets(0, true, 1)), Uni.createFrom().item(progress(0)),
                ingested, aggregated, clock::get).await().atMost(Duration.ofSeconds(5));
    }

    private SnapshotSource.PipelineSample sampleAt(long atNanos, long published, long counted) {
        clock.set(atNanos);
        return SnapshotSource.sample(Uni.createFrom().item(new KafkaProgress.EndOffsets(published, true, 1)),
                Uni.createFrom().item(new KafkaProgress.EndOffsets(0, true, 1)), Uni.createFrom().item(progress(counted)),
                ingested, aggregated, clock::get).await().atMost(Duration.ofSeconds(5));
    }

    private static SnapshotQueries.Progress progress(long aggregated) {
        return new SnapshotQueries.Progress(Instant.EPOCH, Instant.EPOCH, aggregated);
    }

    private static long millis(long ms) {
        return Duration.ofMillis(ms).toNanos();
    }

    private static long seconds(long s) {
        return Duration.ofSeconds(s).toNanos();
    }
}
