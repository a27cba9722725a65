package io.pulse.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.agroal.api.AgroalDataSource;
import io.pulse.it.StoredAggregates;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.sqlclient.Row;

/**
 * One event stamped 50 minutes ahead (accepted: up to max-future-skew, 1 h) on one partition made the
 * bot-surge lookback start 40 minutes ahead of every real window: no surge anywhere was seen until the
 * clock caught up. The lookback now ends at the clock at the latest.
 */
@QuarkusTest
class BotSurgeLookbackTest {

    static final String GROUP = "bot-surge-lookback";
    static final String PREFIX = "surgelookback";
    /** Its own per run: other tests' surges (AlertsTest's, through the real pipeline) are in the same table. */
    static final String WIKI = PREFIX + System.nanoTime() + "wiki";
    /** The same surge 20 minutes ago: past the 10-minute lookback. */
    static final String OLD_WIKI = PREFIX + "old" + System.nanoTime() + "wiki";
    /** Many bot changes in the lookback, but 60% of its changes: not a surge by the rule's 90%. */
    static final String MIXED_WIKI = PREFIX + "mixed" + System.nanoTime() + "wiki";

    @Inject
    AgroalDataSource jdbc;

    @Inject
    AlertStore store;

    @AfterEach
    void removeRows() throws Exception {
        try (Connection c = jdbc.getConnection(); Statement s = c.createStatement()) {
            s.executeUpdate("DELETE FROM wiki_edit_counts WHERE wiki IN ('" + WIKI + "', '" + OLD_WIKI + "', '" + MIXED_WIKI + "')");
            s.executeUpdate("DELETE FROM consumer_offsets WHERE consumer_group = '" + GROUP + "'");
        }
    }

    @Test
    void shouldSeeTheSurgesOfTheLastMinutesWhenOnePartitionHoldsAnEventFromTheFuture() throws Exception {
        Instant window = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(2));
        insertSurge(WIKI, window);
        insertSurge(OLD_WIKI, window.minus(Duration.ofMinutes(18)));
        StoredAggregates.storeOffset(GROUP, "surge", 0, 10, window.plusSeconds(90));
        StoredAggregates.storeOffset(GROUP, "surge", 1, 10, Instant.now().plus(Duration.ofMinutes(50))); // one event ahead
        // Below the service's own rule (30 bot changes), so that its running checks raise nothing for this row.
        BotSurgeRule rule = new BotSurgeRule(true, Severity.WARNING, 600, 10, 0.9);

        List<Row> candidates = store.botSurgeCandidates(GROUP, 600, rule).await().atMost(Duration.ofSeconds(30));

        assertThat(candidates).extracting(r -> r.getString("wiki")).filteredOn(wiki -> wiki.startsWith(PREFIX))
                .containsExactly(WIKI);
        assertThat(store.botSurgeCandidates(GROUP + "-none", 600, rule).await().atMost(Duration.ofSeconds(30)))
                .as("a group that has counted nothing finds no window").isEmpty();
    }

    /**
     * The rule's share is a fraction: sent where PostgreSQL took the parameter for a bigint (from the other side of
     * {@code $4 * changes}), 0.9 went as 0, and every window with enough bot changes came back, on every replica.
     */
    @Test
    void shouldFindOnlyTheWindowsWhoseBotShareReachesTheRules() throws Exception {
        Instant window = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(2));
        insertSurge(WIKI, window);
        insertWindow(MIXED_WIKI, window, 20, 12);
        StoredAggregates.storeOffset(GROUP, "surge", 0, 10, window.plusSeconds(90));
        BotSurgeRule rule = new BotSurgeRule(true, Severity.WARNING, 600, 10, 0.9);

        List<Row> candidates = store.botSurgeCandidates(GROUP, 600, rule).await().atMost(Duration.ofSeconds(30));

        assertThat(candidates).extracting(r -> r.getString("wiki")).filteredOn(wiki -> wiki.startsWith(PREFIX))
                .containsExactly(WIKI);
    }

    /** The database compares as the rule does: 7 of 100 bot changes is a share of 0.07, not less. */
    @Test
    void shouldFindAWindowWhoseBotShareIsExactlyTheRules() throws Exception {
        Instant window = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(2));
        insertWindow(WIKI, window, 100, 7);
        insertWindow(MIXED_WIKI, window, 100, 6);
        StoredAggregates.storeOffset(GROUP, "surge", 0, 10, window.plusSeconds(90));
        BotSurgeRule rule = new BotSurgeRule(true, Severity.WARNING, 600, 5, 0.07);

        List<Row> candidates = store.botSurgeCandidates(GROUP, 600, rule).await().atMost(Duration.ofSeconds(30));

        assertThat(candidates).extracting(r -> r.getString("wiki")).filteredOn(wiki -> wiki.startsWith(PREFIX))
                .containsExactly(WIKI);
    }

    private void insertSurge(String wiki, Instant window) throws Exception {
        insertWindow(wiki, window, 20, 19);
    }

    private void insertWindow(String wiki, Instant window, long changes, long botChanges) throws Exception {
        try (Connection c = jdbc.getConnection(); PreparedStatement s = c.prepareStatement("INSERT INTO wiki_edit_counts"
                + " (window_start, window_end, wiki, changes, bot_changes, bytes_added, bytes_removed, new_pages, late_events)"
                + " VALUES (?, ?, ?, ?, ?, 0, 0, 0, 0)")) {
            s.setTimestamp(1, Timestamp.from(window));
            s.setTimestamp(2, Timestamp.from(window.plus(Duration.ofMinutes(1))));
            s.setString(3, wiki);
            s.setLong(4, changes);
            s.setLong(5, botChanges);
            s.executeUpdate();
        }
    }
}
