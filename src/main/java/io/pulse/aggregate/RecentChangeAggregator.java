package io.pulse.aggregate;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.common.header.Header;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.pulse.alert.Alert;
import io.pulse.alert.PerChangeAlerts;
import io.pulse.ingest.BoundedSends;
import io.pulse.ingest.PulseHeaders;
import io.pulse.source.wikimedia.ParseResult;
import io.pulse.source.wikimedia.RecentChangeParser;
import io.pulse.source.wikimedia.WikimediaChannels;
import io.pulse.source.wikimedia.WikimediaDeadLetters;
import io.pulse.store.AggregateStore;
import io.pulse.store.KnownOffsets;
import io.pulse.store.Stopping;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;

/**
 * Reads the events topic in poll-sized batches and folds each batch into the window tables, one
 * transaction per batch together with the partitions' offsets. A batch is parsed, evaluated and
 * folded on a worker thread while the previous one commits ({@link CommitPipeline}). A failed
 * transaction is retried with back-off until it commits: the partition waits (backpressure) rather
 * than skipping data.
 * A batch PostgreSQL refuses for its data is committed by halves instead, dead-lettering the records
 * it refuses ({@link RefusedRecords}).
 * Once the application stops, a failing batch is left unacknowledged instead ({@link Stopping}).
 * The per-change alert rules evaluate the same parsed records first ({@link PerChangeAlerts}). A batch's
 * alerts and dead letters are on their way to Kafka before its transaction begins, which waits for
 * them ({@link AheadOfCommit}).
 * Records this replica committed and PostgreSQL then lost (a crash with asynchronous commits, a failover
 * to a standby behind the primary, a restore) are read again and counted with the next batch
 * ({@link AccountedOffsets}).
 */
@ApplicationScoped
public class RecentChangeAggregator {

    private static final Logger LOG = Logger.getLogger(RecentChangeAggregator.class);

    /** A failed batch's first retry; the next ones back off up to {@code pulse.aggregate.max-retry-backoff}. */
    static final Duration FIRST_RETRY = Duration.ofMillis(200);

    private final AggregateStore store;
    private final RecentChangeParser parser;
    private final BatchAggregator aggregator;
    private final WikimediaDeadLetters deadLetters;
    private final AggregatorStatus status;
    private final AggregatedEvents events;
    private final AggregateConfig config;
    private final String group;
    private final String topic;
    private final Timer latency;
    private final Stopping stopping;
    private final PerChangeAlerts alerts;
    // Quarkus' worker pool, looked up when used: Quarkus installs it into Mutiny at start.
    private final CommitPipeline pipeline = new CommitPipeline(task -> Infrastructure.getDefaultWorkerPool().execute(task));
    private final RefusedRecords byHalves = new RefusedRecords(this::deadLetter, records -> applyAlone(records, this::committed));
    /** The lost-commits check's: its commits count, but are not the pipeline's to clear its degraded state. */
    private final RefusedRecords recountByHalves = new RefusedRecords(this::deadLetter, records -> applyAlone(records, this::counted));
    private final AccountedOffsets accounted;
    /** The last batch's alerts (the batches are parsed one at a time): the next batch's are raised after them. */
    private volatile AheadOfCommit lastAlerts = AheadOfCommit.NOTHING;

    @Inject
    public RecentChangeAggregator(AggregateStore store, RecentChangeParser parser, AggregateConfig config,
            WikimediaDeadLetters deadLetters, AggregatorStatus status, MeterRegistry registry, Stopping stopping,
            PerChangeAlerts alerts, AccountedOffsets accounted, AggregatedEvents events,
            @ConfigProperty(name = "mp.messaging.incoming." + WikimediaChannels.EVENTS_IN + ".group.id") String group,
            @ConfigProperty(name = "mp.messaging.incoming." + WikimediaChannels.EVENTS_IN + ".topic") String topic) {
        AggregateSettings.check(config);
        this.store = store;
        this.parser = parser;
        this.config = config;
        this.aggregator = new BatchAggregator(WindowSpec.of(config.window(), config.allowedLateness()));
        this.deadLetters = deadLetters;
        this.status = status;
        this.events = events;
        this.group = group;
        this.topic = topic;
        this.stopping = stopping;
        this.alerts = alerts;
        this.accounted = accounted;
        this.latency = Timer.builder("pulse.pipeline.latency")
                .description("From the SSE data line received by the ingest to the committed aggregate row")
                .publishPercentiles(0.5, 0.95, 0.99)
                .register(registry);
    }

    @Incoming(WikimediaChannels.EVENTS_IN)
    public Uni<Void> consume(KafkaRecordBatch<String, byte[]> batch) {
        return pipeline.submit(() -> fold(batch),
                folded -> commit(folded).chain(() -> Uni.createFrom().completionStage(batch.ack())));
    }

    /**
     * A batch parsed, evaluated by the alert rules, folded and encoded: all of its CPU work before the
     * transaction; its alerts and dead letters on their way to Kafka.
     */
    private record Folded(AggregateStore.PreparedBatch prepared, AheadOfCommit alertsRaised, AheadOfCommit deadLettered,
            long[] receivedAt) {
    }

    private Folded fold(KafkaRecordBatch<String, byte[]> batch) {
        int size = batch.getRecords().size();
        List<ConsumedRecord> records = new ArrayList<>(size);
        long[] receivedAt = new long[size];
        int generation = -1; // one poll's records: one group generation, which SmallRye stamps on each
        for (KafkaRecord<String, byte[]> record : batch.getRecords()) {
            var r = (IncomingKafkaRecord<String, byte[]>) record;
            generation = r.getConsumerGroupGenerationId();
            receivedAt[records.size()] = receivedAt(r);
            records.add(new ConsumedRecord(r.getPartition(), r.getOffset(), r.getKey(), r.getPayload(),
                    parser.parse(r.getPayload()), ConsumedRecord.timestamp(r.getTimestamp().toEpochMilli())));
        }
        AheadOfCommit alertsRaised = raise(alerts.evaluate(records, generation));
        AheadOfCommit deadLettered = deadLetterAhead(records);
        return new Folded(store.prepare(records, aggregator), alertsRaised, deadLettered, receivedAt);
    }

    private AheadOfCommit raise(List<Alert> raised) {
        if (raised.isEmpty()) {
            return AheadOfCommit.NOTHING;
        }
        AheadOfCommit sent = AheadOfCommit.after(lastAlerts, () -> alerts.raise(raised));
        lastAlerts = sent;
        return sent;
    }

    /**
     * The batch's rejected records, but for those below the offset this replica knows PostgreSQL accounts
     * for: their dead letters were acknowledged before that commit (a redelivery, a lost commit's re-read).
     * Where nothing is known (the stored offsets could not be read on assignment, and the consumer reads
     * from the earliest), the first batch of a partition sends all of its rejects, some a second time;
     * its commit tells where the store stands.
     */
    private AheadOfCommit deadLetterAhead(List<ConsumedRecord> records) {
        List<ConsumedRecord> rejected = notYetDeadLettered(records, accounted);
        return rejected.isEmpty() ? AheadOfCommit.NOTHING : AheadOfCommit.begin(() -> deadLetter(rejected));
    }

    static List<ConsumedRecord> notYetDeadLettered(List<ConsumedRecord> records, KnownOffsets known) {
        List<ConsumedRecord> rejected = new ArrayList<>();
        for (ConsumedRecord r : records) {
            if (r.parsed() instanceof ParseResult.Rejected && r.offset() >= known.known(r.partition())) {
                rejected.add(r);
            }
        }
        return rejected;
    }

    private Uni<Void> commit(Folded batch) {
        int size = batch.prepared().records().size();
        // The offsets commit only once Kafka holds the batch's alerts and dead letters: after that the
        // batch is never read again to send them. One retry loop for all: a retry sends again only what
        // failed, and raising again finds the alerts stored (one insert).
        return Uni.join().all(batch.alertsRaised().acknowledged(), batch.deadLettered().acknowledged()).andFailFast()
                // Only the batch's own statements are searched by halves: a refusal of the alerts' insert is
                // not its records' doing, and is retried with the batch.
                .chain(() -> store.apply(group, topic, batch.prepared(), aggregator, accounted)
                        .invoke(this::committed).replaceWithVoid()
                        .onFailure(DataRefusal::is).recoverWithUni(refusal -> commitByHalves(batch, refusal)))
                .onFailure(stopping::notYet).invoke(failure -> {
                    status.failed(failure);
                    LOG.warnf("A batch of %d records failed, retrying: %s", size, failure.toString());
                })
                .onFailure(stopping::notYet).retry().withBackOff(FIRST_RETRY, config.maxRetryBackoff()).indefinitely()
                // Only a stop ends the retries; anything else that comes through fails the channel, to be seen.
                .onFailure(failure -> stopping.begun()).recoverWithUni(failure -> stopping.abandon("aggregator", size))
                .invoke(() -> recordLatency(batch.receivedAt(), size));
    }

    /**
     * PostgreSQL refused the batch for something in it: retrying would refuse it again forever. Its
     * records are committed by halves until the refused ones are dead-lettered ({@link RefusedRecords});
     * its alerts and the dead letters of its rejected records are in Kafka already.
     */
    private Uni<Void> commitByHalves(Folded batch, Throwable refusal) {
        int size = batch.prepared().records().size();
        if (size > 1) { // a lone record is dead-lettered at once, and logged there
            LOG.warnf("PostgreSQL refused a batch of %d records (%s): committing it by halves to find the records it refuses",
                    size, DataRefusal.of(refusal).orElseThrow());
        }
        return byHalves.commit(batch.prepared().records(), refusal);
    }

    /**
     * One part of a refused batch in a transaction of its own, folded on a worker thread like any batch.
     * Its dead letters were sent with the batch, or by the search itself (the records PostgreSQL refuses).
     */
    private Uni<AggregationPlan> applyAlone(List<ConsumedRecord> records, java.util.function.Consumer<AggregationPlan> done) {
        return Uni.createFrom().item(() -> store.prepare(records, aggregator))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .chain(prepared -> store.apply(group, topic, prepared, aggregator, accounted))
                .invoke(done);
    }

    /**
     * Counts again what PostgreSQL lost of the partitions this replica owns when no batch comes to find it:
     * the next batch of a partition reads its lost records again ({@link AccountedOffsets}), but a partition
     * no record comes for (the stream stopped, a replay ended) stayed short of them until one came, or a
     * restart. What is known is read before the stored offsets, which only move forward: one below it is a
     * loss, not a commit in between. Run now and then ({@link LostCommitsWatch}).
     */
    public Uni<Void> recountLost() {
        Map<Integer, Long> known = accounted.ownedKnown();
        if (known.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return store.storedOffsets(group, topic).chain(stored -> {
            Map<Integer, Long> behind = new HashMap<>();
            known.forEach((partition, upTo) -> {
                if (stored.getOrDefault(partition, 0L) < upTo) {
                    behind.put(partition, upTo);
                }
            });
            return behind.isEmpty() ? Uni.createFrom().voidItem()
                    : store.recountLost(group, topic, behind, aggregator, accounted)
                            .invoke(plan -> {
                                if (plan != null) {
                                    counted(plan); // not a batch: the pipeline's health is not its to clear
                                }
                            }).replaceWithVoid()
                            // One of them refused (dead-lettered before the loss, accepted again by the parser):
                            // they are committed by halves from the stored offset, as a batch's would be.
                            .onFailure(DataRefusal::is).recoverWithUni(refusal -> recountByHalves.commit(List.of(), refusal));
        });
    }

    private void committed(AggregationPlan plan) {
        status.committed(plan);
        counted(plan);
    }

    private void counted(AggregationPlan plan) {
        accounted.committed(plan);
        events.committed(plan);
    }

    /** End-to-end latency: SSE {@code data:} line received by the ingest → aggregates committed. */
    private void recordLatency(long[] receivedAt, int records) {
        long now = System.currentTimeMillis();
        long earliest = Long.MAX_VALUE;
        for (int i = 0; i < records; i++) {
            long at = receivedAt[i];
            if (at > 0) {
                latency.record(Math.max(0, now - at), TimeUnit.MILLISECONDS);
                earliest = Math.min(earliest, at);
            }
        }
        status.received(earliest);
    }

    private static long receivedAt(IncomingKafkaRecord<String, byte[]> record) {
        Header header = record.getHeaders().lastHeader(PulseHeaders.RECEIVED_AT);
        if (header == null || header.value() == null) { // another producer's record may carry a null value
            return 0;
        }
        try {
            return Long.parseLong(new String(header.value(), StandardCharsets.US_ASCII));
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private Uni<Void> deadLetter(List<ConsumedRecord> rejected) {
        return BoundedSends.all(rejected, r -> deadLetters.send(WikimediaDeadLetters.AGGREGATE, r.key(), r.valueText(),
                ((ParseResult.Rejected) r.parsed()).reason(), null));
    }
}
