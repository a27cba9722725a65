package io.pulse.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

import io.pulse.replay.Recording;
import io.pulse.source.wikimedia.WikimediaIngest;
import io.pulse.testkit.LocalPostgres;

/**
 * The one resume position kept before positions were per stream goes, on upgrade, to the stream it came
 * from: the bundled recording's to the replay, any other to Wikimedia's feed. Each then resumes where it was.
 */
class CheckpointPerStreamMigrationTest {

    static final String REPLAY = "http://localhost:8080/replay/wikimedia/recentchange";
    static final String LIVE = "https://stream.wikimedia.org/v2/stream/recentchange";

    @Test
    void shouldGiveTheOldPositionToTheStreamItCameFrom() throws Exception {
        String replayId = Recording.eventId(3999);
        String liveId = "[{\"topic\":\"eqiad.mediawiki.recentchange\",\"partition\":0,\"timestamp\":1764950000001}]";
        try (LocalPostgres postgres = LocalPostgres.throwaway()) {
            postgres.start();
            assertThat(upgraded(postgres, "upgrade_replay", replayId))
                    .containsExactly(WikimediaIngest.checkpointKey(URI.create(REPLAY)) + " " + replayId);
            assertThat(upgraded(postgres, "upgrade_live", liveId))
                    .containsExactly(WikimediaIngest.checkpointKey(URI.create(LIVE)) + " " + liveId);
        }
    }

    /** The checkpoint rows after migrating a database that held {@code lastEventId} under the old key. */
    private static List<String> upgraded(LocalPostgres postgres, String database, String lastEventId) throws Exception {
        postgres.createDatabase(database);
        FlywaySettings.apply(Flyway.configure().dataSource(postgres.jdbcUrl(database), LocalPostgres.USERNAME, "")
                .locations("classpath:db/migration")).target("5").load().migrate();
        try (Connection c = postgres.connect(database); Statement s = c.createStatement()) {
            s.execute("INSERT INTO ingest_checkpoints (source, last_event_id, kafka_positions) VALUES ('wikimedia', '"
                    + lastEventId + "', '0:12')");
        }
        FlywaySettings.apply(Flyway.configure().dataSource(postgres.jdbcUrl(database), LocalPostgres.USERNAME, "")
                .locations("classpath:db/migration")).load().migrate();
        List<String> rows = new ArrayList<>();
        try (Connection c = postgres.connect(database); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT source, last_event_id FROM ingest_checkpoints")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2));
            }
        }
        return rows;
    }
}
