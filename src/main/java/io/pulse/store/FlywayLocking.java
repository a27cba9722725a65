package io.pulse.store;

import java.util.Map;

import jakarta.inject.Singleton;

import org.flywaydb.core.api.configuration.FluentConfiguration;

import io.quarkus.flyway.FlywayConfigurationCustomizer;

/**
 * Flyway's lock against concurrent migrations as a session advisory lock, not one held by an open
 * transaction: a migration that builds an index concurrently (V8: replicas of the previous version keep
 * writing meanwhile) waits for every open transaction, Flyway's own lock included, and would wait forever.
 */
@Singleton
public class FlywayLocking implements FlywayConfigurationCustomizer {

    /** What every Flyway run on Pulse's migrations needs (a test's or a tool's own run too). */
    public static final Map<String, String> SETTINGS = Map.of("flyway.postgresql.transactional.lock", "false");

    @Override
    public void customize(FluentConfiguration configuration) {
        configuration.configuration(SETTINGS);
    }
}
