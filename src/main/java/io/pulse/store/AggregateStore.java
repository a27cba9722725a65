package io.pulse.store;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;

import io.pulse.aggregate.AggregationPlan;
import io.pulse.aggregate.BatchAggregator;
import io.pulse.aggregate.ConsumedRecord;
import io.pulse.aggregate.Measures;
import io.pulse.aggregate.PartitionProgress;
import io.pulse.aggregate.WindowKeys;
import io.pulse.aggregate.WindowedAggregates;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Applies one batch of records to PostgreSQL in a single transaction: lock the partitions' stored
 * offsets, plan against them, add the aggregates, dead-letter the rejects, advance the offsets.
 * Either all of it commits or none does, so a crash at any point neither loses nor double-counts.
 * Uses the reactive client directly: {@code unnest} array upserts are one round trip per table.
 */
@ApplicationScoped
public class AggregateStore {

    private final Pool pool;

    public AggregateStore(Pool pool) {
        this.pool = pool;
    }

    public Uni<AggregationPlan> apply(String group, String topic, List<ConsumedRecord> records,
            BatchAggregator aggregator, Function<List<ConsumedRecord>, Uni<Void>> deadLetter) {
        Integer[] partitions = records.stream().map(ConsumedRecord::partition).distinct().sorted()
                .toArray(Integer[]::new);
        // Two round trips per batch: the offset rows (created if new, then locked) and, once the batch
        // is planned against them, every upsert and the offset update sent at once. The connection
        // pipelines them and PostgreSQL runs them in order, so lock order stays fixed.
        return pool.withTransaction(conn -> Uni.combine().all()
                .unis(conn.preparedQuery(UpsertStatements.ENSURE_OFFSETS).execute(Tuple.of(group, topic, partitions)),
                        conn.preparedQuery(UpsertStatements.LOCK_OFFSETS).execute(Tuple.of(group, topic, partitions)))
                .with((ensured, rows) -> {
                    Map<Integer, PartitionProgress> stored = new HashMap<>();
                    rows.forEach(row -> stored.put(row.getInteger(0), progressOf(row)));
                    return aggregator.plan(records, stored);
                })
                .call(plan -> {
                    List<Uni<Void>> work = writeAggregates(conn, plan.aggregates(), group, topic, plan.progress().values());
                    // Dead letters are acknowledged by Kafka before the offsets commit (a crash re-sends,
                    // never loses them), but they need not wait for PostgreSQL: both go at once.
                    if (!plan.rejected().isEmpty()) {
                        work.add(deadLetter.apply(plan.rejected()));
                    }
                    return Uni.join().all(work).andFailFast();
                }));
    }

    /** Where the aggregates stand per partition, for seeking on assignment; partitions never seen are absent. */
    public Uni<Map<Integer, PartitionProgress>> storedProgress(String group, String topic, Collection<Integer> partitions) {
        return pool.preparedQuery(UpsertStatements.READ_OFFSETS)
                .execute(Tuple.of(group, topic, partitions.toArray(Integer[]::new)))
                .map(rows -> {
                    Map<Integer, PartitionProgress> progress = new HashMap<>();
                    rows.forEach(row -> progress.put(row.getInteger(0), progressOf(row)));
                    return progress;
                });
    }

    private static PartitionProgress progressOf(Row row) {
        OffsetDateTime max = row.getOffsetDateTime(2);
        return new PartitionProgress(row.getInteger(0), row.getLong(1),
                max == null ? Long.MIN_VALUE : max.toInstant().toEpochMilli());
    }

    private static Uni<Void> advance(SqlConnection conn, String group, String topic, Collection<PartitionProgress> progress) {
        List<PartitionProgress> sorted = progress.stream().sorted(Comparator.comparingInt(PartitionProgress::partition)).toList();
        Integer[] partitions = new Integer[sorted.size()];
        Long[] next = new Long[sorted.size()];
        OffsetDateTime[] maxTimes = new OffsetDateTime[sorted.size()];
        for (int i = 0; i < sorted.size(); i++) {
            PartitionProgress p = sorted.get(i);
            partitions[i] = p.partition();
            next[i] = p.nextOffset();
            maxTimes[i] = p.maxEventTimeMs() == Long.MIN_VALUE ? null : time(p.maxEventTimeMs());
        }
        return conn.preparedQuery(UpsertStatements.ADVANCE_OFFSETS)
                .execute(Tuple.tuple(List.of(group, topic, partitions, next, maxTimes))).replaceWithVoid();
    }

    /** Every statement of the batch, in lock order: the aggregate tables, then the offsets. */
    private static List<Uni<Void>> writeAggregates(SqlConnection conn, WindowedAggregates a, String group, String topic,
            Collection<PartitionProgress> progress) {
        if (a.isEmpty()) {
            return new ArrayList<>(List.of(advance(conn, group, topic, progress)));
        }
        long size = a.windowSizeMs();
        // Fixed key order (the keys' natural order): concurrent replicas lock shared rows in the same
        // order and cannot deadlock.
        List<Map.Entry<WindowKeys.Wiki, Measures>> wikis = sorted(a.wikis());
        List<Map.Entry<WindowKeys.Type, Measures>> types = sorted(a.types());
        List<Map.Entry<WindowKeys.Namespace, Measures>> namespaces = sorted(a.namespaces());
        List<Map.Entry<WindowKeys.User, Measures>> users = sorted(a.users());
        List<Map.Entry<WindowKeys.Page, Measures>> pages = sorted(a.pages());

        Columns w = new Columns(wikis.size());
        wikis.forEach(e -> w.window(e.getKey().windowStart(), size).text(e.getKey().wiki())
                .measures(e.getValue(), true, true).number(e.getValue().lateEvents()).next());
        Columns t = new Columns(types.size());
        types.forEach(e -> t.window(e.getKey().windowStart(), size).text(e.getKey().wiki()).text(e.getKey().type())
                .measures(e.getValue(), true, false).next());
        Columns n = new Columns(namespaces.size());
        namespaces.forEach(e -> n.window(e.getKey().windowStart(), size).text(e.getKey().wiki())
                .integer(e.getKey().namespace()).measures(e.getValue(), true, true).next());
        Columns u = new Columns(users.size());
        users.forEach(e -> u.window(e.getKey().windowStart(), size).text(e.getKey().wiki()).text(e.getKey().user())
                .bool(e.getValue().anyBot()).measures(e.getValue(), false, true).next());
        Columns p = new Columns(pages.size());
        pages.forEach(e -> p.window(e.getKey().windowStart(), size).text(e.getKey().wiki()).text(e.getKey().title())
                .integer(e.getValue().namespace()).measures(e.getValue(), true, true).next());
        List<String> wikiIds = a.wikiDomains().keySet().stream().sorted().toList();
        Columns domains = new Columns(wikiIds.size());
        wikiIds.forEach(id -> domains.text(id).text(a.wikiDomains().get(id)).next());

        List<Uni<Void>> statements = new ArrayList<>();
        statements.add(conn.preparedQuery(UpsertStatements.WIKI).execute(w.tuple()).replaceWithVoid());
        statements.add(conn.preparedQuery(UpsertStatements.TYPE).execute(t.tuple()).replaceWithVoid());
        statements.add(conn.preparedQuery(UpsertStatements.NAMESPACE).execute(n.tuple()).replaceWithVoid());
        statements.add(conn.preparedQuery(UpsertStatements.PAGE).execute(p.tuple()).replaceWithVoid());
        if (!users.isEmpty()) {
            statements.add(conn.preparedQuery(UpsertStatements.USER).execute(u.tuple()).replaceWithVoid());
        }
        statements.add(conn.preparedQuery(UpsertStatements.WIKI_DOMAINS).execute(domains.tuple()).replaceWithVoid());
        statements.add(advance(conn, group, topic, progress));
        return statements;
    }

    private static <K extends Comparable<K>> List<Map.Entry<K, Measures>> sorted(Map<K, Measures> map) {
        List<Map.Entry<K, Measures>> entries = new ArrayList<>(map.entrySet());
        entries.sort(Map.Entry.comparingByKey());
        return entries;
    }

    static OffsetDateTime time(long epochMs) {
        // Not OffsetDateTime.ofInstant: it builds a new ZoneRules per call (seen in the profile).
        return OffsetDateTime.of(LocalDateTime.ofEpochSecond(Math.floorDiv(epochMs, 1000L),
                (int) Math.floorMod(epochMs, 1000L) * 1_000_000, ZoneOffset.UTC), ZoneOffset.UTC);
    }
}
