package io.pulse.store;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import jakarta.inject.Singleton;

import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.configuration.FluentConfiguration;

import io.quarkus.flyway.FlywayConfigurationCustomizer;

/**
 * What every Flyway run on Pulse's migrations needs, the service's at start and a test's or a tool's own:
 * <ul>
 * <li>Flyway's lock against concurrent migrations as a session advisory lock, not one held by an open
 * transaction: a migration that builds an index concurrently (V8: replicas of the previous version keep
 * writing meanwhile) waits for every open transaction, Flyway's own lock included, and would wait forever.</li>
 * <li>{@link InterruptedIndexBuilds}: such a migration, interrupted, leaves an invalid index that would
 * make every later start fail.</li>
 * </ul>
 */
@Singleton
public class FlywaySettings implements FlywayConfigurationCustomizer {

    /** The settings part, for a tool that configures Flyway by properties. */
    public static final Map<String, String> SETTINGS = Map.of("flyway.postgresql.transactional.lock", "false");

    @Override
    public void customize(FluentConfiguration configuration) {
        apply(configuration);
    }

    /** Adds Pulse's settings and callbacks to {@code configuration}, keeping callbacks set before. */
    public static FluentConfiguration apply(FluentConfiguration configuration) {
        List<Callback> callbacks = new ArrayList<>(Arrays.asList(configuration.getCallbacks()));
        callbacks.add(new InterruptedIndexBuilds());
        return configuration.configuration(SETTINGS).callbacks(callbacks.toArray(Callback[]::new));
    }
}
