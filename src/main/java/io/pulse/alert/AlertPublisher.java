package io.pulse.alert;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pulse.ingest.BoundedSends;
import io.pulse.store.RetentionConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/**
 * Raises alerts: stores them (insert-once by id), then publishes only what the store says is new to
 * Kafka (awaiting the acknowledgements, then marking the rows published). Live subscribers of every
 * replica get them from there ({@link AlertFeed}), not from this process: another replica's alerts too.
 * A list costs one insert, one round of sends and one update, however many alerts it holds; so do the unpublished
 * alerts a check claims ({@link #publishEach}).
 */
@ApplicationScoped
public class AlertPublisher {

    private final AlertStore store;
    private final MutinyEmitter<String> kafka;
    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final Duration retention;
    private final Counter beyondRetention;

    @Inject
    public AlertPublisher(AlertStore store, @Channel(AlertChannels.ALERTS_OUT) MutinyEmitter<String> kafka,
            ObjectMapper json, MeterRegistry registry, RetentionConfig retention) {
        this.store = store;
        this.kafka = kafka;
        this.json = json;
        this.registry = registry;
        this.retention = retention.windows();
        this.beyondRetention = Counter.builder("pulse.alerts.beyond.retention")
                .description("Alerts not raised for being about changes older than pulse.retention.windows")
                .register(registry);
    }

    /** @return the alerts that were new (published); the others were raised before */
    public Uni<List<Alert>> raise(List<Alert> alerts) {
        if (alerts.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        // An id raised twice in one list is one alert (one statement may not insert a row twice).
        Map<String, Alert> distinct = new LinkedHashMap<>();
        alerts.forEach(a -> distinct.putIfAbsent(a.id(), a));
        List<Alert> kept = withinRetention(distinct.values());
        return kept.isEmpty() ? Uni.createFrom().item(List.of()) : store.insert(kept).chain(this::publish);
    }

    /**
     * Without the alerts about changes retention deletes: stored, the next run of retention deleted them, and a
     * re-read of the events (a partition read from its start when its stored offsets could not be read) raised
     * them again as new, days-old alerts streamed to every page as live ones.
     */
    private List<Alert> withinRetention(Collection<Alert> alerts) {
        if (retention.isZero()) {
            return List.copyOf(alerts);
        }
        Instant cutoff = Instant.now().minus(retention);
        List<Alert> kept = alerts.stream().filter(a -> !a.eventTime().isBefore(cutoff)).toList();
        beyondRetention.increment(alerts.size() - kept.size());
        return kept;
    }

    /**
     * Publishes alerts already stored (claimed unpublished ones), each on its own: one Kafka keeps refusing holds back
     * none of the others, which are marked published (one update); then fails if any was not sent.
     */
    public Uni<List<Alert>> publishEach(List<Alert> stored) {
        if (stored.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<Uni<Alert>> sends = stored.stream()
                .map(alert -> send(alert).replaceWith(alert).onFailure().recoverWithNull()).toList();
        return Uni.join().all(sends).andFailFast().chain(results -> {
            List<Alert> sent = results.stream().filter(java.util.Objects::nonNull).toList();
            Uni<Void> marked = sent.isEmpty() ? Uni.createFrom().voidItem() : markPublished(sent);
            return marked.map(v -> {
                if (sent.size() < stored.size()) {
                    throw new IllegalStateException((stored.size() - sent.size()) + " of " + stored.size()
                            + " unpublished alerts could not be sent; tried again later");
                }
                return sent;
            });
        });
    }

    /**
     * Counted by the call that marks it: another replica's raise of the same alert, or a claim racing a raise, sends
     * it again (at least once), and counting each send counted it twice, against the one alert the API shows.
     */
    private Uni<Void> markPublished(List<Alert> sent) {
        return store.markPublished(sent.stream().map(Alert::id).toList())
                .invoke(marked -> sent.stream().filter(alert -> marked.contains(alert.id())).forEach(alert -> registry
                        .counter("pulse.alerts.raised", "rule", alert.rule(), "severity", alert.severity().label())
                        .increment()))
                .replaceWithVoid();
    }

    private Uni<List<Alert>> publish(List<Alert> stored) {
        if (stored.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        // Marked published only once Kafka acknowledged every one: a failure re-raises (at least once).
        return BoundedSends.all(stored, this::send).chain(() -> markPublished(stored)).replaceWith(stored);
    }

    private Uni<Void> send(Alert alert) {
        String payload;
        try {
            payload = json.writeValueAsString(alert);
        } catch (JsonProcessingException e) {
            return Uni.createFrom().failure(e);
        }
        var metadata = OutgoingKafkaRecordMetadata.<String> builder().withKey(alert.rule()).build();
        return kafka.sendMessage(Message.of(payload).addMetadata(metadata));
    }
}
