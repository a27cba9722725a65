package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pulse.store.SnapshotQueries;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A one-wiki dashboard starts from the wiki's newest window: that read must not grow with the table,
 * above all for a wiki with no rows (a typo in the filter), read again on every snapshot. Run on a
 * table of 300 wikis over 1,000 windows, inside a transaction rolled back at the end (others never see
 * the rows), with the generic plan the client's prepared statement settles on.
 */
@QuarkusTest
class NewestWindowPlanTest {

    static final int WIKIS = 300;
    static final int WINDOWS = 1000;
    static final Instant FIRST = Instant.parse("2001-01-01T00:00:00Z");

    @Test
    void shouldFindTheNewestWindowWithoutScanningOtherWikisRows() throws Exception {
        try (Connection c = StoredAggregates.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            try {
                s.execute("""
                        INSERT INTO wiki_edit_counts (window_start, window_end, wiki, changes, bot_changes, bytes_added,
                            bytes_removed, new_pages, late_events)
                        SELECT t, t + interval '1 minute', 'planwiki' || w, 1, 0, 0, 0, 0, 0
                        FROM generate_series(1, %d) w,
                             generate_series(timestamptz '%s', timestamptz '%s' + interval '1 minute' * %d, interval '1 minute') t
                        WHERE w > 1 OR t < timestamptz '%s' + interval '1 minute' * 10"""
                        .formatted(WIKIS, FIRST, FIRST, WINDOWS - 1, FIRST));
                s.execute("INSERT INTO wiki_domains (wiki, domain) VALUES ('planwiki1', 'plan1.example.org')"
                        + " ON CONFLICT DO NOTHING");
                s.execute("ANALYZE wiki_edit_counts");
                s.execute("SET LOCAL plan_cache_mode = force_generic_plan");
                s.execute("PREPARE newest_window(text) AS " + SnapshotQueries.NEWEST_WINDOW_OF_WIKI);

                // Right answers: by id, by domain (planwiki1's last window is its 10th), none for an unknown wiki.
                assertThat(newest(s, "planwiki7")).isEqualTo(FIRST.plusSeconds(60L * (WINDOWS - 1)));
                assertThat(newest(s, "plan1.example.org")).isEqualTo(FIRST.plusSeconds(60L * 9));
                assertThat(newest(s, "nosuchwiki")).isNull();

                for (String wiki : new String[] { "nosuchwiki", "planwiki1", "plan1.example.org" }) {
                    JsonNode plan;
                    try (ResultSet rs = s.executeQuery("EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE newest_window('" + wiki + "')")) {
                        rs.next();
                        plan = new ObjectMapper().readTree(rs.getString(1)).get(0).get("Plan");
                    }
                    // Of 300,000 rows: at most a handful looked at, none read and thrown away.
                    assertThat(rowsTouched(plan)).as("rows read for %s: %s", wiki, plan).isLessThan(50);
                }
            } finally {
                c.rollback();
            }
        }
    }

    private static Instant newest(Statement s, String wiki) throws Exception {
        try (ResultSet rs = s.executeQuery("EXECUTE newest_window('" + wiki + "')")) {
            rs.next();
            var t = rs.getObject(1, java.time.OffsetDateTime.class);
            return t == null ? null : t.toInstant();
        }
    }

    /** Rows each scan of wiki_edit_counts produced or filtered out, over all its loops, summed over the plan. */
    private static long rowsTouched(JsonNode node) {
        long rows = 0;
        if (node.path("Node Type").asText().contains("Scan") && "wiki_edit_counts".equals(node.path("Relation Name").asText())) {
            rows += (node.path("Actual Rows").asLong() + node.path("Rows Removed by Filter").asLong())
                    * Math.max(1, node.path("Actual Loops").asLong());
        }
        for (JsonNode child : node.path("Plans")) {
            rows += rowsTouched(child);
        }
        return rows;
    }
}
