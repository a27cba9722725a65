package io.pulse.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pulse.it.StoredAggregates;
import io.pulse.testkit.PulseInfra;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Windows older than {@code pulse.retention.windows} are deleted from every aggregate table, and the alerts about
 * them (kept for good before, 12-07), a few rows per
 * statement, by the service itself; the newer ones stay. Before, the tables grew for good. The profile keeps
 * every window since 1980, whatever today's date, so that only this test's rows (1970) are old enough for it:
 * the other tests share the database.
 */
@QuarkusTest
@TestProfile(WindowRetentionTest.KeepSince1980.class)
class WindowRetentionTest {

    public static class KeepSince1980 implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            long days = Duration.between(Instant.parse("1980-01-01T00:00:00Z"), Instant.now()).toDays();
            return Map.of("pulse.retention.windows", days + "d", "pulse.retention.interval", "1s",
                    "pulse.retention.batch-rows", "3");
        }
    }

    static final Instant OLD = Instant.parse("1970-06-01T00:00:00Z");
    static final Instant KEPT = Instant.parse("2000-01-01T00:00:00Z");
    /** Left alone by the profile's runs (after 1980): deleted by a call of the test's own. */
    static final Instant CALLED = Instant.parse("1985-01-01T00:00:00Z");
    static final String WIKI = "retentionwiki";

    @Inject
    WindowRetention retention;

    /** Its alerts are never published: left behind, another test's alert check would claim and publish them. */
    @AfterEach
    void removeAlerts() throws Exception {
        PulseInfra infra = PulseInfra.get();
        try (Connection c = infra.postgres().connect(infra.database()); Statement s = c.createStatement()) {
            s.execute("DELETE FROM alerts WHERE wiki = '" + WIKI + "'");
        }
    }

    @Test
    void shouldDeleteTheWindowsOlderThanTheRetentionFromEveryTable() throws Exception {
        insert(OLD, KEPT);

        for (String table : WindowRetention.TABLES) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rows(table, OLD)).as(table).isZero());
            assertThat(rows(table, KEPT)).as(table).isEqualTo(4);
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(alerts(OLD)).as("alerts").isZero());
        assertThat(alerts(KEPT)).as("alerts").isEqualTo(4);
    }

    @Test
    void shouldDeleteEveryOldRowInOneRunWhateverTheBatchSize() throws Exception {
        insert(CALLED, KEPT);

        // 4 rows a table, 3 a statement: one run takes two statements per table.
        long deleted = retention.deleteBefore(Instant.parse("1986-01-01T00:00:00Z")).await().atMost(Duration.ofSeconds(30));

        assertThat(deleted).isGreaterThanOrEqualTo(4L * (WindowRetention.TABLES.size() + 1));
        for (String table : WindowRetention.TABLES) {
            assertThat(rows(table, CALLED)).as(table).isZero();
            assertThat(rows(table, KEPT)).as(table).isGreaterThanOrEqualTo(4);
        }
        assertThat(alerts(CALLED)).as("alerts").isZero();
        assertThat(alerts(KEPT)).as("alerts").isGreaterThanOrEqualTo(4);
    }

    private static void insert(Instant... starts) throws Exception {
        PulseInfra infra = PulseInfra.get();
        try (Connection c = infra.postgres().connect(infra.database()); Statement s = c.createStatement()) {
            for (Instant start : starts) {
                for (int minute = 0; minute < 4; minute++) { // more rows than a statement deletes
                    String w = "timestamptz '" + start.plusSeconds(60L * minute) + "'";
                    String e = w + " + interval '1 minute'";
                    s.execute("INSERT INTO wiki_edit_counts VALUES (" + w + ", " + e + ", '" + WIKI + "', 1, 0, 0, 0, 0, 0) ON CONFLICT DO NOTHING");
                    s.execute("INSERT INTO type_edit_counts VALUES (" + w + ", " + e + ", '" + WIKI + "', 'edit', 1, 0, 0, 0) ON CONFLICT DO NOTHING");
                    s.execute("INSERT INTO namespace_edit_counts VALUES (" + w + ", " + e + ", '" + WIKI + "', 0, 1, 0, 0, 0, 0) ON CONFLICT DO NOTHING");
                    s.execute("INSERT INTO user_edit_counts VALUES (" + w + ", " + e + ", '" + WIKI + "', 'Someone', false, 1, 0, 0, 0) ON CONFLICT DO NOTHING");
                    s.execute("INSERT INTO page_edit_counts VALUES (" + w + ", " + e + ", '" + WIKI + "', 'Page', 0, 1, 0, 0, 0, 0)"
                            + " ON CONFLICT DO NOTHING");
                    s.execute("INSERT INTO alerts (id, rule, severity, alert_key, wiki, incident_start, event_time, summary,"
                            + " details) VALUES ('retention:" + WIKI + "@" + start.plusSeconds(60L * minute) + "', 'watched-user',"
                            + " 'warning', 'k', '" + WIKI + "', " + w + ", " + w + ", 'old', '{}') ON CONFLICT DO NOTHING");
                }
            }
        }
    }

    @Test
    void shouldRefuseARetentionShorterThanADay() {
        RetentionConfig hour = new RetentionConfig() {
            @Override
            public Duration windows() {
                return Duration.ofHours(1);
            }

            @Override
            public Duration interval() {
                return Duration.ofMinutes(10);
            }

            @Override
            public int batchRows() {
                return 10_000;
            }
        };
        assertThatThrownBy(() -> new WindowRetention(null, hour, new SimpleMeterRegistry(), new Stopping()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("pulse.retention.windows");
    }

    private static long alerts(Instant from) {
        return StoredAggregates.scalar("SELECT count(*) FROM alerts WHERE wiki = ? AND event_time >= ? AND event_time < ?",
                WIKI, java.sql.Timestamp.from(from), java.sql.Timestamp.from(from.plusSeconds(3600)));
    }

    private static long rows(String table, Instant from) {
        return StoredAggregates.scalar("SELECT count(*) FROM " + table + " WHERE wiki = ? AND window_start >= ?"
                + " AND window_start < ?", WIKI, java.sql.Timestamp.from(from), java.sql.Timestamp.from(from.plusSeconds(3600)));
    }
}
