package io.pulse.store;

import static io.pulse.store.ReadSql.BUCKET;
import static io.pulse.store.ReadSql.CHANGES;
import static io.pulse.store.ReadSql.WHERE_RANGE_AND_WIKI;

import java.util.Map;

/**
 * Time series: $1..$4 as in {@link ReadFilter}, $5 the step in seconds. Each row is one point of one
 * series: (bucket start, series name, value). Buckets without rows give no point.
 */
final class SeriesStatements {

    /** Keyed by {@link #key}; a combination that is absent is not supported. */
    static final Map<String, String> BY_METRIC_AND_SPLIT = Map.of(
            key(Metric.CHANGES, SeriesSplit.NONE), sum("'all'", CHANGES, "wiki_edit_counts"),
            key(Metric.BYTES_ADDED, SeriesSplit.NONE), sum("'all'", unsplit("bytes_added"), "wiki_edit_counts"),
            key(Metric.BYTES_REMOVED, SeriesSplit.NONE), sum("'all'", unsplit("bytes_removed"), "wiki_edit_counts"),
            key(Metric.NEW_PAGES, SeriesSplit.NONE), sum("'all'", unsplit("new_pages"), "wiki_edit_counts"),
            key(Metric.DISTINCT_USERS, SeriesSplit.NONE), distinctUsers(),
            key(Metric.CHANGES, SeriesSplit.TYPE), sum("x.change_type", CHANGES, "type_edit_counts"),
            key(Metric.BYTES_ADDED, SeriesSplit.TYPE), sum("x.change_type", unsplit("bytes_added"), "type_edit_counts"),
            key(Metric.BYTES_REMOVED, SeriesSplit.TYPE), sum("x.change_type", unsplit("bytes_removed"), "type_edit_counts"),
            key(Metric.CHANGES, SeriesSplit.BOT), botsAndHumans());

    static String key(Metric metric, SeriesSplit split) {
        return metric + "/" + split;
    }

    private static String sum(String series, String value, String table) {
        return """
                SELECT %s AS bucket, %s AS series, sum(%s)::bigint AS value
                FROM %s x
                WHERE %s
                GROUP BY 1, 2 ORDER BY 1""".formatted(BUCKET, series, value, table, WHERE_RANGE_AND_WIKI);
    }

    /** A measure not split by bot: the API only asks for it with bot=include, null otherwise. */
    private static String unsplit(String column) {
        return "CASE WHEN $4::text = 'include' THEN x." + column + " END";
    }

    /**
     * Exact at any step: distinct names over the union of the windows' user sets, not a sum of
     * per-window counts. A name counts once across wikis (Wikimedia accounts are global).
     */
    private static String distinctUsers() {
        return """
                SELECT %s AS bucket, 'all' AS series, count(DISTINCT x.user_name) AS value
                FROM user_edit_counts x
                WHERE %s
                  AND ($4::text = 'include' OR x.is_bot = ($4::text = 'only'))
                GROUP BY 1, 2 ORDER BY 1""".formatted(BUCKET, WHERE_RANGE_AND_WIKI);
    }

    /** Changes as two series, "bot" and "human", from the bot count kept with every wiki window. */
    private static String botsAndHumans() {
        return """
                SELECT %s AS bucket, s.series, sum(s.n)::bigint AS value
                FROM wiki_edit_counts x
                CROSS JOIN LATERAL (VALUES ('bot', x.bot_changes), ('human', x.changes - x.bot_changes)) s(series, n)
                WHERE %s
                  AND ($4::text = 'include' OR s.series = CASE $4::text WHEN 'only' THEN 'bot' ELSE 'human' END)
                GROUP BY 1, 2 ORDER BY 1""".formatted(BUCKET, WHERE_RANGE_AND_WIKI);
    }

    private SeriesStatements() {
    }
}
