package io.pulse.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.vertx.core.Context;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;

/** Persists ingest resume positions. Callable from any thread (ingest runs off the request context). */
@ApplicationScoped
public class IngestCheckpointStore {

    private final Pool pool;

    public IngestCheckpointStore(Pool pool) {
        this.pool = pool;
    }

    /**
     * A resume position: the upstream id and where its prefix ends in each Kafka partition; loaded, with where the
     * topic ended when the source's recorded run began ({@link #startRun}; not saved with the position).
     */
    public record Position(String lastEventId, Map<Integer, Long> kafkaPositions, Map<Integer, Long> runStartPositions) {

        public static final Position NONE = new Position(null, Map.of());

        public Position(String lastEventId, Map<Integer, Long> kafkaPositions) {
            this(lastEventId, kafkaPositions, Map.of());
        }

        static Position of(IngestCheckpoint c) {
            return c == null ? NONE : new Position(c.lastEventId, decode(c.kafkaPositions), decode(c.runStartPositions));
        }
    }

    /** Offsets {@code from} (inclusive) to {@code to} (exclusive) of a partition. */
    public record OffsetRange(long from, long to) {
    }

    public Uni<Position> load(String source) {
        return onVertxContext(() -> find(source));
    }

    /** Saves the position whichever leader term the row holds: for a feed read without the election. */
    public Uni<Void> save(String source, Position position) {
        return onVertxContext(() -> upsert(source, position));
    }

    /**
     * Takes the next leader term of {@code source}'s row (creating it): from then on only saves with this term change
     * the position ({@link #save(String, Position, long)}). The elected leader takes one before it loads the
     * checkpoint, so what an earlier leader saved before that is what it loads.
     */
    public Uni<Long> claimTerm(String source) {
        return pool.withTransaction(conn -> conn.query(BOUNDS).execute()
                .chain(() -> conn.preparedQuery(CLAIM_TERM).execute(Tuple.of(source))))
                .map(rows -> rows.iterator().next().getLong(0));
    }

    static final String CLAIM_TERM = """
            INSERT INTO ingest_checkpoints AS mine (source, leader_term, updated_at) VALUES ($1, 1, now())
            ON CONFLICT (source) DO UPDATE SET leader_term = coalesce(mine.leader_term, 0) + 1, updated_at = now()
            RETURNING leader_term""";

    /**
     * Saves the position if {@code term} is still the row's newest: else fails with {@link Superseded} and leaves
     * the row alone (a replica elected since took a newer term, and its position is the one to keep).
     */
    public Uni<Void> save(String source, Position position, long term) {
        return pool.withTransaction(conn -> conn.query(BOUNDS).execute()
                .chain(() -> conn.preparedQuery(SAVE_IN_TERM).execute(Tuple.of(source, position.lastEventId(),
                        encode(position.kafkaPositions()), term))))
                .invoke(rows -> {
                    if (rows.rowCount() == 0) {
                        throw new Superseded(source, term);
                    }
                }).replaceWithVoid();
    }

    // One statement: PostgreSQL checks the term again under the row's lock, should a claim commit meanwhile.
    static final String SAVE_IN_TERM = """
            UPDATE ingest_checkpoints SET last_event_id = $2, kafka_positions = $3, updated_at = now()
            WHERE source = $1 AND leader_term = $4""";

    /** A save refused: another leader took a newer term of the feed since this one took its own. */
    public static final class Superseded extends RuntimeException {
        private final long term;

        public Superseded(String source, long term) {
            super("the position of " + source + " was not saved: term " + term
                    + " is over, another replica was elected to read the feed since", null, false, false);
            this.term = term;
        }

        /** The term the refused save was made in. */
        public long term() {
            return term;
        }
    }

    /**
     * Records the topic's ends as this run of {@code source} begins publishing, before its first record
     * (kept from an earlier run of it when no other source ran since): from there to its saved prefix,
     * the topic holds this source's records only ({@link #othersRuns}).
     */
    public Uni<Void> startRun(String source, Map<Integer, Long> topicEnds) {
        return recordRunStart(source, topicEnds);
    }

    /**
     * Per partition, the ranges of the events topic that hold only records of another source: from its
     * recorded run start to where its saved prefix ends. A run never saved after it began has no range
     * there (its saved positions, carried over from earlier runs, are not past its start).
     */
    public Uni<Map<Integer, List<OffsetRange>>> othersRuns(String source) {
        return onVertxContext(() -> otherRows(source));
    }

    @WithSession
    Uni<Map<Integer, List<OffsetRange>>> otherRows(String source) {
        return IngestCheckpoint.<IngestCheckpoint> find("source <> ?1", source).list().map(rows -> {
            Map<Integer, List<OffsetRange>> ranges = new HashMap<>();
            for (IngestCheckpoint row : rows) {
                Map<Integer, Long> saved = decode(row.kafkaPositions);
                decode(row.runStartPositions).forEach((partition, start) -> {
                    long end = saved.getOrDefault(partition, start);
                    if (end > start) {
                        ranges.computeIfAbsent(partition, p -> new ArrayList<>()).add(new OffsetRange(start, end));
                    }
                });
            }
            return ranges;
        });
    }

    /**
     * A run's start. While no other source began a run since this source's recorded start, the topic from
     * there holds this source's records alone, whatever runs it took (a failover, a redeploy): that start
     * is kept, so the range another feed skips covers them all. One statement, the database's clock.
     */
    static final String RECORD_RUN_START = """
            INSERT INTO ingest_checkpoints AS mine (source, run_start_positions, run_started_at, updated_at)
            VALUES ($1, $2, now(), now())
            ON CONFLICT (source) DO UPDATE SET
                run_start_positions = CASE WHEN %1$s THEN mine.run_start_positions ELSE EXCLUDED.run_start_positions END,
                run_started_at = CASE WHEN %1$s THEN mine.run_started_at ELSE EXCLUDED.run_started_at END,
                updated_at = now()""".formatted("""
            (mine.run_started_at IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ingest_checkpoints other
                WHERE other.source <> mine.source AND other.run_started_at >= mine.run_started_at))""");

    Uni<Void> recordRunStart(String source, Map<Integer, Long> topicEnds) {
        return pool.withTransaction(conn -> conn.query(BOUNDS).execute()
                .chain(() -> conn.preparedQuery(RECORD_RUN_START).execute(Tuple.of(source, encode(topicEnds)))))
                .replaceWithVoid();
    }

    /**
     * A write of the checkpoint row waits 5 s at most for its lock, runs 10 s at most, and is ended by PostgreSQL
     * when idle 10 s inside its transaction (its own statements take milliseconds). Unbounded, one save blocked on
     * the row (a former leader frozen in the middle of its own save, holding it) held the saving ticker for good: the
     * position stopped moving, and after max-unsaved events the feed paused. Now a save fails and the next tick tries
     * again, and the frozen holder's transaction is ended, its lock with it, before a successor, elected a session
     * (10 s) after the freeze, has waited long to take its term.
     */
    static final String BOUNDS = PostgresTimeout.boundTransaction(5_000, 10_000, 10_000);

    @WithSession
    Uni<Position> find(String source) {
        return IngestCheckpoint.<IngestCheckpoint> findById(source).map(Position::of);
    }

    @WithTransaction
    Uni<Void> upsert(String source, Position position) {
        return Panache.getSession().chain(session -> session.createNativeQuery(BOUNDS).getSingleResult())
                .chain(() -> IngestCheckpoint.<IngestCheckpoint> findById(source)).chain(existing -> {
            IngestCheckpoint c = existing != null ? existing : new IngestCheckpoint();
            c.source = source;
            c.lastEventId = position.lastEventId();
            c.kafkaPositions = encode(position.kafkaPositions());
            c.updatedAt = Instant.now();
            return c.<IngestCheckpoint> persist();
        }).replaceWithVoid();
    }

    static String encode(Map<Integer, Long> positions) {
        return positions.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> e.getKey() + ":" + e.getValue()).collect(Collectors.joining(","));
    }

    static Map<Integer, Long> decode(String positions) {
        Map<Integer, Long> out = new HashMap<>();
        if (positions != null && !positions.isBlank()) {
            for (String pair : positions.split(",")) {
                String[] pe = pair.split(":");
                out.put(Integer.parseInt(pe[0].trim()), Long.parseLong(pe[1].trim()));
            }
        }
        return out;
    }

    /**
     * Hibernate Reactive needs a Vert.x context of its own; ingest callbacks may come from any thread.
     * VertxContextSupport refuses to start from an event loop, and a retry can re-subscribe on one (the
     * ingest's, after a failed read-back of the events topic: every load then failed, for good), so from
     * there the work starts on a worker.
     */
    private static <T> Uni<T> onVertxContext(Supplier<Uni<T>> work) {
        return Uni.createFrom().<T> emitter(emitter -> VertxContextSupport.subscribe(() -> work.get().toMulti(),
                subscribe -> subscribe.with(emitter::complete, emitter::fail, () -> emitter.complete(null))))
                .runSubscriptionOn(task -> {
                    if (Context.isOnEventLoopThread()) {
                        Infrastructure.getDefaultWorkerPool().execute(task);
                    } else {
                        task.run();
                    }
                });
    }
}
