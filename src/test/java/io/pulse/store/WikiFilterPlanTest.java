package io.pulse.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pulse.testkit.PulseInfra;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A one-wiki series reads that wiki's rows, found through the (wiki, window_start) index, not every wiki's
 * rows of the range. Run on 300 wikis over 1,000 windows, written window after window as the aggregator
 * writes them, in a temporary copy of the table. Planned with the values, as the client's unnamed
 * statements are (quarkus.datasource.reactive.cache-prepared-statements is off: with it on, PostgreSQL may
 * settle on a generic plan, which cannot use the index for "$3 IS NULL OR ...").
 */
@QuarkusTest
class WikiFilterPlanTest {

    static final int WIKIS = 300;
    static final int WINDOWS = 1000;
    static final Instant FIRST = Instant.parse("2002-01-01T00:00:00Z");

    @Test
    void shouldReadOneWikisSeriesThroughTheWikiIndex() throws Exception {
        PulseInfra infra = PulseInfra.get();
        try (Connection c = infra.postgres().connect(infra.database()); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            try {
                // A temporary copy, indexes included, found first by name: the other tests' table keeps its
                // statistics and gets no dead rows (ANALYZE writes the row estimate in place, rollback or not).
                s.execute("CREATE TEMP TABLE wiki_edit_counts (LIKE wiki_edit_counts INCLUDING ALL) ON COMMIT DROP");
                // Wiki w has w changes per window; filterwiki1 (also known by its domain) only in the first 10 windows.
                s.execute("""
                        INSERT INTO wiki_edit_counts (window_start, window_end, wiki, changes, bot_changes, bytes_added,
                            bytes_removed, new_pages, late_events)
                        SELECT t, t + interval '1 minute', 'filterwiki' || w, w, 0, 0, 0, 0, 0
                        FROM generate_series(timestamptz '%s', timestamptz '%s' + interval '1 minute' * %d, interval '1 minute') t,
                             generate_series(1, %d) w
                        WHERE w > 1 OR t < timestamptz '%s' + interval '1 minute' * 10
                        ORDER BY t, w"""
                        .formatted(FIRST, FIRST, WINDOWS - 1, WIKIS, FIRST));
                s.execute("INSERT INTO wiki_domains (wiki, domain) VALUES ('filterwiki1', 'filter1.example.org')"
                        + " ON CONFLICT DO NOTHING");
                s.execute("ANALYZE wiki_edit_counts");
                s.execute("SET LOCAL plan_cache_mode = force_custom_plan");
                s.execute("PREPARE series(timestamptz, timestamptz, text, text, bigint) AS "
                        + SeriesStatements.BY_METRIC_AND_SPLIT.get(SeriesStatements.key(Metric.CHANGES, SeriesSplit.NONE)));

                // Right answers, in hourly buckets: by id, by domain, and every wiki (an independent sum).
                assertThat(total(s, "'filterwiki7'")).isEqualTo(7L * WINDOWS);
                assertThat(total(s, "'filter1.example.org'")).isEqualTo(10);
                long all = 10;
                for (int w = 2; w <= WIKIS; w++) {
                    all += (long) w * WINDOWS;
                }
                assertThat(total(s, "NULL")).isEqualTo(all);

                for (String wiki : new String[] { "'filterwiki7'", "'filter1.example.org'", "'nosuchwiki'" }) {
                    JsonNode plan;
                    try (ResultSet rs = s.executeQuery("EXPLAIN (FORMAT JSON) " + execute(wiki))) {
                        rs.next();
                        plan = new ObjectMapper().readTree(rs.getString(1)).get(0).get("Plan");
                    }
                    // wiki_edit_counts_wiki's copy: (wiki, window_start), not the primary key (window_start, wiki).
                    assertThat(indexesUsed(plan)).as("plan for %s: %s", wiki, plan)
                            .anySatisfy(index -> assertThat(index).startsWith("wiki_edit_counts_wiki"));
                }
            } finally {
                c.rollback();
            }
        }
    }

    private static String execute(String wiki) {
        return "EXECUTE series('%s', '%s', %s, 'include', 3600)".formatted(FIRST, FIRST.plusSeconds(60L * WINDOWS), wiki);
    }

    private static long total(Statement s, String wiki) throws Exception {
        long sum = 0;
        try (ResultSet rs = s.executeQuery(execute(wiki))) {
            while (rs.next()) {
                sum += rs.getLong("value");
            }
        }
        return sum;
    }

    private static List<String> indexesUsed(JsonNode node) {
        List<String> names = new ArrayList<>();
        if (node.has("Index Name")) {
            names.add(node.get("Index Name").asText());
        }
        for (JsonNode child : node.path("Plans")) {
            names.addAll(indexesUsed(child));
        }
        return names;
    }
}
