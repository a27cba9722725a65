package io.pulse.store;

import static io.pulse.store.ReadSql.WHERE_RANGE_AND_WIKI;

import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;

/** One user's rows of user_edit_counts (index user_edit_counts_user): totals and the newest windows. */
@ApplicationScoped
public class UserActivityQueries {

    // $1..$4 as in ReadFilter ($4, bots, keeps the rows the filter allows), $5 the user name, $6 the number of
    // windows to list, newest first. One statement, so one snapshot and one read's turn: as two, the totals
    // and the windows came from two moments of a user being counted (totals.changes short of the sum of the
    // windows listed), and a request took two of the reads' places, one refused when the other had its own.
    // Every row carries the totals; without windows, one row of totals alone.
    private static final String ACTIVITY = """
            WITH user_rows AS (
                SELECT x.wiki, x.window_start, x.window_end, x.is_bot, x.changes, x.bytes_added, x.bytes_removed,
                       x.new_pages
                FROM user_edit_counts x
                WHERE x.user_name = $5 AND %s AND %s),
            totals AS (
                SELECT coalesce(sum(changes), 0)::bigint AS changes, coalesce(sum(bytes_added), 0)::bigint AS added,
                       coalesce(sum(bytes_removed), 0)::bigint AS removed, coalesce(sum(new_pages), 0)::bigint AS created,
                       count(*) AS windows, coalesce(bool_or(is_bot), false) AS bot
                FROM user_rows)
            SELECT t.changes, t.added, t.removed, t.created, t.windows, t.bot, w.wiki, w.window_start, w.window_end,
                   w.is_bot, w.changes, w.bytes_added, w.bytes_removed, w.new_pages
            FROM totals t LEFT JOIN LATERAL (
                SELECT * FROM user_rows ORDER BY window_start DESC, wiki COLLATE "C" LIMIT $6) w ON true
            ORDER BY w.window_start DESC, w.wiki COLLATE "C"
            """.formatted(WHERE_RANGE_AND_WIKI, ReadSql.USER_BOT_FILTER);

    private final BoundedReads reads;

    public UserActivityQueries(BoundedReads reads) {
        this.reads = reads;
    }

    public Uni<UserActivity> activity(ReadFilter filter, String user, int limit) {
        return reads.execute(ACTIVITY, filter.tuple(user, (long) limit)).map(rows -> {
            UserActivity.Totals totals = null;
            List<UserActivity.Window> windows = new ArrayList<>(rows.size());
            for (Row r : rows) {
                if (totals == null) {
                    totals = new UserActivity.Totals(r.getLong(0), r.getLong(1), r.getLong(2), r.getLong(3),
                            r.getLong(4), r.getBoolean(5));
                }
                if (r.getString(6) != null) {
                    windows.add(new UserActivity.Window(r.getString(6), r.getOffsetDateTime(7).toInstant(),
                            r.getOffsetDateTime(8).toInstant(), r.getBoolean(9), r.getLong(10), r.getLong(11),
                            r.getLong(12), r.getLong(13)));
                }
            }
            return new UserActivity(totals, windows);
        });
    }
}
