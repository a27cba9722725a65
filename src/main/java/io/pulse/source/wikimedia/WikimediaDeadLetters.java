package io.pulse.source.wikimedia;

import java.nio.charset.StandardCharsets;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pulse.aggregate.Causes;
import io.pulse.ingest.PulseHeaders;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;

/**
 * Sends events Pulse cannot accept to the dead-letter topic, with the reason and the stage in
 * headers, and counts them ({@code pulse_dead_letters_total{stage}}). Awaits the broker's
 * acknowledgement: a dead letter is data too, and must not be lost silently. One Kafka refuses for its
 * size is sent again with its first {@value #STUB_CHARS} characters (the original length in
 * {@value #TRUNCATED_FROM_CHARS}), so that the record behind it is not held up.
 */
@ApplicationScoped
public class WikimediaDeadLetters {

    /** Kafka's default request limit is 1 MB: keep a bounded prefix of a huge event, flagged in a header. */
    static final int MAX_VALUE_CHARS = 256 * 1024;
    /** What is kept of a dead letter's value, key, reason and SSE id when Kafka refuses the whole of it. */
    static final int STUB_CHARS = 1024;
    static final String TRUNCATED_FROM_CHARS = "pulse-dlq-truncated-from-chars";
    /** Where an event can be refused: read off the feed, or read off Kafka by the aggregator. */
    public static final String INGEST = "ingest";
    public static final String AGGREGATE = "aggregate";
    static final List<String> STAGES = List.of(INGEST, AGGREGATE);
    private static final Logger LOG = Logger.getLogger(WikimediaDeadLetters.class);

    private final MutinyEmitter<String> emitter;
    private final MeterRegistry registry;

    @Inject
    public WikimediaDeadLetters(@Channel(WikimediaChannels.DEAD_LETTERS) MutinyEmitter<String> emitter,
            MeterRegistry registry) {
        this.emitter = emitter;
        this.registry = registry;
    }

    /**
     * Every stage's counter exists, at 0, from the start: a series that appears only with the first dead letter
     * cannot be alerted on by its rate, and "no series" reads as "not scraped" on a dashboard.
     */
    void registerCounters(@Observes StartupEvent started) {
        for (String stage : STAGES) {
            counter(stage);
        }
    }

    public Uni<Void> send(String stage, String key, String value, String reason, String sseId) {
        String payload = value == null ? "" : value;
        return sendOnce(stage, key, payload, reason, sseId, MAX_VALUE_CHARS)
                // The dead-letter topic may take less than the events topic (its own max.message.bytes):
                // sending the same record again would stall the partition or the feed behind it for good.
                .onFailure(WikimediaDeadLetters::tooLarge).recoverWithUni(refusal -> {
                    LOG.warnf("Kafka refused a dead letter of %d chars at %s for its size (%s): sending its first %d chars",
                            payload.length(), stage, refusal.toString(), STUB_CHARS);
                    return sendOnce(stage, prefix(key), payload, prefix(reason), prefix(sseId), STUB_CHARS);
                })
                .invoke(() -> counter(stage).increment());
    }

    private Counter counter(String stage) {
        return registry.counter("pulse.dead.letters", "source", "wikimedia", "stage", stage);
    }

    private Uni<Void> sendOnce(String stage, String key, String payload, String reason, String sseId, int maxChars) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(PulseHeaders.REASON, bytes(reason));
        headers.add(PulseHeaders.STAGE, bytes(stage));
        if (sseId != null) {
            headers.add(PulseHeaders.SSE_ID, bytes(sseId));
        }
        String kept = payload;
        if (payload.length() > maxChars) {
            headers.add(TRUNCATED_FROM_CHARS, bytes(Integer.toString(payload.length())));
            kept = payload.substring(0, maxChars);
        }
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String> builder()
                .withKey(key).withHeaders(headers).build();
        LOG.debugf("dead-lettering at %s: %s", stage, reason);
        return emitter.sendMessage(Message.of(kept).addMetadata(metadata));
    }

    static boolean tooLarge(Throwable failure) {
        return Causes.any(failure, RecordTooLargeException.class);
    }

    private static String prefix(String s) {
        return s == null || s.length() <= STUB_CHARS ? s : s.substring(0, STUB_CHARS);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
