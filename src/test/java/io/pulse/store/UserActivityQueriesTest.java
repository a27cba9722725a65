package io.pulse.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.pulse.testkit.PulseInfra;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Pool;

/**
 * A user's activity is one read: one snapshot for its totals and its windows, and one of the reads' places.
 * As two reads it took two places, and with one place left the second was refused (503) while the first held
 * its own for nothing.
 */
@QuarkusTest
class UserActivityQueriesTest {

    @Inject
    Pool pool; // the service's: Quarkus has migrated the schema

    @Test
    void shouldAnswerTotalsAndWindowsInOneReadsPlace() throws Exception {
        PulseInfra infra = PulseInfra.get();
        String user = "Activity one read " + System.nanoTime();
        Instant base = Instant.parse("2026-02-01T10:00:00Z");
        long changes = 0;
        try (Connection c = infra.postgres().connect(infra.database()); PreparedStatement insert = c.prepareStatement(
                "INSERT INTO user_edit_counts (window_start, window_end, wiki, user_name, is_bot, changes, bytes_added,"
                        + " bytes_removed, new_pages) VALUES (?, ?, ?, ?, false, ?, ?, 0, 0)")) {
            for (int i = 0; i < 5; i++) {
                insert.setTimestamp(1, Timestamp.from(base.plusSeconds(60L * i)));
                insert.setTimestamp(2, Timestamp.from(base.plusSeconds(60L * i + 60)));
                insert.setString(3, i % 2 == 0 ? "enwiki" : "dewiki");
                insert.setString(4, user);
                insert.setLong(5, i + 1);
                insert.setLong(6, 10L * i);
                insert.executeUpdate();
                changes += i + 1;
            }
        }
        BoundedReads oneAtATime = new BoundedReads(pool, readConfig(1, 0), 16);

        UserActivity activity = new UserActivityQueries(oneAtATime)
                .activity(new ReadFilter(base, base.plusSeconds(3600), null, BotFilter.INCLUDE), user, 3)
                .await().atMost(Duration.ofSeconds(30));

        assertThat(activity.totals().changes()).isEqualTo(changes);
        assertThat(activity.totals().bytesAdded()).isEqualTo(100);
        assertThat(activity.totals().windows()).isEqualTo(5);
        assertThat(activity.windows()).extracting(UserActivity.Window::changes).containsExactly(5L, 4L, 3L);
        assertThat(activity.windows()).extracting(UserActivity.Window::wiki).containsExactly("enwiki", "dewiki", "enwiki");

        UserActivity nobody = new UserActivityQueries(oneAtATime)
                .activity(new ReadFilter(base, base.plusSeconds(3600), null, BotFilter.INCLUDE), user + " not", 3)
                .await().atMost(Duration.ofSeconds(30));
        assertThat(nobody.totals().windows()).isZero();
        assertThat(nobody.windows()).isEmpty();
    }

    private static ReadConfig readConfig(int concurrent, int queued) {
        return new ReadConfig() {
            @Override
            public Duration readTimeout() {
                return Duration.ofSeconds(10);
            }

            @Override
            public int maxConcurrentReads() {
                return concurrent;
            }

            @Override
            public int maxQueuedReads() {
                return queued;
            }
        };
    }
}
