package io.pulse.store;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * The reads behind a live metrics snapshot. Read-only; each query is a range scan on the tables'
 * (window_start, ...) primary keys, bounded in time ({@link BoundedReads}): a table locked by
 * maintenance must not hang the feed that waits for the snapshot. A null wiki means every wiki; a
 * wiki may be given as its id (enwiki) or its domain (en.wikipedia.org).
 */
@ApplicationScoped
public class SnapshotQueries {

    private static final String WIKI_FILTER = WikiFilter.sql("wiki", "$2");

    private final BoundedReads reads;

    public SnapshotQueries(BoundedReads reads) {
        this.reads = reads;
    }

    /** Where the aggregator stands: newest event time, oldest partition's newest time, records counted. */
    public record Progress(Instant newestEventTime, Instant oldestPartitionTime, long aggregated) {
    }

    public record TypeCount(Instant windowStart, String type, long changes, long botChanges) {
    }

    public record WikiCount(String wiki, long changes, long botChanges, long lateEvents) {
    }

    public Uni<Progress> progress(String group, String topic) {
        return reads.execute("""
                SELECT max(max_event_time), min(max_event_time), coalesce(sum(next_offset), 0)
                FROM consumer_offsets WHERE consumer_group = $1 AND topic = $2""", Tuple.of(group, topic))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new Progress(instant(r.getOffsetDateTime(0)), instant(r.getOffsetDateTime(1)), r.getLong(2));
                });
    }

    /**
     * The newest window of the wiki given as $1, by id or domain (as {@link WikiFilter}): one descent of
     * the (wiki, window_start) index per wiki the name stands for, whatever the table's size.
     */
    public static final String NEWEST_WINDOW_OF_WIKI = """
            SELECT max(newest.window_start)
            FROM (SELECT $1::text AS wiki UNION SELECT d.wiki FROM wiki_domains d WHERE d.domain = $1::text) named,
            LATERAL (SELECT max(c.window_start) AS window_start FROM wiki_edit_counts c WHERE c.wiki = named.wiki) newest""";

    /** Start of the newest window holding changes of the wiki (id or domain, null: any); null when it has none. */
    public Uni<Instant> newestWindow(String wiki) {
        Uni<RowSet<Row>> rows = wiki == null
                ? reads.execute("SELECT max(window_start) FROM wiki_edit_counts", Tuple.tuple())
                : reads.execute(NEWEST_WINDOW_OF_WIKI, Tuple.of(wiki));
        return rows.map(r -> instant(r.iterator().next().getOffsetDateTime(0)));
    }

    public Uni<List<TypeCount>> typeCounts(Instant from, Instant to, String wiki) {
        return reads.execute("""
                SELECT window_start, change_type, sum(changes), sum(bot_changes) FROM type_edit_counts
                WHERE window_start BETWEEN $1 AND $3 AND %s
                GROUP BY window_start, change_type""".formatted(WIKI_FILTER),
                Tuple.of(time(from), wiki, time(to)))
                .map(rows -> {
                    List<TypeCount> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new TypeCount(instant(r.getOffsetDateTime(0)), r.getString(1),
                            r.getLong(2), r.getLong(3))));
                    return out;
                });
    }

    public Uni<List<WikiCount>> wikiCounts(Instant from, Instant to, String wiki, int limit) {
        return reads.execute("""
                SELECT wiki, sum(changes) AS c, sum(bot_changes), sum(late_events) FROM wiki_edit_counts
                WHERE window_start BETWEEN $1 AND $3 AND %s
                GROUP BY wiki ORDER BY c DESC, wiki COLLATE "C" LIMIT $4""".formatted(WIKI_FILTER),
                Tuple.of(time(from), wiki, time(to), limit))
                .map(rows -> {
                    List<WikiCount> out = new ArrayList<>();
                    rows.forEach(r -> out.add(new WikiCount(r.getString(0), r.getLong(1), r.getLong(2), r.getLong(3))));
                    return out;
                });
    }

    /** Totals over every wiki matching the filter (the per-wiki list above is cut at its limit). */
    public Uni<WikiCount> totals(Instant from, Instant to, String wiki) {
        return reads.execute("""
                SELECT coalesce(sum(changes), 0), coalesce(sum(bot_changes), 0), coalesce(sum(late_events), 0)
                FROM wiki_edit_counts WHERE window_start BETWEEN $1 AND $3 AND %s""".formatted(WIKI_FILTER),
                Tuple.of(time(from), wiki, time(to)))
                .map(rows -> {
                    Row r = rows.iterator().next();
                    return new WikiCount(wiki, r.getLong(0), r.getLong(1), r.getLong(2));
                });
    }

    /** Changes per type in one window, from the type counts. */
    public static Map<String, Long> byType(List<TypeCount> counts, Instant window) {
        Map<String, Long> out = new LinkedHashMap<>();
        counts.stream().filter(c -> c.windowStart().equals(window))
                .sorted((a, b) -> a.type().compareTo(b.type()))
                .forEach(c -> out.merge(c.type(), c.changes(), Long::sum));
        return out;
    }

    private static OffsetDateTime time(Instant i) {
        return i == null ? null : AggregateStore.time(i.toEpochMilli());
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
