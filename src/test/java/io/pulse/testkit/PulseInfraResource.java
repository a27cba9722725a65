package io.pulse.testkit;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Points a Quarkus test application at the JVM-wide {@link PulseInfra}: a real Kafka broker and a fresh
 * PostgreSQL database. Use with {@code @QuarkusTestResource(PulseInfraResource.class)} or
 * {@code @WithTestResource(PulseInfraResource.class)}.
 *
 * <p>Dev Services (which need Docker) must be switched off in the application's configuration, with
 * {@code %test.quarkus.devservices.enabled=false}: they are decided while the application is built, before
 * any test resource starts, and a build-time property returned here would fail a test profile's start.
 */
public class PulseInfraResource implements QuarkusTestResourceLifecycleManager {

    @Override
    public Map<String, String> start() {
        PulseInfra infra = PulseInfra.get();
        return Map.of(
                "kafka.bootstrap.servers", infra.bootstrapServers(),
                "quarkus.datasource.reactive.url", infra.reactiveUrl(),
                "quarkus.datasource.jdbc.url", infra.jdbcUrl(),
                "quarkus.datasource.username", infra.postgres().username(),
                // Trust authentication: an empty value also hides any password the application config sets.
                "quarkus.datasource.password", "");
    }

    @Override
    public void stop() {
        // Nothing: the infrastructure outlives each test class and is shared by all of them (see PulseInfra).
    }
}
