package io.pulse.store;

import static io.pulse.store.ReadSql.CHANGES;
import static io.pulse.store.ReadSql.USER_BOT_FILTER;
import static io.pulse.store.ReadSql.WHERE_RANGE_AND_WIKI;

/**
 * Top-N over a range of windows: $1..$4 as in {@link ReadFilter}, $5 the limit. Ordered by changes,
 * then by key in byte order (COLLATE "C"), so that ties come out the same on every database.
 * Rows whose filtered change count is zero are left out (a page only humans touched, with bot=only).
 */
final class TopStatements {

    private static final String USERS_WHERE = """
            SELECT t.*, d.domain FROM (
                SELECT x.user_name, x.wiki, bool_or(x.is_bot) AS bot, sum(x.changes)::bigint AS changes,
                       sum(x.bytes_added)::bigint, sum(x.bytes_removed)::bigint, sum(x.new_pages)::bigint
                FROM user_edit_counts x
                WHERE %s AND %s%%s
                GROUP BY x.user_name, x.wiki
            ) t LEFT JOIN wiki_domains d ON d.wiki = t.wiki
            ORDER BY t.changes DESC, t.user_name COLLATE "C", t.wiki COLLATE "C"
            LIMIT $5""".formatted(WHERE_RANGE_AND_WIKI, USER_BOT_FILTER);

    static final String USERS = USERS_WHERE.formatted("");

    private static final String PAGES_WHERE = """
            SELECT t.*, d.domain FROM (
                SELECT x.title, x.wiki, max(x.namespace) AS namespace, sum(%s)::bigint AS changes,
                       sum(x.bytes_added)::bigint, sum(x.bytes_removed)::bigint, sum(x.new_pages)::bigint
                FROM page_edit_counts x
                WHERE %s%%s
                GROUP BY x.title, x.wiki
            ) t LEFT JOIN wiki_domains d ON d.wiki = t.wiki
            WHERE t.changes > 0
            ORDER BY t.changes DESC, t.title COLLATE "C", t.wiki COLLATE "C"
            LIMIT $5""".formatted(CHANGES, WHERE_RANGE_AND_WIKI);

    static final String PAGES = PAGES_WHERE.formatted("");

    /*
     * The live rankings (LiveRankings): each window's own top rows as candidates, then the statements
     * above restricted to the candidates. $6 the windows (the primary key's leading column: one index
     * search per window and candidate, where a range would scan every window's rows), $7 and $8 the
     * candidates' wikis and names.
     */

    private static final String AMONG = """

                  AND x.window_start = ANY($6::timestamptz[])
                  AND (x.wiki, x.%s) IN (SELECT * FROM unnest($7::text[], $8::text[]))""";

    static final String USERS_AMONG = USERS_WHERE.formatted(AMONG.formatted("user_name"));

    static final String PAGES_AMONG = PAGES_WHERE.formatted(AMONG.formatted("title"));

    /** A window's users by changes, without grouping: a window holds a key once. */
    static final String USERS_IN_WINDOW = """
            SELECT x.wiki, x.user_name, x.changes FROM user_edit_counts x
            WHERE %s AND %s
            ORDER BY x.changes DESC
            LIMIT $5""".formatted(WHERE_RANGE_AND_WIKI, USER_BOT_FILTER);

    /** A window's pages by (filtered) changes, without grouping. */
    static final String PAGES_IN_WINDOW = """
            SELECT x.wiki, x.title, %s AS changes FROM page_edit_counts x
            WHERE %s AND %s > 0
            ORDER BY 3 DESC
            LIMIT $5""".formatted(CHANGES, WHERE_RANGE_AND_WIKI, CHANGES);

    /**
     * Changes per window of the wikis selected ($1..$3): written in the same transaction as the page
     * and user rows, so a window whose total has not moved has not moved in those tables either.
     */
    static final String WINDOW_TOTALS = """
            SELECT x.window_start, sum(x.changes)::bigint FROM wiki_edit_counts x
            WHERE %s
            GROUP BY x.window_start""".formatted(WHERE_RANGE_AND_WIKI);

    static final String NAMESPACES = """
            SELECT * FROM (
                SELECT x.namespace, sum(%s)::bigint AS changes,
                       sum(x.bytes_added)::bigint, sum(x.bytes_removed)::bigint, sum(x.new_pages)::bigint
                FROM namespace_edit_counts x
                WHERE %s
                GROUP BY x.namespace
            ) t
            WHERE t.changes > 0
            ORDER BY t.changes DESC, t.namespace
            LIMIT $5""".formatted(CHANGES, WHERE_RANGE_AND_WIKI);

    static final String WIKIS = """
            SELECT t.wiki, d.domain, t.changes, t.bytes_added, t.bytes_removed, t.new_pages FROM (
                SELECT x.wiki, sum(%s)::bigint AS changes, sum(x.bytes_added)::bigint AS bytes_added,
                       sum(x.bytes_removed)::bigint AS bytes_removed, sum(x.new_pages)::bigint AS new_pages
                FROM wiki_edit_counts x
                WHERE %s
                GROUP BY x.wiki
            ) t LEFT JOIN wiki_domains d ON d.wiki = t.wiki
            WHERE t.changes > 0
            ORDER BY t.changes DESC, t.wiki COLLATE "C"
            LIMIT $5""".formatted(CHANGES, WHERE_RANGE_AND_WIKI);

    static final String TYPES = """
            SELECT * FROM (
                SELECT x.change_type, sum(%s)::bigint AS changes,
                       sum(x.bytes_added)::bigint, sum(x.bytes_removed)::bigint
                FROM type_edit_counts x
                WHERE %s
                GROUP BY x.change_type
            ) t
            WHERE t.changes > 0
            ORDER BY t.changes DESC, t.change_type COLLATE "C"
            LIMIT $5""".formatted(CHANGES, WHERE_RANGE_AND_WIKI);

    private TopStatements() {
    }
}
