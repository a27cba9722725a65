package io.pulse.ingest;

import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.producer.Producer;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;

/**
 * The transactions' outcomes and commit times ({@code pulse_ingest_transactions_total{outcome}},
 * {@code pulse_ingest_transaction_commit_seconds}), and the transactional producer's own Kafka metrics
 * ({@code kafka_producer_*}, as Quarkus shows for the channels' producers): bound while a producer is
 * open and removed when it closes, since a failure replaces the producer.
 */
public final class TransactionMetrics<K, V> implements TransactionObserver<K, V> {

    private static final Logger LOG = Logger.getLogger(TransactionMetrics.class);

    private final MeterRegistry registry;
    private final Tags tags;
    private final Counter committed;
    private final Counter aborted;
    private final Counter failed;
    private final Timer commits;
    private KafkaClientMetrics producerMetrics;

    public TransactionMetrics(MeterRegistry registry, Tags tags) {
        this.registry = registry;
        this.tags = tags;
        this.committed = outcome("committed");
        this.aborted = outcome("aborted");
        this.failed = outcome("failed");
        this.commits = Timer.builder("pulse.ingest.transaction.commit")
                .description("How long the ingest's Kafka transactions take to commit: what an event waits for besides the commit interval")
                .tags(tags)
                .publishPercentiles(0.5, 0.95, 0.99)
                .register(registry);
    }

    private Counter outcome(String outcome) {
        return Counter.builder("pulse.ingest.transactions")
                .description("The ingest's Kafka transactions: committed; aborted after a failed send; failed (the producer replaced, fenced included)")
                .tags(tags).tag("outcome", outcome)
                .register(registry);
    }

    @Override
    public void producerOpened(Producer<K, V> producer) {
        producerClosed(null);
        // Without extra tags: Prometheus wants one set of tag keys per name, and Quarkus binds the
        // channels' clients' metrics under the same names with client_id and kafka_version only.
        KafkaClientMetrics bound = new KafkaClientMetrics(producer);
        try {
            bound.bindTo(registry);
            producerMetrics = bound;
        } catch (RuntimeException e) {
            // Metrics never stop the ingest; closing removes the meters it bound before the refusal.
            bound.close();
            LOG.warnf("The ingest's Kafka producer metrics are not shown: %s", e.toString());
        }
    }

    @Override
    public void producerClosed(Producer<K, V> producer) {
        if (producerMetrics != null) {
            producerMetrics.close(); // removes its meters: a closed producer's figures would stand still
            producerMetrics = null;
        }
    }

    @Override
    public void committed(long nanos) {
        committed.increment();
        commits.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void aborted() {
        aborted.increment();
    }

    @Override
    public void failed() {
        failed.increment();
    }
}
