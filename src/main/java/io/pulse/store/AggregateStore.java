package io.pulse.store;

import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import io.pulse.aggregate.AggregateConfig;
import io.pulse.aggregate.AggregationPlan;
import io.pulse.aggregate.BatchAggregator;
import io.pulse.aggregate.ConsumedRecord;
import io.pulse.aggregate.PartitionProgress;
import io.pulse.aggregate.Preplan;
import io.pulse.aggregate.RereadRecordsRefused;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;

/**
 * Applies one batch of records to PostgreSQL in a single transaction: lock the partitions' stored
 * offsets, plan against them, add the aggregates, advance the offsets. The caller has the rejected
 * records dead-lettered before: no row other replicas update is locked while Kafka is waited for (the
 * one read from Kafka in here, the rare re-read of lost commits, comes before the upserts, while only
 * this replica's own partitions' offset rows are locked).
 * Either all of it commits or none does, so a crash at any point neither loses nor double-counts.
 * Uses the reactive client directly: {@code unnest} array upserts are one round trip per table.
 * The batch is folded and encoded before the transaction ({@link #prepare}); inside it that work is
 * only redone when the stored offsets contradict it, so the caller can prepare the next batch while
 * PostgreSQL writes this one.
 */
@Startup // its settings are checked as the service starts, not at the first batch
@ApplicationScoped
public class AggregateStore {

    private static final Logger LOG = Logger.getLogger(AggregateStore.class);

    /**
     * A re-read of lost commits reads Kafka inside the transaction: up to a minute a partition
     * (RecordRereader), so ten minutes, still a bound should the process freeze meanwhile.
     */
    private static final String REREAD_IDLE_TIMEOUT = "SET LOCAL idle_in_transaction_session_timeout = 600000";

    private final Pool pool;
    /** The transaction's settings, in one round trip with its first statements. */
    private final String settings;
    private final String idleTimeout;

    public AggregateStore(Pool pool, AggregateConfig config) {
        this.pool = pool;
        this.idleTimeout = "SET LOCAL idle_in_transaction_session_timeout = "
                + PostgresTimeout.millis("pulse.aggregate.idle-transaction-timeout", config.idleTransactionTimeout());
        this.settings = "SET LOCAL lock_timeout = " + PostgresTimeout.millis("pulse.aggregate.lock-timeout", config.lockTimeout())
                + "; " + idleTimeout
                + (config.synchronousCommit() ? "" : "; SET LOCAL synchronous_commit = off");
    }

    /** A batch folded and encoded ahead of its transaction, as if nothing of it had been counted. */
    public record PreparedBatch(List<ConsumedRecord> records, Preplan preplan, EncodedAggregates encoded) {
    }

    /** Folds and encodes a batch: CPU work only, outside any transaction. */
    public PreparedBatch prepare(List<ConsumedRecord> records, BatchAggregator aggregator) {
        Preplan preplan = aggregator.preplan(records);
        return new PreparedBatch(records, preplan, EncodedAggregates.of(preplan.plan().aggregates()));
    }

    /**
     * @param knownOffsets how far this replica knows the store accounted for each partition: a partition
     *        stored behind that lost commits, and the records in between are read again and counted with this batch
     */
    public Uni<AggregationPlan> apply(String group, String topic, PreparedBatch batch, BatchAggregator aggregator,
            KnownOffsets knownOffsets) {
        Integer[] partitions = batch.records().stream().map(ConsumedRecord::partition).distinct().sorted()
                .toArray(Integer[]::new);
        // Two round trips per batch: the offset rows (created if new, then locked, after the commit mode
        // is set) and, once the batch is planned against them, every upsert and the offset update sent at
        // once. The connection pipelines them and PostgreSQL runs them in order, so lock order stays fixed.
        return pool.withTransaction(conn -> lockOffsets(conn, group, topic, partitions)
                .chain(stored -> {
                    AtomicBoolean longerIdle = new AtomicBoolean(); // set only when there was a range to read again
                    return LostCommits.reread(topic, batch.preplan(), stored, knownOffsets,
                            conn.query(REREAD_IDLE_TIMEOUT).execute().invoke(() -> longerIdle.set(true)))
                            .chain(lost -> write(conn, group, topic, lost.isEmpty()
                                    ? aggregator.plan(batch.records(), batch.preplan(), stored)
                                    : aggregator.plan(LostCommits.before(lost, batch.records()), stored), batch.preplan(),
                                    batch.encoded(), longerIdle.get())
                                    // A refusal may come from a record read again: the search by halves takes them in.
                                    .onFailure().transform(failure -> RereadRecordsRefused.of(lost, failure)));
                }));
    }

    /** The offsets stored for the topic's partitions (those with a row), read outside any transaction. */
    public Uni<Map<Integer, Long>> storedOffsets(String group, String topic) {
        return pool.preparedQuery(STORED_OFFSETS).execute(Tuple.of(group, topic)).map(rows -> {
            Map<Integer, Long> stored = new HashMap<>();
            rows.forEach(row -> stored.put(row.getInteger(0), row.getLong(1)));
            return stored;
        });
    }

    /**
     * Stores each partition's offset at its first offset in Kafka ({@code firsts}) where it is still below: the
     * records before it are gone, never to be counted. One statement, bounded by PostgreSQL (it runs on the
     * Kafka polling thread, and cancelled there it must not apply later). The partitions it moved (not those
     * another replica moved, or counted past, first).
     */
    public Uni<Set<Integer>> skipTo(String group, String topic, Map<Integer, Long> firsts) {
        Integer[] partitions = firsts.keySet().toArray(Integer[]::new);
        Long[] offsets = java.util.Arrays.stream(partitions).map(firsts::get).toArray(Long[]::new);
        return pool.withTransaction(conn -> conn.query(PostgresTimeout.boundTransaction(5_000, 10_000, 60_000))
                .execute()
                .chain(() -> conn.preparedQuery("""
                        UPDATE consumer_offsets o SET next_offset = f.first
                        FROM unnest($3::int[], $4::bigint[]) AS f(p, first)
                        WHERE o.consumer_group = $1 AND o.topic = $2 AND o.kafka_partition = f.p AND o.next_offset < f.first
                        RETURNING o.kafka_partition""").execute(Tuple.of(group, topic, partitions, offsets)))
                .map(rows -> {
                    Set<Integer> moved = new HashSet<>();
                    rows.forEach(row -> moved.add(row.getInteger(0)));
                    return moved;
                }));
    }

    private static final String STORED_OFFSETS =
            "SELECT kafka_partition, next_offset FROM consumer_offsets WHERE consumer_group = $1 AND topic = $2";

    /**
     * Counts again what PostgreSQL lost of partitions no batch comes for (the stream stopped): for each
     * partition stored below {@code knownUpTo}, the records up to there are read again and counted, and the
     * partition stored at {@code knownUpTo} (transaction markers may end the range). Under the same lock
     * as a batch, so one that counts them first leaves nothing to do here. Null when nothing was lost.
     */
    public Uni<AggregationPlan> recountLost(String group, String topic, Map<Integer, Long> knownUpTo, BatchAggregator aggregator,
            KnownOffsets knownOffsets) {
        Integer[] partitions = knownUpTo.keySet().stream().sorted().toArray(Integer[]::new);
        return pool.withTransaction(conn -> lockOffsets(conn, group, topic, partitions)
                .chain(stored -> {
                    List<Uni<List<ConsumedRecord>>> rereads = new ArrayList<>();
                    knownUpTo.forEach((partition, to) -> {
                        long from = stored.get(partition).nextOffset();
                        if (from < to) {
                            LOG.warnf("PostgreSQL no longer accounts for offsets %d to %d of %s-%d, which it had stored"
                                    + " (lost acknowledged commits: a crash, a failover or a restore?), and no batch came"
                                    + " for it since: reading them again", from, to - 1, topic, partition);
                            rereads.add(knownOffsets.reread(partition, from, to));
                        }
                    });
                    if (rereads.isEmpty()) {
                        return Uni.createFrom().nullItem();
                    }
                    return conn.query(REREAD_IDLE_TIMEOUT).execute()
                            .chain(() -> Uni.join().all(rereads).andFailFast())
                            .chain(lists -> {
                                List<ConsumedRecord> lost = lists.stream().flatMap(List::stream).toList();
                                AggregationPlan plan = aggregator.plan(lost, stored);
                                Map<Integer, PartitionProgress> progress = new HashMap<>(plan.progress());
                                knownUpTo.forEach((partition, to) -> progress.compute(partition, (p, was) ->
                                        was.nextOffset() >= to ? was : new PartitionProgress(p, to, was.maxEventTimeMs())));
                                AggregationPlan recounted = new AggregationPlan(plan.aggregates(), progress, plan.rejected(),
                                        plan.alreadyCounted(), plan.ignored());
                                return write(conn, group, topic, recounted, null, null, true)
                                        // A record PostgreSQL refuses among them: the caller searches them by halves.
                                        .onFailure().transform(failure -> RereadRecordsRefused.of(lost, failure));
                            });
                }));
    }

    /** The commit mode set, the partitions' offset rows created if new, then locked: one round trip. */
    private Uni<Map<Integer, PartitionProgress>> lockOffsets(SqlConnection conn, String group, String topic,
            Integer[] partitions) {
        return Uni.combine().all()
                .unis(conn.query(settings).execute(),
                        conn.preparedQuery(UpsertStatements.ENSURE_OFFSETS).execute(Tuple.of(group, topic, partitions)),
                        conn.preparedQuery(UpsertStatements.LOCK_OFFSETS).execute(Tuple.of(group, topic, partitions)))
                .with((set, ensured, rows) -> {
                    Map<Integer, PartitionProgress> stored = new HashMap<>();
                    rows.forEach(row -> stored.put(row.getInteger(0), progressOf(row)));
                    return stored;
                });
    }

    /** @param encoded the preplan's aggregates encoded, used when the plan kept them (else encoded here) */
    private Uni<AggregationPlan> write(SqlConnection conn, String group, String topic, AggregationPlan plan,
            Preplan preplan, EncodedAggregates encoded, boolean restoreIdleTimeout) {
        EncodedAggregates written = preplan != null && plan.aggregates() == preplan.plan().aggregates()
                ? encoded
                : EncodedAggregates.of(plan.aggregates());
        List<Uni<Void>> work = new ArrayList<>();
        if (restoreIdleTimeout) {
            work.add(conn.query(idleTimeout).execute().replaceWithVoid()); // sent first: the connection keeps the order
        }
        work.addAll(written.write(conn));
        work.add(advance(conn, group, topic, plan.progress().values()));
        return Uni.join().all(work).andFailFast().replaceWith(plan);
    }

    /** A consistent view of where the aggregates stand, for newly assigned partitions. */
    public Uni<StoreSnapshot> snapshot() {
        return StoreSnapshot.open(pool);
    }

    static PartitionProgress progressOf(Row row) {
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

    static OffsetDateTime time(long epochMs) {
        // Not OffsetDateTime.ofInstant: it builds a new ZoneRules per call (seen in the profile).
        return OffsetDateTime.of(LocalDateTime.ofEpochSecond(Math.floorDiv(epochMs, 1000L),
                (int) Math.floorMod(epochMs, 1000L) * 1_000_000, ZoneOffset.UTC), ZoneOffset.UTC);
    }
}
