package io.pulse.alert;

import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/**
 * Raises alerts: stores them (insert-once by id), then publishes only what the store says is new to
 * Kafka (awaiting the acknowledgement, then marking the row published) and to live subscribers.
 */
@ApplicationScoped
public class AlertPublisher {

    private final AlertStore store;
    private final AlertHub hub;
    private final MutinyEmitter<String> kafka;
    private final ObjectMapper json;
    private final MeterRegistry registry;

    @Inject
    public AlertPublisher(AlertStore store, AlertHub hub, @Channel(AlertChannels.ALERTS_OUT) MutinyEmitter<String> kafka,
            ObjectMapper json, MeterRegistry registry) {
        this.store = store;
        this.hub = hub;
        this.kafka = kafka;
        this.json = json;
        this.registry = registry;
    }

    /** @return the alerts that were new (published); the others were raised before */
    public Uni<List<Alert>> raise(List<Alert> alerts) {
        if (alerts.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        // One at a time: a second alert with the same id then finds the first already published.
        return Multi.createFrom().iterable(alerts)
                .onItem().transformToUniAndConcatenate(alert -> store.insert(alert).call(this::publish))
                .filter(java.util.Objects::nonNull)
                .collect().asList();
    }

    private Uni<Void> publish(Alert alert) {
        if (alert == null) {
            return Uni.createFrom().voidItem();
        }
        String payload;
        try {
            payload = json.writeValueAsString(alert);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        var metadata = OutgoingKafkaRecordMetadata.<String> builder().withKey(alert.rule()).build();
        return kafka.sendMessage(Message.of(payload).addMetadata(metadata))
                .call(() -> store.markPublished(alert.id()))
                .invoke(() -> {
                    hub.publish(alert);
                    registry.counter("pulse.alerts.raised", "rule", alert.rule(), "severity", alert.severity().label())
                            .increment();
                });
    }
}
