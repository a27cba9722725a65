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

    // $1..$4 as in ReadFilter ($4, bots, keeps the rows the filter allows), $5 the user name.
    private static final String TOTALS = """
            SELECT coalesce(sum(x.changes), 0)::bigint, coalesce(sum(x.bytes_added), 0)::bigint,
                   coalesce(sum(x.bytes_removed), 0)::bigint, coalesce(sum(x.new_pages), 0)::bigint,
                   count(*), coalesce(bool_or(x.is_bot), false)
            FROM user_edit_counts x
            WHERE x.user_name = $5 AND %s AND %s""".formatted(WHERE_RANGE_AND_WIKI, ReadSql.USER_BOT_FILTER);

    // $6 the number of windows to list, newest first.
    private static final String WINDOWS = """
            SELECT x.wiki, x.window_start, x.window_end, x.is_bot, x.changes, x.bytes_added, x.bytes_removed,
                   x.new_pages
            FROM user_edit_counts x
            WHERE x.user_name = $5 AND %s AND %s
            ORDER BY x.window_start DESC, x.wiki COLLATE "C"
            LIMIT $6""".formatted(WHERE_RANGE_AND_WIKI, ReadSql.USER_BOT_FILTER);

    private final BoundedReads reads;

    public UserActivityQueries(BoundedReads reads) {
        this.reads = reads;
    }

    public Uni<UserActivity> activity(ReadFilter filter, String user, int limit) {
        Uni<UserActivity.Totals> totals = reads.execute(TOTALS, filter.tuple(user)).map(rows -> {
            Row r = rows.iterator().next();
            return new UserActivity.Totals(r.getLong(0), r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4),
                    r.getBoolean(5));
        });
        Uni<List<UserActivity.Window>> windows = reads.execute(WINDOWS, filter.tuple(user, (long) limit))
                .map(rows -> {
                    List<UserActivity.Window> list = new ArrayList<>(rows.size());
                    rows.forEach(r -> list.add(new UserActivity.Window(r.getString(0),
                            r.getOffsetDateTime(1).toInstant(), r.getOffsetDateTime(2).toInstant(), r.getBoolean(3),
                            r.getLong(4), r.getLong(5), r.getLong(6), r.getLong(7))));
                    return list;
                });
        return Uni.combine().all().unis(totals, windows).with(UserActivity::new);
    }
}
