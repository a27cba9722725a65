package io.pulse.alert;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.utils.Utils;
import org.jboss.logging.Logger;

import io.pulse.aggregate.AggregateConfig;
import io.pulse.aggregate.PartitionProgress;
import io.pulse.store.PageCountHistory;
import io.pulse.store.StoreSnapshot;

/**
 * On assignment: new rule state for each assigned partition (released once the partition is taken
 * away, {@link AlertPartitions}), its spike baselines rebuilt from the
 * page counts the aggregator stored ({@code page_edit_counts}) for the windows the spike rule looks
 * at: the newest counted window and the {@code baseline-windows} before it. They are the counts the
 * rules kept before the restart or rebalance, as of the stored offsets (one {@link StoreSnapshot}: a batch
 * committed since is delivered again, and counted once); without them the next windows
 * would be judged against an empty baseline. A page belongs to the partition its Kafka key
 * ({@code wiki:title}) hashes to, as the producer's default partitioner places it. The store holds a
 * row per page and window, already counted: re-reading a quarter of an hour of the topic instead took
 * 7.5-13.5 s per million records before new ones were counted (bench/README.md, 26, 27).
 * Runs on the Kafka polling thread, where blocking calls are allowed.
 */
@ApplicationScoped
public class WarmUp {

    private static final Logger LOG = Logger.getLogger(WarmUp.class);
    private static final Duration PATIENCE = Duration.ofMinutes(2);

    private final AlertPartitions partitions;
    private final AlertConfig config;
    private final AlertRules rules;
    private final long windowMs;

    public WarmUp(AlertPartitions partitions, AlertConfig config, AlertRules rules, AggregateConfig aggregate) {
        this.partitions = partitions;
        this.config = config;
        this.rules = rules;
        this.windowMs = aggregate.window().toMillis();
    }

    /**
     * @param stored where the aggregates stand in each assigned partition counted before
     * @param snapshot the store as of {@code stored}, which the page counts are read from; null if it could not be read
     * @param generation the consumer group generation of this assignment
     */
    public void assigned(Consumer<?, ?> consumer, String topic, Collection<Integer> assigned,
            Map<Integer, PartitionProgress> stored, StoreSnapshot snapshot, int generation) {
        Map<Integer, AlertEvaluator> states = freshStates(assigned);
        if (config.enabled() && !stored.isEmpty() && snapshot != null) {
            long began = System.nanoTime();
            try {
                // The rules as stored: one changed at run time may look at another number of windows.
                rules.refresh().await().atMost(PATIENCE);
                PageSpikeRule rule = rules.current().pageSpike();
                Instant from = rebuildFrom(stored.values(), windowMs, rule.baselineWindows(), System.currentTimeMillis());
                if (from != null) { // rebuilt while the rule is off too: it may be switched on at run time
                    var seeder = new Seeder(states, consumer.partitionsFor(topic).size(), rule.baselineWindows());
                    long rows = snapshot.pageCountsSince(from, seeder).await().atMost(PATIENCE);
                    seeder.finish();
                    LOG.infof("Alerting on %s %s; spike baselines rebuilt from %d stored page counts since %s (%d of"
                            + " them for these partitions) in %d ms", topic, assigned, rows, from, seeder.seeded(),
                            (System.nanoTime() - began) / 1_000_000);
                }
            } catch (RuntimeException e) {
                states = freshStates(assigned); // a partial rebuild would understate the baselines
                long now = System.currentTimeMillis();
                states.forEach((partition, state) -> { // not zeros: no spike until whole windows are seen
                    PartitionProgress counted = stored.get(partition);
                    if (counted != null && counted.maxEventTimeMs() != Long.MIN_VALUE) { // else read from its start
                        state.historyUnknown(Math.min(counted.maxEventTimeMs(), now));
                    }
                });
                LOG.warnf("No spike baselines for %s %s (%s): pages are judged once whole windows of them have been"
                        + " seen", topic, assigned, e.toString());
            }
        } else if (snapshot == null) {
            // Nor the offsets: the partitions are read from their start, the counted records too. Their first window
            // is not whole, nor judged; the windows after it have the baselines the records read give them.
            states.values().forEach(state -> state.historyUnknown(Long.MIN_VALUE));
        }
        states.forEach((partition, state) -> partitions.assigned(partition, state, generation));
    }

    /** Every assignment, this replica's partitions changed or not: what generation a polled record can be of. */
    public void rebalanced(int generation) {
        partitions.rebalanced(generation);
    }

    /** Partitions taken away: their states go once the batches polled before are evaluated ({@link AlertPartitions}). */
    public void revoked(Collection<Integer> revoked, int generation) {
        partitions.revoked(revoked, generation);
    }

    private Map<Integer, AlertEvaluator> freshStates(Collection<Integer> assigned) {
        Map<Integer, AlertEvaluator> states = new HashMap<>();
        assigned.forEach(p -> states.put(p, partitions.fresh()));
        return states;
    }

    /**
     * The oldest window to rebuild: {@code baselineWindows} before the newest counted window of the
     * least advanced partition (older ones fall out of the rule's ring at once), but never ahead of the
     * clock: an event stamped in the future (accepted up to {@code max-future-skew}) would have the
     * rebuild read none of the real windows. Null if none was counted.
     */
    static Instant rebuildFrom(Collection<PartitionProgress> stored, long windowMs, int baselineWindows, long nowMs) {
        return stored.stream().mapToLong(PartitionProgress::maxEventTimeMs).filter(t -> t != Long.MIN_VALUE)
                .map(t -> Math.min(t, nowMs)).min()
                .stream().mapToObj(t -> Instant.ofEpochMilli((Math.floorDiv(t, windowMs) - baselineWindows) * windowMs))
                .findFirst().orElse(null);
    }

    /** The partition Kafka's default partitioner gives a key: murmur2 of its UTF-8 bytes. */
    static int partitionOf(String key, int numPartitions) {
        return Utils.toPositive(Utils.murmur2(key.getBytes(StandardCharsets.UTF_8))) % numPartitions;
    }

    /** Adds each stored page count to the state of the assigned partition that holds the page, if any. */
    static final class Seeder implements PageCountHistory.Visitor {

        private final Map<Integer, AlertEvaluator> states;
        private final int numPartitions;
        private final int baselineWindows;
        private long seeded;
        private long newestWindowMs = Long.MIN_VALUE;

        Seeder(Map<Integer, AlertEvaluator> states, int numPartitions, int baselineWindows) {
            this.states = states;
            this.numPartitions = numPartitions;
            this.baselineWindows = baselineWindows;
        }

        @Override
        public void accept(String page, long windowStartMs, long changes) {
            newestWindowMs = Math.max(newestWindowMs, windowStartMs);
            AlertEvaluator state = states.get(partitionOf(page, numPartitions));
            if (state != null) {
                state.seed(page, windowStartMs, changes, baselineWindows);
                seeded++;
            }
        }

        long seeded() {
            return seeded;
        }

        /** Tells every state how the counts were filed: a page's changes may come to another partition. */
        void finish() {
            if (newestWindowMs != Long.MIN_VALUE) {
                states.forEach((partition, state) -> state.seededAs(partition, numPartitions, newestWindowMs));
            }
        }
    }
}
