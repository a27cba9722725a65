package io.pulse.it;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.ConfigProvider;

/** Waits until a consumer group has stored offsets in PostgreSQL up to the topic's current end. */
final class ConsumerGroups {

    static void awaitConsumed(String group, String topic, Duration patience) throws Exception {
        Properties p = new Properties();
        p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                ConfigProvider.getConfig().getValue("kafka.bootstrap.servers", String.class));
        try (Admin admin = Admin.create(p)) {
            List<TopicPartition> partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic)
                    .partitions().stream().map(info -> new TopicPartition(topic, info.partition())).toList();
            Map<TopicPartition, Long> end = new java.util.HashMap<>();
            for (var e : admin.listOffsets(partitions.stream().collect(java.util.stream.Collectors.toMap(tp -> tp,
                    tp -> OffsetSpec.latest()))).all().get().entrySet()) {
                end.put(e.getKey(), e.getValue().offset());
            }
            await().atMost(patience).pollInterval(Duration.ofMillis(500)).until(() -> end.entrySet().stream()
                    .allMatch(e -> e.getValue() == 0 || StoredAggregates.scalar("SELECT coalesce(max(next_offset), 0)"
                            + " FROM consumer_offsets WHERE consumer_group = ? AND topic = ? AND kafka_partition = ?",
                            group, topic, e.getKey().partition()) >= e.getValue()));
        }
    }

    private ConsumerGroups() {
    }
}
