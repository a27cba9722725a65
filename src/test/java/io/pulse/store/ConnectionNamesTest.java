package io.pulse.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * Pulse's database connections name themselves in pg_stat_activity, and the migrations' JDBC pool
 * lets its idle connections go after a minute.
 */
@QuarkusTest
class ConnectionNamesTest {

    @Inject
    Pool reactive;

    @Inject
    AgroalDataSource jdbc;

    @Test
    void shouldNameTheServicesConnectionsAndTheMigrationsOnes() throws Exception {
        String name = reactive.query("SELECT current_setting('application_name')").execute()
                .await().atMost(Duration.ofSeconds(30)).iterator().next().getString(0);
        assertThat(name).isEqualTo("pulse");

        try (Connection c = jdbc.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_setting('application_name')")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("pulse-migrations");
        }
        assertThat(jdbc.getConfiguration().connectionPoolConfiguration().reapTimeout()).isEqualTo(Duration.ofMinutes(1));
    }
}
