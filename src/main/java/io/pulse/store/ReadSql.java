package io.pulse.store;

/**
 * SQL fragments shared by the read statements, in terms of the {@link ReadFilter} parameters
 * ($1 from, $2 to, $3 wiki or null, $4 bot filter). Constants only: values always travel as binds.
 */
final class ReadSql {

    /** Windows in range and, when asked, one wiki given by id (enwiki) or by domain (en.wikipedia.org). */
    static final String WHERE_RANGE_AND_WIKI = "x.window_start >= $1 AND x.window_start < $2 AND "
            + WikiFilter.sql("x.wiki", "$3");

    /** The changes the bot filter keeps, for the tables that count bot changes apart. */
    static final String CHANGES = """
            CASE $4::text WHEN 'only' THEN x.bot_changes WHEN 'exclude' THEN x.changes - x.bot_changes
                          ELSE x.changes END""";

    /** For user rows, which carry a bot flag rather than a bot count. */
    static final String USER_BOT_FILTER = "($4::text = 'include' OR x.is_bot = ($4::text = 'only'))";

    /** Buckets of $5 seconds aligned on the epoch, as windows are (date_bin, PostgreSQL 14+). */
    static final String BUCKET = "date_bin($5::bigint * interval '1 second', x.window_start,"
            + " TIMESTAMPTZ '1970-01-01 00:00:00+00')";

    private ReadSql() {
    }
}
