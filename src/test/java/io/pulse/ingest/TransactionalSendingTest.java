package io.pulse.ingest;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.pulse.testkit.LocalKafka;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * Every case of {@link KafkaBatchSenderTest} again, through transactions (as the elected ingest sends),
 * read as the aggregator reads (committed records only); and the fencing of a deposed sender.
 */
class TransactionalSendingTest extends KafkaBatchSenderTest {

    private final String transactionalId = "pulse-test-" + UUID.randomUUID();
    private final MeterRegistry registry = new SimpleMeterRegistry();

    @Override
    Properties producerSettings() {
        Properties p = new Properties();
        p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
        return p;
    }

    @Override
    KafkaBatchSender.SendingThread<String, String> sending(Supplier<Producer<String, String>> producers) {
        return transactional(producers, () -> {
        }, registry);
    }

    private TransactionalSending<String, String> transactional(Supplier<Producer<String, String>> producers,
            Runnable onFenced, MeterRegistry metrics) {
        TransactionalSending<String, String> sending = new TransactionalSending<>(producers, Duration.ofMillis(50),
                onFenced, new TransactionMetrics<>(metrics, Tags.of("source", "test")));
        toClose.add(sending);
        return sending;
    }

    private static double transactions(MeterRegistry metrics, String outcome) {
        return metrics.get("pulse.ingest.transactions").tag("outcome", outcome).counter().count();
    }

    /**
     * Each committed transaction is counted with its commit time, and the producer's own Kafka metrics
     * are shown while it is open: its count of records sent is the records sent, once each.
     */
    @Test
    void shouldCountItsTransactionsAndShowItsProducersOwnMetricsWhileItIsOpen() {
        TransactionalSending<String, String> sending = (TransactionalSending<String, String>) sending(
                () -> producer(new StringSerializer()));
        Acknowledged acknowledged = new Acknowledged();

        new KafkaBatchSender<>(sending, Duration.ofMillis(10), Duration.ofMillis(100)).send(records(), acknowledged)
                .await().atMost(DEADLINE);

        double committed = transactions(registry, "committed");
        assertTrue(committed >= 1, "every record acknowledged, so committed: " + committed);
        assertEquals(committed, registry.get("pulse.ingest.transaction.commit").timer().count(),
                "a commit time per committed transaction");
        assertEquals(0, transactions(registry, "aborted"));
        assertEquals(0, transactions(registry, "failed"));
        // A batch sent again (a retriable error) counts in both: what is left is each record once.
        assertEquals(RECORDS, registry.get("kafka.producer.record.send.total").functionCounter().count()
                - registry.get("kafka.producer.record.retry.total").functionCounter().count(),
                "the producer's own count of the records it sent");

        sending.close();
        assertNull(registry.find("kafka.producer.record.send.total").meter(), "a closed producer's metrics are removed");
    }

    /**
     * A registry that refuses the producer's metrics (Prometheus wants one set of tag keys per name, and
     * the name is taken with other keys: seen when they were tagged with the source) does not stop the
     * sending: every record is still committed once.
     */
    @Test
    @SuppressWarnings("deprecation") // the simpleclient registry is the one Quarkus runs
    void shouldSendEveryRecordWhenTheRegistryRefusesTheProducersMetrics() {
        // As Quarkus makes it: a meter it cannot register is an exception.
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)
                .throwExceptionOnRegistrationFailure();
        prometheus.gauge("kafka.app.info.start.time.ms", Tags.of("other", "keys"), 1.0);
        TransactionalSending<String, String> sending = transactional(() -> producer(new StringSerializer()), () -> {
        }, prometheus);
        Acknowledged acknowledged = new Acknowledged();

        sending.fencePredecessor().await().atMost(DEADLINE); // opening the transactions does not fail (it did)
        new KafkaBatchSender<>(sending, Duration.ofMillis(10), Duration.ofMillis(100)).send(records(), acknowledged)
                .await().atMost(DEADLINE);

        assertEquals(RECORDS, acknowledged.calls.get(), "one acknowledgement per record");
        assertWrittenOnceWhereAcknowledged(acknowledged.byIndex);
        assertTrue(transactions(prometheus, "committed") >= 1);
        assertEquals(List.of("kafka.app.info.start.time.ms"),
                prometheus.getMeters().stream().map(m -> m.getId().getName()).filter(name -> name.startsWith("kafka.")).toList(),
                "none of the producer's metrics left half bound: only the one that was there");
    }

    /** As for any sender; and a record refused for good spoils its transaction, which is aborted (and counted). */
    @Override
    @ParameterizedTest
    @ValueSource(strings = { "topic", "producer" })
    void shouldHandBackTheRecordsKafkaRefusesForGoodAndWriteEveryOtherOneOnce(String limit) {
        super.shouldHandBackTheRecordsKafkaRefusesForGoodAndWriteEveryOtherOneOnce(limit);

        double aborted = transactions(registry, "aborted");
        assertTrue(aborted >= 1 && aborted <= 3, "each of the 3 refused records spoils at most one transaction: " + aborted);
        assertEquals(0, transactions(registry, "failed"), "an abort is not a failure: the producer is kept");
    }

    /**
     * A commit that times out (the broker went away after the records were written) may still complete:
     * it is tried again as it is until the broker is back, never given up and its records sent again,
     * which would publish them twice.
     */
    @Test
    void shouldCompleteACommitThatTimedOutWhileTheBrokerWasAwayAndWriteEachRecordOnce() {
        try (LocalKafka kafka = LocalKafka.throwaway().start()) {
            kafka.createTopic(topic, 1);
            Properties p = new Properties();
            p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
            p.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, transactionalId);
            p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "1000"); // a commit waits this long for the broker
            // Committed a second after the records are written: time to take the broker away in between.
            TransactionalSending<String, String> sending = new TransactionalSending<>(
                    () -> new KafkaProducer<>(p, new StringSerializer(), new StringSerializer()), Duration.ofSeconds(1),
                    () -> {
                    }, new TransactionMetrics<>(registry, Tags.of("source", "test")));
            toClose.add(sending);
            Acknowledged acknowledged = new Acknowledged();
            var sent = new KafkaBatchSender<>(sending, Duration.ofMillis(10), Duration.ofMillis(100))
                    .send(records(), acknowledged).subscribeAsCompletionStage();
            try (Admin admin = kafka.admin()) {
                await().atMost(DEADLINE).until(() -> writtenUncommitted(admin) == RECORDS);
            }

            kafka.stop();
            await().atMost(DEADLINE).until(sending::retryingCommit);
            kafka.start();
            sent.join();

            assertEquals(RECORDS, acknowledged.calls.get(), "one acknowledgement per record");
            Map<String, Integer> seen = new HashMap<>();
            for (ConsumerRecord<String, String> record : readAll(kafka.bootstrapServers(), acknowledged.byIndex.values())) {
                seen.merge(record.value(), 1, Integer::sum);
            }
            assertEquals(RECORDS, seen.size(), "every record written");
            assertTrue(seen.values().stream().allMatch(count -> count == 1), "no record written twice");
            assertEquals(1, transactions(registry, "committed"), "the commit that timed out, once it completed");
            assertEquals(0, transactions(registry, "failed"), "a commit that timed out did not fail");
        }
    }

    private long writtenUncommitted(Admin admin) throws Exception {
        TopicPartition tp = new TopicPartition(topic, 0);
        return admin.listOffsets(Map.of(tp, OffsetSpec.latest())).all().get(30, TimeUnit.SECONDS).get(tp).offset();
    }

    /**
     * A sender that was replaced (its successor opened transactions with the same id) publishes nothing
     * more: what it sends after that is never acknowledged nor read, and it is told it was fenced. Only
     * the records it published before, and those of its successor, are read, each once.
     */
    @Test
    void shouldFenceTheSenderItReplacesSoThatNothingItSendsAfterIsRead() {
        var records = records();
        AtomicInteger deposedFenced = new AtomicInteger();
        MeterRegistry deposedMetrics = new SimpleMeterRegistry();
        TransactionalSending<String, String> deposed = transactional(() -> producer(new StringSerializer()),
                deposedFenced::incrementAndGet, deposedMetrics);
        KafkaBatchSender<String, String> deposedSender = new KafkaBatchSender<>(deposed, Duration.ofMillis(10),
                Duration.ofMillis(100));
        Acknowledged acknowledged = new Acknowledged();
        deposedSender.send(records.subList(0, 200), acknowledged).await().atMost(DEADLINE);

        TransactionalSending<String, String> successor = transactional(() -> producer(new StringSerializer()), () -> {
        }, registry);
        successor.fencePredecessor().await().atMost(DEADLINE);

        Acknowledged afterFencing = new Acknowledged();
        Cancellable zombie = deposedSender.send(records.subList(200, 400), afterFencing).subscribe()
                .with(refused -> { }, failure -> { });
        await().atMost(DEADLINE).until(() -> deposedFenced.get() == 1);
        zombie.cancel();
        new KafkaBatchSender<>(successor, Duration.ofMillis(10), Duration.ofMillis(100))
                .send(records.subList(400, RECORDS), (index, metadata) -> acknowledged.acknowledged(400 + index, metadata))
                .await().atMost(DEADLINE);

        assertEquals(0, afterFencing.calls.get(), "nothing acknowledged to the deposed sender once fenced");
        assertEquals(RECORDS - 200, acknowledged.calls.get());
        Map<String, Integer> seen = new HashMap<>();
        for (ConsumerRecord<String, String> record : readAll(acknowledged.byIndex.values())) {
            seen.merge(record.value(), 1, Integer::sum);
            int index = Integer.parseInt(record.value().substring("event-".length()));
            assertTrue(index < 200 || index >= 400, "read a record sent after fencing: " + record.value());
            assertEquals(acknowledged.byIndex.get(index).offset(), record.offset(), record.value());
        }
        assertEquals(RECORDS - 200, seen.size(), "every record of both, but the deposed one's after fencing");
        assertTrue(seen.values().stream().allMatch(count -> count == 1), "no record written twice");
        assertEquals(1, deposedFenced.get(), "told once");
        assertEquals(1, transactions(deposedMetrics, "failed"), "its fencing counted once");
        assertNull(deposedMetrics.find("kafka.producer.record.send.total").meter(), "its fenced producer's metrics removed");
    }
}
