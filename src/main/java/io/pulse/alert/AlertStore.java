package io.pulse.alert;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.pulse.store.BoundedReads;
import io.pulse.store.PostgresTimeout;
import io.pulse.store.WikiFilter;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import io.vertx.pgclient.PgException;

/** The alerts table (insert-once by id, reads) and the stored rules, on the reactive pool. */
@ApplicationScoped
public class AlertStore {

    private static final String COLUMNS = "id, seq, rule, severity, alert_key, wiki, title, user_name, incident_start,"
            + " event_time, summary, details, raised_at";
    /**
     * New rows, and old rows never acknowledged by Kafka (so a crash between insert and publish heals on
     * replay); one statement for a whole list, inserted in its order (the ids must be distinct).
     */
    private static final String INSERT = "INSERT INTO alerts (id, rule, severity, alert_key, wiki, title, user_name,"
            + " incident_start, event_time, summary, details)"
            + " SELECT id, rule, severity, alert_key, wiki, title, user_name, incident_start, event_time, summary, details::jsonb"
            + " FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],"
            + " $8::timestamptz[], $9::timestamptz[], $10::text[], $11::text[]) WITH ORDINALITY"
            + " AS u(id, rule, severity, alert_key, wiki, title, user_name, incident_start, event_time, summary, details, n)"
            + " ORDER BY n"
            + " ON CONFLICT (id) DO UPDATE SET attempted_at = now() WHERE alerts.published_at IS NULL RETURNING " + COLUMNS;
    private static final String SELECT = "SELECT " + COLUMNS + " FROM alerts"
            + " WHERE ($1::timestamptz IS NULL OR event_time >= $1) AND ($2::text IS NULL OR rule = $2)"
            + " AND ($3::text IS NULL OR severity = $3)"
            + " AND " + WikiFilter.sql("wiki", "$4")
            + " ORDER BY event_time DESC, seq DESC LIMIT $5";

    private final Pool pool;
    private final BoundedReads reads;

    public AlertStore(Pool pool, BoundedReads reads) {
        this.pool = pool;
        this.reads = reads;
    }

    /**
     * Stores the alerts (distinct ids); answers those to be published (new, or stored earlier but never
     * published), in the order they were first stored.
     */
    public Uni<List<Alert>> insert(List<Alert> alerts) {
        int n = alerts.size();
        String[] id = new String[n], rule = new String[n], severity = new String[n], key = new String[n], wiki = new String[n],
                title = new String[n], user = new String[n], summary = new String[n], details = new String[n];
        OffsetDateTime[] incidentStart = new OffsetDateTime[n], eventTime = new OffsetDateTime[n];
        for (int i = 0; i < n; i++) {
            Alert a = alerts.get(i);
            id[i] = a.id();
            rule[i] = a.rule();
            severity[i] = a.severity().label();
            key[i] = a.key();
            wiki[i] = a.wiki();
            title[i] = a.title();
            user[i] = a.user();
            incidentStart[i] = utc(a.incidentStart());
            eventTime[i] = utc(a.eventTime());
            summary[i] = a.summary();
            details[i] = new JsonObject(Map.copyOf(a.details())).encode();
        }
        return pool.preparedQuery(INSERT).execute(Tuple.from(java.util.Arrays.<Object> asList(id, rule, severity, key, wiki,
                title, user, incidentStart, eventTime, summary, details)))
                .map(rows -> {
                    List<Alert> stored = alerts(rows);
                    stored.sort(java.util.Comparator.comparing(Alert::sequence));
                    return stored;
                });
    }

    /**
     * Marks the alerts published, the first time only: an alert raised again (two replicas, a retried batch) moved
     * past those published in between, and a stream resuming after it missed them ({@link #publishedAfter}). The
     * item is the ids this call marked: those another call marked first are not among them.
     */
    public Uni<Set<String>> markPublished(List<String> ids) {
        return pool.preparedQuery("UPDATE alerts SET published_at = now() WHERE id = ANY($1::text[]) AND published_at IS NULL"
                + " RETURNING id")
                .execute(Tuple.of(ids.toArray(String[]::new)))
                .map(rows -> {
                    Set<String> marked = new HashSet<>();
                    rows.forEach(row -> marked.add(row.getString(0)));
                    return marked;
                });
    }

    public Uni<List<Alert>> find(Instant since, String rule, Severity severity, String wiki, int limit) {
        Tuple args = Tuple.tuple(java.util.Arrays.asList(since == null ? null : utc(since), rule,
                severity == null ? null : severity.label(), wiki, limit));
        // A request's read (/api/alerts): bounded in time like the other API reads.
        return reads.execute(SELECT, args).map(AlertStore::alerts);
    }

    /**
     * The newest {@code limit} alerts published after the one with sequence {@code after}, in the order
     * they were published: what a stream that reconnects with that {@code Last-Event-ID} missed. A
     * sequence is taken when an alert is stored, and alerts are not published in that order (replicas,
     * parallel sends, a send retried): one stored before {@code after} but published after it is
     * included, by its publication time. One published in the same instant may come again (clients
     * de-duplicate by alert id, as the dashboard does).
     */
    public Uni<List<Alert>> publishedAfter(long after, int limit) {
        // A request's read, bounded as the others: a thousand streams reconnecting at once must not take the pool.
        return reads.execute("SELECT " + COLUMNS + " FROM (SELECT " + COLUMNS + ", published_at FROM alerts"
                + " WHERE published_at IS NOT NULL AND seq <> $1"
                // A stream can hold an alert Kafka acknowledged before it was marked published: from such a one, what
                // was published since its raise (no later than its send) comes again, not only higher sequences.
                + " AND (seq > $1 OR published_at >= (SELECT coalesce(published_at, raised_at) FROM alerts WHERE seq = $1))"
                + " ORDER BY published_at DESC, seq DESC LIMIT $2) newest ORDER BY published_at, seq",
                Tuple.of(after, limit)).map(AlertStore::alerts);
    }

    /**
     * The sequence of the alert published last (0 if none): from there, a stream that opened without an id resumes
     * ({@link #publishedAfter}). A request's read, bounded as the others.
     */
    public Uni<Long> lastPublishedSequence() {
        return reads.execute("SELECT coalesce((SELECT seq FROM alerts WHERE published_at IS NOT NULL"
                + " ORDER BY published_at DESC, seq DESC LIMIT 1), 0)", Tuple.tuple())
                .map(rows -> rows.iterator().next().getLong(0));
    }

    /**
     * Claims up to {@code limit} alerts stored in the last {@code withinSeconds} and never published, none tried for
     * {@code idleSeconds} (by a raise of it or an earlier claim): a send that failed for an alert nobody raises again
     * (a bot surge whose window no longer qualifies). Claimed, a row is not claimed again for {@code idleSeconds},
     * by any replica (rows another replica is claiming are skipped). Older ones stay unpublished: a first start after
     * an outage of days must not stream week-old alerts as new.
     */
    public Uni<List<Alert>> claimUnpublished(long idleSeconds, long withinSeconds, int limit) {
        return pool.preparedQuery("UPDATE alerts SET attempted_at = now() WHERE id IN (SELECT id FROM alerts"
                + " WHERE published_at IS NULL AND coalesce(attempted_at, raised_at) < now() - make_interval(secs => $1)"
                + " AND raised_at > now() - make_interval(secs => $2)"
                + " ORDER BY raised_at, seq LIMIT $3 FOR UPDATE SKIP LOCKED) RETURNING " + COLUMNS)
                .execute(Tuple.of((double) idleSeconds, (double) withinSeconds, limit))
                .map(rows -> {
                    List<Alert> claimed = alerts(rows);
                    claimed.sort(java.util.Comparator.comparing(Alert::sequence));
                    return claimed;
                });
    }

    private static List<Alert> alerts(RowSet<Row> rows) {
        List<Alert> out = new ArrayList<>(rows.size());
        rows.forEach(row -> out.add(toAlert(row)));
        return out;
    }

    /**
     * Committed wiki windows of the last {@code lookbackSeconds} of event time that pass the bot-surge rule.
     * Event time is the newest counted, but never ahead of the clock: one event stamped in the future (up to
     * {@code max-future-skew} is accepted) moved the lookback past every real window, and no surge was seen
     * until the clock caught up with it. A replay of the past keeps its own time.
     */
    public Uni<List<Row>> botSurgeCandidates(String aggregatorGroup, long lookbackSeconds, BotSurgeRule rule) {
        String sql = "SELECT wiki, window_start, changes, bot_changes FROM wiki_edit_counts"
                // LEAST ignores a NULL: a group that has counted nothing still finds no window. The share is cast: else
                // PostgreSQL types it from `changes`, a bigint, and the client sends 0.9 as 0; to numeric, not float8,
                // so that a window at exactly the share (7 of 100 at 0.07) counts, as in BotSurgeRule.isSurge.
                + " WHERE window_start >= (SELECT CASE WHEN max(max_event_time) IS NOT NULL THEN LEAST(max(max_event_time),"
                + " now()) END FROM consumer_offsets WHERE consumer_group = $1)"
                + " - make_interval(secs => $2) AND bot_changes >= $3 AND bot_changes >= $4::numeric * changes"
                + " ORDER BY window_start, wiki";
        return pool.preparedQuery(sql)
                .execute(Tuple.of(aggregatorGroup, (double) lookbackSeconds, rule.minBotChanges(), rule.share()))
                .map(rows -> {
                    List<Row> out = new ArrayList<>();
                    rows.forEach(out::add);
                    return out;
                });
    }

    public Uni<Map<String, JsonObject>> storedRules() {
        return pool.query("SELECT name, definition FROM alert_rules").execute().map(rows -> {
            Map<String, JsonObject> out = new java.util.HashMap<>();
            rows.forEach(row -> out.put(row.getString(0), row.getJsonObject(1)));
            return out;
        });
    }

    private static final String SAVE_RULE = "INSERT INTO alert_rules (name, definition) VALUES ($1, $2) ON CONFLICT (name)"
            + " DO UPDATE SET definition = EXCLUDED.definition, updated_at = now()";

    public Uni<Void> saveRule(String name, JsonObject definition) {
        return pool.preparedQuery(SAVE_RULE).execute(Tuple.of(name, definition)).replaceWithVoid();
    }

    /**
     * Changes a stored rule from what is stored now, not from a replica's copy (re-read every few
     * seconds): two changes to different fields through two replicas, or at once through one, both
     * land. One change at a time per rule (a transaction lock on its name); {@code change} gets the
     * stored definition (null if none) and may throw, which stores nothing.
     *
     * @throws RuleChangeBusyException (as the failure) when another change held the rule for {@link #RULE_LOCK_WAIT}
     */
    public <R> Uni<R> changeRule(String name, Function<JsonObject, R> change, Function<R, JsonObject> definition) {
        return pool.withTransaction(conn -> conn.query(RULE_CHANGE_BOUNDS).execute()
                .chain(() -> conn.preparedQuery("SELECT pg_advisory_xact_lock(hashtext($1))").execute(Tuple.of("alert_rules:" + name)))
                .chain(() -> conn.preparedQuery("SELECT definition FROM alert_rules WHERE name = $1").execute(Tuple.of(name)))
                .map(rows -> change.apply(rows.size() == 0 ? null : rows.iterator().next().getJsonObject(0)))
                .call(changed -> conn.preparedQuery(SAVE_RULE).execute(Tuple.of(name, definition.apply(changed)))))
                .onFailure(AlertStore::lockNotAvailable).transform(f -> new RuleChangeBusyException(name, RULE_LOCK_WAIT));
    }

    /**
     * How long a rule change waits for another change of the same rule. Its statements take milliseconds, and
     * PostgreSQL ends a holder idle for 10 s inside its transaction (a replica frozen mid-change), its lock with
     * it: unbounded, such a holder kept every later change of the rule waiting, each on a pooled connection.
     */
    static final Duration RULE_LOCK_WAIT = Duration.ofSeconds(5);
    private static final String RULE_CHANGE_BOUNDS = PostgresTimeout.boundTransaction(RULE_LOCK_WAIT.toMillis(), 10_000,
            10_000);

    /** SQLSTATE lock_not_available: lock_timeout. */
    private static boolean lockNotAvailable(Throwable failure) {
        return failure instanceof PgException pg && "55P03".equals(pg.getSqlState());
    }

    private static Alert toAlert(Row row) {
        return new Alert(row.getString("id"), row.getString("rule"), Severity.parse(row.getString("severity")),
                row.getString("alert_key"), row.getString("wiki"), row.getString("title"), row.getString("user_name"),
                instant(row, "incident_start"), instant(row, "event_time"), row.getString("summary"),
                row.getJsonObject("details").getMap(), row.getLong("seq"), instant(row, "raised_at"));
    }

    private static Instant instant(Row row, String column) {
        OffsetDateTime t = row.getOffsetDateTime(column);
        return t == null ? null : t.toInstant();
    }

    private static OffsetDateTime utc(Instant t) {
        return t.atOffset(ZoneOffset.UTC);
    }

}
