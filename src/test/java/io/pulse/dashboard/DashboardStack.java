package io.pulse.dashboard;

import java.util.Map;
import java.util.Set;
import java.util.UUID;

import io.pulse.testkit.Ports;
import io.pulse.testkit.PulseInfra;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Pulse as {@code ./pulse run} runs it, isolated from the other tests: its own database, topics and
 * consumer group on the shared broker and cluster, and the ingest reading the app's own replay of the
 * bundled recording, so the dashboard shows exactly the recording.
 */
public class DashboardStack implements QuarkusTestProfile {

    static final String TOPIC = "pulse.dashboard.recentchange";

    @Override
    public Set<Class<?>> getEnabledAlternatives() {
        return Set.of();
    }

    @Override
    public java.util.List<TestResourceEntry> testResources() {
        return java.util.List.of(new TestResourceEntry(Resource.class));
    }

    public static class Resource implements QuarkusTestResourceLifecycleManager {

        @Override
        public Map<String, String> start() {
            PulseInfra infra = PulseInfra.get();
            String database = "pulse_dashboard_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
            infra.postgres().createDatabase(database);
            infra.kafka().createTopic(TOPIC, 2);
            int port = Ports.preferredOrFree(0);
            return Map.ofEntries(
                    Map.entry("kafka.bootstrap.servers", infra.bootstrapServers()),
                    Map.entry("quarkus.datasource.reactive.url", infra.postgres().reactiveUrl(database)),
                    Map.entry("quarkus.datasource.jdbc.url", infra.postgres().jdbcUrl(database)),
                    Map.entry("quarkus.datasource.username", infra.postgres().username()),
                    Map.entry("quarkus.datasource.password", ""),
                    Map.entry("quarkus.http.test-port", Integer.toString(port)),
                    Map.entry("mp.messaging.outgoing.wikimedia-events-out.topic", TOPIC),
                    Map.entry("mp.messaging.incoming.wikimedia-events-in.topic", TOPIC),
                    Map.entry("mp.messaging.incoming.wikimedia-events-in.group.id", "pulse-dashboard"),
                    Map.entry("mp.messaging.outgoing.wikimedia-dead-letters.topic", TOPIC + ".dlq"),
                    Map.entry("pulse.wikimedia.enabled", "true"),
                    Map.entry("pulse.wikimedia.url", "http://localhost:" + port + "/replay/wikimedia/recentchange"),
                    Map.entry("pulse.replay.events-per-second", "0"),
                    Map.entry("pulse.metrics.interval", "500ms"));
        }

        @Override
        public void stop() {
            // the database and topics go with the JVM's throwaway infrastructure
        }
    }
}
