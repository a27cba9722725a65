package io.pulse.alert;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import io.pulse.source.wikimedia.ParseResult;
import io.pulse.source.wikimedia.RecentChangeParser;
import io.pulse.store.Stopping;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.IncomingKafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecord;
import io.smallrye.reactive.messaging.kafka.KafkaRecordBatch;

/**
 * Evaluates the per-change rules on the events topic with its own consumer group, so alerting scales
 * with partitions independently of the aggregator. State (the spike rule's page counts) is kept per
 * partition, which sees every change of its pages in order. A batch's alerts are evaluated once and
 * then raised until that succeeds, so a database outage delays alerts but neither drops nor repeats them
 * (once the application stops, the batch is left unacknowledged instead: {@link Stopping}).
 * After an assignment, records re-read for warm-up ({@link AlertWarmUp}) update the state but raise nothing.
 */
@ApplicationScoped
public class AlertConsumer {

    private static final Logger LOG = Logger.getLogger(AlertConsumer.class);

    private final RecentChangeParser parser;
    private final AlertRules rules;
    private final AlertPublisher publisher;
    private final AlertConfig config;
    private final AlertPartitions partitions;
    private final Stopping stopping;

    public AlertConsumer(RecentChangeParser parser, AlertRules rules, AlertPublisher publisher, AlertConfig config,
            AlertPartitions partitions, Stopping stopping) {
        this.parser = parser;
        this.rules = rules;
        this.publisher = publisher;
        this.config = config;
        this.partitions = partitions;
        this.stopping = stopping;
    }

    @Incoming(AlertChannels.EVENTS_IN)
    public Uni<Void> consume(KafkaRecordBatch<String, byte[]> batch) {
        List<Alert> alerts = config.enabled() ? evaluate(batch) : List.of();
        return publisher.raise(alerts)
                .onFailure(stopping::notYet).invoke(f -> LOG.warnf("Raising %d alerts failed, retrying: %s", alerts.size(), f.toString()))
                .onFailure(stopping::notYet).retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(10)).indefinitely()
                .onFailure().recoverWithUni(f -> stopping.abandon("alert consumer", batch.getRecords().size()))
                .chain(() -> Uni.createFrom().completionStage(batch.ack()));
    }

    List<Alert> evaluate(KafkaRecordBatch<String, byte[]> batch) {
        RuleSet set = rules.current();
        List<Alert> alerts = new ArrayList<>();
        for (KafkaRecord<String, byte[]> record : batch.getRecords()) {
            var r = (IncomingKafkaRecord<String, byte[]>) record;
            if (!(parser.parse(r.getPayload()) instanceof ParseResult.Accepted accepted)) {
                continue; // the aggregator dead-letters it
            }
            List<Alert> raised = partitions.evaluator(r.getPartition()).evaluate(accepted.change(), set);
            if (partitions.raises(r.getPartition(), r.getOffset())) {
                alerts.addAll(raised);
            }
        }
        return alerts;
    }
}
