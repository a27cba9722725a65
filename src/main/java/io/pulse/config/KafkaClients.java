package io.pulse.config;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * Admin clients configured like the channels' clients: from the {@code kafka.*} settings (Quarkus'
 * {@code default-kafka-broker} map), so that a broker with TLS or SASL is reached the same way.
 */
public final class KafkaAdmins {

    private KafkaAdmins() {
    }

    public static Admin create(Map<String, Object> kafka, String clientId, Duration timeout) {
        Set<String> known = AdminClientConfig.configNames();
        Map<String, Object> config = new HashMap<>();
        // Only the admin client's own settings: the rest (group.id, serializers) would be logged as unused.
        kafka.forEach((key, value) -> {
            if (known.contains(key)) {
                config.put(key, value);
            }
        });
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeout.toMillis());
        return Admin.create(config);
    }
}
