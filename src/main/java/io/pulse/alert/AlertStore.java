package io.pulse.alert;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;

/** The alerts table (insert-once by id, reads) and the stored rules, on the reactive pool. */
@ApplicationScoped
public class AlertStore {

    private static final String COLUMNS = "id, seq, rule, severity, alert_key, wiki, title, user_name, incident_start,"
            + " event_time, summary, details, raised_at";
    /** New rows, and old rows never acknowledged by Kafka (so a crash between insert and publish heals on replay). */
    private static final String INSERT = "INSERT INTO alerts (id, rule, severity, alert_key, wiki, title, user_name,"
            + " incident_start, event_time, summary, details) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
            + " ON CONFLICT (id) DO UPDATE SET id = EXCLUDED.id WHERE alerts.published_at IS NULL RETURNING " + COLUMNS;
    private static final String SELECT = "SELECT " + COLUMNS + " FROM alerts"
            + " WHERE ($1::timestamptz IS NULL OR event_time >= $1) AND ($2::text IS NULL OR rule = $2)"
            + " AND ($3::text IS NULL OR severity = $3) AND ($4::text IS NULL OR wiki = $4)"
            + " ORDER BY event_time DESC, seq DESC LIMIT $5";

    private final Pool pool;

    public AlertStore(Pool pool) {
        this.pool = pool;
    }

    /** Stores the alert; answers it when it is to be published (new, or stored earlier but never published), else null. */
    public Uni<Alert> insert(Alert a) {
        return pool.preparedQuery(INSERT).execute(Tuple.from(java.util.Arrays.asList(
                a.id(), a.rule(), a.severity().label(), a.key(), a.wiki(), a.title(), a.user(), utc(a.incidentStart()),
                utc(a.eventTime()), a.summary(), new JsonObject(Map.copyOf(a.details())))))
                .map(rows -> rows.iterator().hasNext() ? toAlert(rows.iterator().next()) : null);
    }

    public Uni<Void> markPublished(String id) {
        return pool.preparedQuery("UPDATE alerts SET published_at = now() WHERE id = $1").execute(Tuple.of(id))
                .replaceWithVoid();
    }

    public Uni<List<Alert>> find(Instant since, String rule, Severity severity, String wiki, int limit) {
        Tuple args = Tuple.tuple(java.util.Arrays.asList(since == null ? null : utc(since), rule,
                severity == null ? null : severity.label(), wiki, limit));
        return pool.preparedQuery(SELECT).execute(args).map(rows -> {
            List<Alert> out = new ArrayList<>();
            rows.forEach(row -> out.add(toAlert(row)));
            return out;
        });
    }

    /** Committed wiki windows of the last {@code lookbackSeconds} of event time that pass the bot-surge rule. */
    public Uni<List<Row>> botSurgeCandidates(String aggregatorGroup, long lookbackSeconds, BotSurgeRule rule) {
        String sql = "SELECT wiki, window_start, changes, bot_changes FROM wiki_edit_counts"
                + " WHERE window_start >= (SELECT max(max_event_time) FROM consumer_offsets WHERE consumer_group = $1)"
                + " - make_interval(secs => $2) AND bot_changes >= $3 AND bot_changes >= $4 * changes"
                + " ORDER BY window_start, wiki";
        return pool.preparedQuery(sql)
                .execute(Tuple.of(aggregatorGroup, (double) lookbackSeconds, rule.minBotChanges(), rule.minBotShare()))
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

    public Uni<Void> saveRule(String name, JsonObject definition) {
        return pool.preparedQuery("INSERT INTO alert_rules (name, definition) VALUES ($1, $2) ON CONFLICT (name)"
                + " DO UPDATE SET definition = EXCLUDED.definition, updated_at = now()")
                .execute(Tuple.of(name, definition)).replaceWithVoid();
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
