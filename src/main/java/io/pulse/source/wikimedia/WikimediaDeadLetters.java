package io.pulse.source.wikimedia;

import java.nio.charset.StandardCharsets;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.pulse.ingest.PulseHeaders;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/**
 * Sends events Pulse cannot accept to the dead-letter topic, with the reason and the stage in
 * headers, and counts them ({@code pulse_dead_letters_total{stage}}). Awaits the broker's
 * acknowledgement: a dead letter is data too, and must not be lost silently.
 */
@ApplicationScoped
public class WikimediaDeadLetters {

    /** Kafka's default request limit is 1 MB: keep a bounded prefix of a huge event, flagged in a header. */
    static final int MAX_VALUE_CHARS = 256 * 1024;
    private static final Logger LOG = Logger.getLogger(WikimediaDeadLetters.class);

    private final MutinyEmitter<String> emitter;
    private final MeterRegistry registry;

    @Inject
    public WikimediaDeadLetters(@Channel(WikimediaChannels.DEAD_LETTERS) MutinyEmitter<String> emitter,
            MeterRegistry registry) {
        this.emitter = emitter;
        this.registry = registry;
    }

    public Uni<Void> send(String stage, String key, String value, String reason, String sseId) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(PulseHeaders.REASON, bytes(reason));
        headers.add(PulseHeaders.STAGE, bytes(stage));
        if (sseId != null) {
            headers.add(PulseHeaders.SSE_ID, bytes(sseId));
        }
        String payload = value == null ? "" : value;
        if (payload.length() > MAX_VALUE_CHARS) {
            headers.add("pulse-dlq-truncated-from-chars", bytes(Integer.toString(payload.length())));
            payload = payload.substring(0, MAX_VALUE_CHARS);
        }
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String> builder()
                .withKey(key).withHeaders(headers).build();
        LOG.debugf("dead-lettering at %s: %s", stage, reason);
        return emitter.sendMessage(Message.of(payload).addMetadata(metadata))
                .invoke(() -> registry.counter("pulse.dead.letters", "source", "wikimedia", "stage", stage).increment());
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
