package io.pulse.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pulse.it.StoredAggregates;
import io.pulse.testkit.PulseInfra;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * Windows older than {@code pulse.retention.windows} are deleted from every aggregate table, a few rows per
 * statement, by the service itself; the newer ones stay. Before, the tables grew for good. The profile keeps
 * 20,000 days, so that only this test's rows (1970) are old enough: the other tests share the database.
 */
@QuarkusTest
@TestProfile(WindowRetentionTest.KeepSinceTheSeventies.class)
class WindowRetentionTest {

    public static class KeepSinceTheSeventies implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("pulse.retention.windows", "20000d", "pulse.retention.interval", "1s",
                    "pulse.retention.batch-rows", "3");
        }
    }

    static final Instant OLD = Instant.parse("1970-06-01T00:00:00Z");
    static final Instant KEPT = Instant.parse("1975-01-01T00:00:00Z");
    static final String WIKI = "retentionwiki";

    @Test
    void shouldDeleteTheWindowsOlderThanTheRetentionFromEveryTable() throws Exception {
        PulseInfra infra = PulseInfra.get();
        try (Connection c = infra.postgres().connect(infra.database()); Statement s = c.createStatement()) {
            for (Instant start : new Instant[] { OLD, KEPT }) {
                for (int minute = 0; minute < 4; minute++) { // more rows than a statement deletes
                    String w = "timestamptz '" + start.plusSeconds(60L * minute) + "'";
                    String e = w + " + interval '1 minute'";
                    s.execute("INSERT INTO wiki_edit_counts VALUES (" + w + ", " + e + ", '" + WIKI + "', 1, 0, 0, 0, 0, 0)");
                    s.execute("INSERT INTO type_edit_counts VALUES (" + w + ", " + e + ", '" + WIKI + "', 'edit', 1, 0, 0, 0)");
                    s.execute("INSERT INTO namespace_edit_counts VALUES (" + w + ", " + e + ", '" + WIKI + "', 0, 1, 0, 0, 0, 0)");
                    s.execute("INSERT INTO user_edit_counts VALUES (" + w + ", " + e + ", '" + WIKI + "', 'Someone', false, 1, 0, 0, 0)");
                    s.execute("INSERT INTO page_edit_counts VALUES (" + w + ", " + e + ", '" + WIKI + "', 'Page', 0, 1, 0, 0, 0, 0)");
                }
            }
        }

        for (String table : WindowRetention.TABLES) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(rows(table, OLD)).as(table).isZero());
            assertThat(rows(table, KEPT)).as(table).isEqualTo(4);
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

    private static long rows(String table, Instant from) {
        return StoredAggregates.scalar("SELECT count(*) FROM " + table + " WHERE wiki = ? AND window_start >= ?"
                + " AND window_start < ?", WIKI, java.sql.Timestamp.from(from), java.sql.Timestamp.from(from.plusSeconds(3600)));
    }
}
