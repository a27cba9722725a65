package io.pulse.alert;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pulse.ingest.RecentIds;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;

/**
 * Feeds {@code /alerts/stream} from the {@code pulse.alerts} topic rather than from the alerts this
 * process raised: with several replicas, each raises the alerts of the partitions it owns, and a
 * browser connected to any of them must see them all. Every replica reads the whole topic (a consumer
 * group of its own, offsets never committed), from the alerts published since the application started
 * (a subscriber still gets only what is published after it connects: the stream is live).
 * An alert published twice (a send retried after a lost acknowledgement) is streamed once; a record
 * that is not an alert is skipped and counted ({@code pulse.alerts.stream.skipped}), never fatal.
 */
@ApplicationScoped
@Identifier(AlertFeed.POSITIONS)
public class AlertFeed implements KafkaConsumerRebalanceListener {

    /** The rebalance listener's name in application.properties. */
    public static final String POSITIONS = "pulse-alert-feed-positions";
    private static final Logger LOG = Logger.getLogger(AlertFeed.class);
    // Ids outlive any redelivery: a retried send lands within seconds, and a cool-down period raises
    // a rule's key at most once, so a few thousand recent ids cover every duplicate.
    private static final int REMEMBERED_IDS = 10_000;
    private static final long CLOCK_MARGIN_MS = 60_000;

    private final AlertHub hub;
    private final ObjectMapper json;
    private final Counter skipped;
    private final RecentIds streamed = new RecentIds(REMEMBERED_IDS);
    private final Map<TopicPartition, Long> nextOffsets = new ConcurrentHashMap<>();
    private final long startedAtMs;

    @Inject
    public AlertFeed(AlertHub hub, ObjectMapper json, MeterRegistry registry) {
        this.hub = hub;
        this.json = json;
        // Created as the channels are wired at start. A minute's margin: another replica's clock, which
        // stamps its records, may lag this one's.
        this.startedAtMs = System.currentTimeMillis() - CLOCK_MARGIN_MS;
        this.skipped = Counter.builder("pulse.alerts.stream.skipped")
                .description("Records of pulse.alerts that are not alerts, left out of /alerts/stream")
                .register(registry);
    }

    @Incoming(AlertChannels.ALERTS_IN)
    public void receive(ConsumerRecord<String, String> record) {
        nextOffsets.put(new TopicPartition(record.topic(), record.partition()), record.offset() + 1);
        Alert alert;
        try {
            alert = json.readValue(record.value(), Alert.class);
        } catch (Exception e) { // null, not JSON, or not an alert
            skipped.increment();
            LOG.warnf("Skipped %s-%d@%d for /alerts/stream: not an alert (%s)", record.topic(), record.partition(),
                    record.offset(), e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse(""));
            return;
        }
        if (alert.id() == null || alert.rule() == null) {
            skipped.increment();
            LOG.warnf("Skipped %s-%d@%d for /alerts/stream: an alert without id or rule", record.topic(),
                    record.partition(), record.offset());
            return;
        }
        if (streamed.firstSighting(alert.id())) {
            hub.publish(alert);
        }
    }

    /**
     * Where each assigned partition is read from: after the last record this process read of it, else
     * from the first alert published since the application started (not "latest": an alert raised in the
     * seconds before the group's first assignment would be missing from the stream). Runs on the
     * polling thread, where waiting for the broker's answer is allowed.
     */
    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        Map<TopicPartition, Long> byTime = new HashMap<>();
        for (TopicPartition tp : partitions) {
            Long next = nextOffsets.get(tp);
            if (next != null) {
                consumer.seek(tp, next);
            } else {
                byTime.put(tp, startedAtMs);
            }
        }
        if (byTime.isEmpty()) {
            return;
        }
        // The ends first: seekToEnd is lazy, it takes the end at the next poll, past an alert appended
        // between the search by time and that poll. An end read before the search misses nothing: what
        // is appended after it is at or past it, and found by the search if appended before.
        Map<TopicPartition, Long> ends = consumer.endOffsets(byTime.keySet());
        Map<TopicPartition, OffsetAndTimestamp> found = consumer.offsetsForTimes(byTime);
        for (TopicPartition tp : byTime.keySet()) {
            OffsetAndTimestamp at = found.get(tp);
            consumer.seek(tp, at != null ? at.offset() : ends.get(tp)); // the end: nothing published since the start
        }
    }
}
