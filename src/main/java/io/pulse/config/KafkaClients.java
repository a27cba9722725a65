package io.pulse.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.eclipse.microprofile.config.Config;

/**
 * Kafka clients of Pulse's own, configured like the channels' clients: from the {@code kafka.*} settings
 * (Quarkus' {@code default-kafka-broker} map), so that a broker with TLS or SASL is reached the same way.
 */
public final class KafkaClients {

    private KafkaClients() {
    }

    /**
     * The {@code kafka.*} settings a client of that kind knows ({@code ConsumerConfig.configNames()}, ...):
     * the rest (group.id for an admin client, serializers) would be logged as unused. Config providers' own settings
     * ({@code config.providers.file.class}, ...) are no client's names but go too: a secret read through one (a SASL
     * password in a file, {@code ${file:...}}) was left unresolved, and every client Pulse builds itself failed.
     */
    public static Map<String, Object> settings(Map<String, Object> kafka, Set<String> known) {
        Map<String, Object> config = new HashMap<>();
        kafka.forEach((key, value) -> {
            if (known.contains(key) || key.startsWith(CONFIG_PROVIDERS)) {
                config.put(key, value);
            }
        });
        return config;
    }

    private static final String CONFIG_PROVIDERS = "config.providers";

    /**
     * A fetch response's bound for Pulse's own readers, as the aggregator's channel has it: a response is
     * one heap buffer plus, per socket read, a direct buffer of what is left of it, and direct memory is
     * capped at 96 MB (jvm.options). Kafka's default, 50 MB, is reached by a reader assigned 50 partitions
     * with a backlog (1 MB each).
     */
    public static final int READER_FETCH_MAX_BYTES = 8 * 1024 * 1024;

    /**
     * The settings of a consumer of Pulse's own that reads partitions it assigns itself (no group, no
     * commits) and, as the channels do, committed records only: an aborted transaction's records were
     * never published. Its responses are bounded ({@link #READER_FETCH_MAX_BYTES}) unless
     * {@code kafka.fetch.max.bytes} says otherwise.
     */
    public static Map<String, Object> committedReader(Map<String, Object> kafka, String clientId) {
        Map<String, Object> config = settings(kafka, ConsumerConfig.configNames());
        config.remove(ConsumerConfig.GROUP_ID_CONFIG);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        config.putIfAbsent(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, READER_FETCH_MAX_BYTES);
        return config;
    }

    /**
     * The settings of a producer of Pulse's own that publishes like a channel's: the {@code kafka.*}
     * settings, then the channel's own ({@code mp.messaging.outgoing.<channel>.*}) over them.
     */
    public static Map<String, Object> producerSettings(Map<String, Object> kafka, Config config, String channel) {
        Set<String> known = ProducerConfig.configNames();
        Map<String, Object> settings = settings(kafka, known);
        String prefix = "mp.messaging.outgoing." + channel + ".";
        // Asked by name, not found among the property names: a setting given only as an environment variable
        // (MP_MESSAGING_OUTGOING_<CHANNEL>_COMPRESSION_TYPE, on Kubernetes) is not listed under its dotted name,
        // and the leader's producer published without what the channel's own used.
        for (String name : known) {
            config.getOptionalValue(prefix + name, String.class).ifPresent(v -> settings.put(name, v));
        }
        return settings;
    }

    public static Admin admin(Map<String, Object> kafka, String clientId, Duration timeout) {
        Map<String, Object> config = settings(kafka, AdminClientConfig.configNames());
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        return Admin.create(config);
    }
}
