package io.pulse.store;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.WakeupException;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

import io.pulse.aggregate.AggregateConfig;
import io.pulse.aggregate.PartitionProgress;
import io.pulse.alert.WarmUp;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;

/**
 * On partition assignment, positions the consumer at the offsets committed in PostgreSQL with the
 * aggregates, not at Kafka's own committed offsets (which Pulse never writes). Runs on the Kafka
 * polling thread, where waiting for the query is allowed. Should the query fail, it is tried again with
 * back-off for {@code pulse.aggregate.stored-offsets-patience}: the group never commits offsets to Kafka,
 * so without them every rebalance (the eager protocol takes all partitions back) would start the partitions
 * from the earliest offset, the whole retention read again for the offset check to skip. Only past that
 * patience, or while stopping, does it start there.
 * Then the alert rules rebuild their state of the assigned partitions from the stored aggregates ({@link WarmUp}),
 * read in the same {@link StoreSnapshot} as the offsets.
 */
@ApplicationScoped
@Identifier(StoredOffsetSeeker.NAME)
public class StoredOffsetSeeker implements KafkaConsumerRebalanceListener {

    public static final String NAME = "pulse-stored-offsets";
    private static final Logger LOG = Logger.getLogger(StoredOffsetSeeker.class);
    private static final Duration PATIENCE = Duration.ofSeconds(30);
    /**
     * What a try gets at least, whatever the patience left: with a patience of 0 (or under a connection's opening)
     * every try was cut to a millisecond, so even a healthy database's offsets were never read and every assignment
     * read the whole retention again.
     */
    private static final Duration LEAST_TRY = Duration.ofSeconds(5);

    private static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    private static final Duration MAX_RETRY = Duration.ofSeconds(10);

    private final AggregateStore store;
    private final KnownOffsets knownOffsets;
    private final WarmUp warmUp;
    private final Stopping stopping;
    private final Duration patience;
    private final String group;

    public StoredOffsetSeeker(AggregateStore store, KnownOffsets knownOffsets, WarmUp warmUp, Stopping stopping,
            AggregateConfig config, @ConfigProperty(name = "mp.messaging.incoming.wikimedia-events-in.group.id") String group) {
        this.store = store;
        this.knownOffsets = knownOffsets;
        this.warmUp = warmUp;
        this.stopping = stopping;
        this.patience = config.storedOffsetsPatience();
        this.group = group;
    }

    private static Duration untilNanos(long end) {
        return Duration.ofNanos(Math.max(1_000_000, end - System.nanoTime()));
    }

    /** Sleeps, in short steps: false as soon as the service stops, so the stop does not wait out the back-off. */
    private boolean pause(Duration wait) {
        long until = System.nanoTime() + wait.toNanos();
        try {
            while (System.nanoTime() < until) {
                if (stopping.begun()) {
                    return false;
                }
                Thread.sleep(Math.min(100, Math.max(1, (until - System.nanoTime()) / 1_000_000)));
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the consumer is closing
            return false;
        }
    }

    private record Stored(StoreSnapshot snapshot, Map<Integer, PartitionProgress> progress) {
    }

    /** The stored offsets and the snapshot they were read in, tried until they are read, or null past the patience. */
    private Stored read(String topic, List<Integer> partitions) {
        long deadline = System.nanoTime() + patience.toNanos();
        Duration wait = FIRST_RETRY;
        while (true) {
            StoreSnapshot snapshot = null;
            try {
                // No try outlasts the patience (but for its least), opening and reading together: the wait stays
                // below max.poll.interval.ms.
                long attemptEnd = System.nanoTime()
                        + Math.min(PATIENCE.toNanos(), Math.max(LEAST_TRY.toNanos(), deadline - System.nanoTime()));
                snapshot = StoreSnapshot.await(store.snapshot(), untilNanos(attemptEnd));
                var progress = snapshot.progress(group, topic, partitions).await().atMost(untilNanos(attemptEnd));
                return new Stored(snapshot, progress);
            } catch (RuntimeException e) {
                if (snapshot != null) { // not waited for: its rollback may queue behind the read that timed out
                    snapshot.close().subscribe().with(closed -> { },
                            f -> LOG.debugf("Could not close the store snapshot (%s)", f.toString()));
                }
                if (!stopping.notYet(e) || System.nanoTime() + wait.toNanos() > deadline) {
                    LOG.warnf("Could not read stored offsets for %s %s (%s); reading from the earliest offset, the offset"
                            + " check skipping counted records", topic, partitions, e.toString());
                    return null;
                }
                LOG.warnf("Could not read stored offsets for %s %s (%s); trying again in %d s", topic, partitions,
                        e.toString(), wait.toSeconds());
            }
            if (!pause(wait)) {
                return null;
            }
            wait = wait.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : wait.multipliedBy(2);
        }
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        int generation = generation(consumer);
        warmUp.rebalanced(generation); // also with no partition for this replica (the cooperative protocol)
        partitions.stream().map(TopicPartition::topic).distinct().forEach(topic -> {
            var ofTopic = partitions.stream().filter(tp -> tp.topic().equals(topic)).map(TopicPartition::partition).toList();
            forgetRecreated(consumer, topic, ofTopic, knownOffsets);
            Stored read = read(topic, ofTopic);
            StoreSnapshot snapshot = read == null ? null : read.snapshot();
            // Closed whatever ends the assignment: a wakeup or an interrupt (a shutdown) in the seeks too.
            try {
                Map<Integer, PartitionProgress> stored = read == null ? Map.of() : read.progress();
                if (read != null) {
                    stored = skipExpired(consumer, topic, stored);
                    Map<Integer, Long> offsets = new TreeMap<>();
                    stored.forEach((partition, progress) -> {
                        consumer.seek(new TopicPartition(topic, partition), progress.nextOffset());
                        offsets.put(partition, progress.nextOffset());
                    });
                    // Where the store stands (0: nothing stored yet, read from the earliest); what was known only rises.
                    for (int partition : ofTopic) {
                        knownOffsets.assigned(partition, offsets.getOrDefault(partition, 0L));
                    }
                    LOG.infof("Assigned %s %s (group generation %d); resuming at stored offsets %s", topic, ofTopic,
                            generation, offsets);
                } else {
                    ofTopic.forEach(partition -> knownOffsets.assigned(partition, -1)); // unknown: nothing learnt
                }
                // The rules' page counts as of the same snapshot as the offsets sought.
                warmUp.assigned(consumer, topic, ofTopic, stored, snapshot, generation);
            } finally {
                close(snapshot);
            }
        });
    }

    /** Revoked or lost (SmallRye's default): the alert rules' state of the partitions can go. */
    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        warmUp.revoked(partitions.stream().map(TopicPartition::partition).toList(), generation(consumer));
        partitions.forEach(tp -> knownOffsets.revoked(tp.partition()));
    }

    /**
     * A partition stored below the first offset Kafka still holds resumes there (the consumer's
     * {@code auto.offset.reset}): the records in between were deleted (retention) before any replica
     * counted them. Kafka says so only at INFO; here a WARN names them, and a counter counts them.
     */
    private Map<Integer, PartitionProgress> skipExpired(Consumer<?, ?> consumer, String topic,
            Map<Integer, PartitionProgress> stored) {
        return skipExpired(consumer, topic, stored, knownOffsets, firsts -> store
                .skipTo(group, topic, firsts).await().atMost(Duration.ofSeconds(15)));
    }

    /** Stores the partitions' offsets at the first ones Kafka holds, where still below: those it moved. */
    @FunctionalInterface
    interface ExpiredSkip {
        java.util.Set<Integer> skip(Map<Integer, Long> firsts);
    }

    /**
     * The stored offsets, those below the first one Kafka holds moved up to it and stored there: reported
     * once, by the replica that moved it (the next assignment starts there). Left as they are when they
     * cannot be stored (reported by a later assignment).
     */
    static Map<Integer, PartitionProgress> skipExpired(Consumer<?, ?> consumer, String topic,
            Map<Integer, PartitionProgress> stored, KnownOffsets knownOffsets, ExpiredSkip skip) {
        if (stored.isEmpty()) {
            return stored;
        }
        Map<TopicPartition, Long> beginnings;
        try {
            beginnings = consumer.beginningOffsets(stored.keySet().stream().map(p -> new TopicPartition(topic, p)).toList(),
                    PATIENCE);
        } catch (WakeupException | InterruptException stopping) {
            throw stopping; // the consumer is closing
        } catch (RuntimeException e) {
            LOG.warnf("Could not read the first offsets of %s %s (%s): records deleted before they were counted"
                    + " would go unreported", topic, stored.keySet(), e.toString());
            return stored;
        }
        Map<Integer, Long> firsts = new TreeMap<>();
        beginnings.forEach((tp, first) -> {
            if (first != null && stored.get(tp.partition()).nextOffset() < first) {
                firsts.put(tp.partition(), first);
            }
        });
        if (firsts.isEmpty()) {
            return stored;
        }
        java.util.Set<Integer> moved;
        try {
            moved = skip.skip(firsts);
        } catch (WakeupException | InterruptException stopping) {
            throw stopping;
        } catch (RuntimeException e) {
            LOG.warnf("%s no longer holds the offsets below %s of its partitions, which were never counted (retention);"
                    + " could not store that they are skipped (%s): reported again at the next assignment", topic, firsts,
                    e.toString());
            return stored;
        }
        Map<Integer, PartitionProgress> out = new HashMap<>(stored);
        firsts.forEach((partition, first) -> {
            PartitionProgress progress = stored.get(partition);
            if (moved.contains(partition)) {
                LOG.warnf("%s-%d no longer holds offsets %d to %d, which were never counted: Kafka deleted them (retention)"
                        + " before the aggregator read them. Resuming at offset %d", topic, partition, progress.nextOffset(),
                        first - 1, first);
                knownOffsets.expired(partition, progress.nextOffset(), first);
            }
            out.put(partition, new PartitionProgress(partition, first, progress.maxEventTimeMs()));
        });
        return out;
    }

    /**
     * What this replica knew of a partition never goes down on assignment (a stored offset below it means
     * lost commits), unless the partition now ends below it: its topic was deleted and created again,
     * and its offsets started over. Kept, the records below it would not be dead-lettered, and a loss
     * would be seen where there is none.
     */
    static void forgetRecreated(Consumer<?, ?> consumer, String topic, List<Integer> partitions, KnownOffsets knownOffsets) {
        if (partitions.stream().allMatch(p -> knownOffsets.known(p) < 0)) {
            return; // nothing known to forget: a first assignment
        }
        Map<TopicPartition, Long> ends;
        try {
            ends = consumer.endOffsets(partitions.stream().map(p -> new TopicPartition(topic, p)).toList(), PATIENCE);
        } catch (WakeupException | InterruptException stopping) {
            throw stopping; // the consumer is closing
        } catch (RuntimeException e) {
            LOG.warnf("Could not read the end offsets of %s %s (%s): had the topic been created again, its rejected"
                    + " records below the offsets known before would not be dead-lettered", topic, partitions, e.toString());
            return;
        }
        ends.forEach((tp, end) -> {
            long known = knownOffsets.known(tp.partition());
            if (end != null && known > end) {
                LOG.warnf("%s ends at offset %d, below the offset %d this replica had counted up to: the topic was"
                        + " created again; what was known of it no longer applies", tp, end, known);
                knownOffsets.forget(tp.partition());
            }
        });
    }

    /**
     * The group generation this assignment belongs to, which SmallRye also stamps on each record it
     * polls: it tells a batch polled before the rebalance from one polled after. -1 outside a group.
     */
    static int generation(Consumer<?, ?> consumer) {
        try {
            return consumer.groupMetadata().generationId();
        } catch (RuntimeException e) { // InvalidGroupIdException: a consumer without a group
            return -1;
        }
    }

    private static void close(StoreSnapshot snapshot) {
        if (snapshot != null) {
            try {
                snapshot.close().await().atMost(PATIENCE);
            } catch (RuntimeException e) {
                LOG.debugf("Could not close the store snapshot (%s)", e.toString()); // the pool drops the connection
            }
        }
    }
}
