package io.pulse.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.pulse.aggregate.AggregateConfig;
import io.pulse.store.AggregateStore;
import io.pulse.store.KnownOffsets;
import io.pulse.store.Stopping;
import io.pulse.store.StoredOffsetSeeker;
import io.pulse.testkit.PulseInfra;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A second replica joins and takes one of the two partitions. The first keeps the alert state of the
 * partition it lost while batches polled before the rebalance are evaluated (one may commit before the
 * new owner reads the store, and is never delivered again), then releases it: kept, the states of
 * every partition a replica ever held added up, up to 60 MB each. The rebalance is a real one, on
 * the broker, with both of Kafka's protocols: the revocation callback sees the old generation with the
 * eager one, the new one with the cooperative one.
 */
@QuarkusTest
class RevokedPartitionStateTest {

    static final String TOPIC = "pulse.revoked-partition-state";

    @Inject
    AggregateStore store;

    @Inject
    AlertConfig config;

    @Inject
    AlertRules rules;

    @Inject
    AggregateConfig aggregate;

    @ParameterizedTest
    @ValueSource(classes = { RangeAssignor.class, CooperativeStickyAssignor.class })
    void shouldReleaseTheStateOfAPartitionTakenAwayOnceTheBatchesPolledBeforeAreEvaluated(Class<?> assignor)
            throws Exception {
        PulseInfra.get().kafka().createTopic(TOPIC, 2); // kept if the other protocol's run made it
        String group = "revoked-state-" + assignor.getSimpleName();
        AlertPartitions partitions = new AlertPartitions(aggregate.window().toMillis(), 1_000);
        var seeker = new StoredOffsetSeeker(store, KnownOffsets.NONE, new WarmUp(partitions, config, rules, aggregate),
                new Stopping(), aggregate, group);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger secondsPartitions = new AtomicInteger();
        try (KafkaConsumer<byte[], byte[]> first = consumer(group, assignor)) {
            first.subscribe(List.of(TOPIC), listener(seeker, first));
            await().atMost(Duration.ofSeconds(60)).until(() -> polled(first).size() == 2);
            assertThat(partitions.tracks(0) && partitions.tracks(1)).as("a state per assigned partition").isTrue();
            int before = first.groupMetadata().generationId();

            var second = CompletableFuture.runAsync(() -> {
                try (KafkaConsumer<byte[], byte[]> other = consumer(group, assignor)) {
                    other.subscribe(List.of(TOPIC));
                    while (!stop.get()) {
                        other.poll(Duration.ofMillis(100));
                        secondsPartitions.set(other.assignment().size());
                    }
                }
            });
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> polled(first).size() == 1 && secondsPartitions.get() == 1);
            int kept = first.assignment().iterator().next().partition();
            int moved = 1 - kept;
            int after = first.groupMetadata().generationId();
            assertThat(after).isGreaterThan(before);

            // A batch polled before the rebalance, evaluated after it: the moved partition's state is still there.
            PerChangeAlerts.evaluate(List.of(), before, rules.current(), partitions);
            assertThat(partitions.tracks(moved)).as("kept for the batches polled before the rebalance").isTrue();
            // The first batch polled since: every batch polled before has been evaluated.
            PerChangeAlerts.evaluate(List.of(), after, rules.current(), partitions);
            assertThat(partitions.tracks(moved)).as("released").isFalse();
            assertThat(partitions.tracks(kept)).as("still this replica's").isTrue();

            stop.set(true);
            second.get(60, TimeUnit.SECONDS);
        } finally {
            stop.set(true);
        }
    }

    private static Set<TopicPartition> polled(KafkaConsumer<byte[], byte[]> consumer) {
        consumer.poll(Duration.ofMillis(100));
        return consumer.assignment();
    }

    /** What SmallRye does with the channel's rebalance listener. */
    private static ConsumerRebalanceListener listener(StoredOffsetSeeker seeker, KafkaConsumer<?, ?> consumer) {
        return new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> assigned) {
                seeker.onPartitionsAssigned(consumer, assigned);
            }

            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> revoked) {
                seeker.onPartitionsRevoked(consumer, revoked);
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> lost) {
                seeker.onPartitionsLost(consumer, lost);
            }
        };
    }

    private static KafkaConsumer<byte[], byte[]> consumer(String group, Class<?> assignor) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, PulseInfra.get().bootstrapServers());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, assignor.getName());
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
        return new KafkaConsumer<>(p);
    }
}
