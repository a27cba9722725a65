package io.pulse.alert;

import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.jboss.logging.Logger;

import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;

/**
 * On assignment, seeks each partition back by {@code pulse.alert.warm-up} (by Kafka record time) before
 * its committed offset, so the spike rule's baselines are rebuilt from the records the previous owner
 * saw; alerts resume at the committed offset. Without it a restart would judge the next windows
 * against an empty baseline. Runs on the Kafka polling thread, where blocking calls are allowed.
 */
@ApplicationScoped
@Identifier(AlertWarmUp.NAME)
public class AlertWarmUp implements KafkaConsumerRebalanceListener {

    public static final String NAME = "pulse-alert-warm-up";
    private static final Logger LOG = Logger.getLogger(AlertWarmUp.class);

    private final AlertPartitions partitions;
    private final AlertConfig config;
    private final Clock clock;

    @Inject
    public AlertWarmUp(AlertPartitions partitions, AlertConfig config) {
        this.partitions = partitions;
        this.config = config;
        this.clock = Clock.systemUTC();
    }

    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, java.util.Collection<TopicPartition> assigned) {
        try {
            var committed = consumer.committed(new HashSet<>(assigned));
            Map<TopicPartition, Long> since = new HashMap<>();
            assigned.forEach(tp -> since.put(tp, clock.millis() - config.warmUp().toMillis()));
            var starts = warmUpStarts(committed, consumer.offsetsForTimes(since));
            for (TopicPartition tp : assigned) {
                OffsetAndMetadata c = committed.get(tp);
                partitions.assigned(tp.partition(), c == null ? null : c.offset());
                if (starts.containsKey(tp)) {
                    consumer.seek(tp, starts.get(tp));
                }
            }
            LOG.infof("Alerting assigned %s; warming up from %s", assigned, starts);
        } catch (RuntimeException e) {
            assigned.forEach(tp -> partitions.assigned(tp.partition(), null));
            LOG.warnf("No warm-up for %s (%s): spike baselines start empty", assigned, e.toString());
        }
    }

    /** Where to start reading: the first record of the warm-up span, when it lies before the committed offset. */
    static Map<TopicPartition, Long> warmUpStarts(Map<TopicPartition, OffsetAndMetadata> committed,
            Map<TopicPartition, OffsetAndTimestamp> atWarmUpStart) {
        Map<TopicPartition, Long> starts = new HashMap<>();
        committed.forEach((tp, c) -> {
            OffsetAndTimestamp first = atWarmUpStart == null ? null : atWarmUpStart.get(tp);
            if (c != null && first != null && first.offset() < c.offset()) {
                starts.put(tp, first.offset());
            }
        });
        return starts;
    }
}
