package io.pulse.source.wikimedia;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.eclipse.microprofile.reactive.messaging.OnOverflow;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.MeterRegistry;
import io.pulse.ingest.PulseHeaders;
import io.pulse.ingest.RecentIds;
import io.pulse.ingest.ResilientSseStream;
import io.pulse.ingest.ResumeTracker;
import io.pulse.ingest.SseConnector;
import io.pulse.ingest.SseEvent;
import io.pulse.ingest.SseSettings;
import io.pulse.store.IngestCheckpointStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.mutiny.core.Vertx;

/**
 * Wikimedia recentchange feed → Kafka. Reads the SSE feed from the persisted resume position,
 * drops canaries, filtered and re-delivered events, dead-letters what does not parse, and publishes
 * each accepted event unchanged, keyed by page. Up to {@code max-in-flight} sends await their
 * acknowledgement; beyond that the stream stops reading and TCP pushes back on the server.
 */
@ApplicationScoped
public class WikimediaIngest {

    public static final String SOURCE = "wikimedia";
    private static final Logger LOG = Logger.getLogger(WikimediaIngest.class);
    private static final Duration RETRY_MAX = Duration.ofSeconds(30);

    private final WikimediaConfig config;
    private final RecentChangeParser parser;
    private final RecentChangeFilter filter;
    private final MutinyEmitter<String> events;
    private final WikimediaDeadLetters deadLetters;
    private final IngestCheckpointStore checkpoints;
    private final MeterRegistry registry;
    private final Vertx vertx;
    private final ResumeTracker tracker = new ResumeTracker();
    private final RecentIds recentIds;
    private volatile ResilientSseStream stream;
    private volatile Cancellable subscription;
    private volatile Cancellable checkpointTicker;
    private volatile String savedPosition;

    @Inject
    public WikimediaIngest(WikimediaConfig config, RecentChangeParser parser,
            @Channel(WikimediaChannels.EVENTS_OUT) @OnOverflow(value = OnOverflow.Strategy.BUFFER, bufferSize = 4096)
            MutinyEmitter<String> events,
            WikimediaDeadLetters deadLetters, IngestCheckpointStore checkpoints, MeterRegistry registry, Vertx vertx) {
        this.config = config;
        this.parser = parser;
        this.filter = RecentChangeFilter.from(config.filter());
        this.events = events;
        this.deadLetters = deadLetters;
        this.checkpoints = checkpoints;
        this.registry = registry;
        this.vertx = vertx;
        this.recentIds = new RecentIds(config.ingest().dedupCapacity());
    }

    void onStart(@Observes StartupEvent event) {
        if (config.enabled()) {
            start();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    public synchronized void start() {
        if (subscription != null) {
            return;
        }
        SseSettings settings = new SseSettings(config.userAgent(), config.connection().connectTimeout(),
                config.connection().idleTimeout(), config.limits().maxEventBytes(),
                config.connection().initialBackoff(), config.connection().maxBackoff(), config.connection().jitter());
        var http = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(2).setKeepAlive(false)
                .setTryUseCompression(true));
        stream = new ResilientSseStream(new SseConnector(http, settings), config.url(), settings);
        LOG.infof("Wikimedia ingest reading %s", config.url());
        subscription = checkpoints.load(SOURCE)
                .onFailure().invoke(f -> LOG.warnf("Cannot read the ingest checkpoint yet: %s", f.toString()))
                .onFailure().retry().withBackOff(Duration.ofSeconds(1), RETRY_MAX).indefinitely()
                .onItem().transformToMulti(this::resumeFrom)
                .onItem().transformToUni(event -> {
                    long seq = tracker.begin();
                    return handle(event).invoke(() -> tracker.complete(seq, event.id()));
                }).merge(config.ingest().maxInFlight())
                .subscribe().with(done -> { }, failure -> LOG.error("Wikimedia ingest stopped", failure));
        checkpointTicker = Multi.createFrom().ticks().every(config.ingest().checkpointInterval())
                .onOverflow().drop()
                .onItem().transformToUniAndConcatenate(tick -> saveCheckpoint().onFailure().recoverWithNull())
                .subscribe().with(x -> { });
    }

    /** Stops reading, lets in-flight sends finish, and persists the final position. */
    public synchronized void stop() {
        if (subscription == null) {
            return;
        }
        subscription.cancel();
        checkpointTicker.cancel();
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (tracker.inFlight() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10); // shutdown thread, bounded: let acknowledgements arrive
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        try {
            saveCheckpoint().await().atMost(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.warnf("Could not persist the final ingest position: %s", e.toString());
        }
        subscription = null;
    }

    public String position() {
        return tracker.position();
    }

    public boolean connected() {
        return stream != null && stream.connected();
    }

    public long reconnects() {
        return stream == null ? 0 : stream.reconnects();
    }

    private Multi<SseEvent> resumeFrom(Optional<String> checkpoint) {
        String position = checkpoint.orElse(null);
        tracker.resetTo(position);
        savedPosition = position;
        LOG.infof("Wikimedia ingest resuming %s", position == null ? "from now" : "after " + position);
        return stream.events(position);
    }

    private Uni<Void> handle(SseEvent event) {
        long receivedAt = System.currentTimeMillis();
        if (event.name() != null && !"message".equals(event.name())) {
            return count("other-event");
        }
        if (event.isMalformed()) {
            return deadLetter(event, event.problem());
        }
        ParseResult result = parser.parse(event.data());
        if (result instanceof ParseResult.Rejected rejected) {
            return deadLetter(event, rejected.reason());
        }
        if (result instanceof ParseResult.Ignored) {
            return count("canary");
        }
        RecentChange change = ((ParseResult.Accepted) result).change();
        if (!filter.accepts(change)) {
            return count("filtered");
        }
        if (!recentIds.firstSighting(change.eventId())) {
            return count("duplicate");
        }
        return publish(change, event, receivedAt);
    }

    private Uni<Void> publish(RecentChange change, SseEvent event, long receivedAt) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(PulseHeaders.RECEIVED_AT, Long.toString(receivedAt).getBytes(StandardCharsets.US_ASCII));
        headers.add(PulseHeaders.EVENT_ID, change.eventId().getBytes(StandardCharsets.UTF_8));
        if (event.id() != null) {
            headers.add(PulseHeaders.SSE_ID, event.id().getBytes(StandardCharsets.UTF_8));
        }
        OutgoingKafkaRecordMetadata<String> metadata = OutgoingKafkaRecordMetadata.<String> builder()
                .withKey(change.partitionKey()).withHeaders(headers).build();
        return Uni.createFrom().deferred(() -> events.sendMessage(Message.of(event.data()).addMetadata(metadata)))
                .onFailure().invoke(f -> LOG.warnf("Publishing to Kafka failed, retrying: %s", f.toString()))
                .onFailure().retry().withBackOff(Duration.ofMillis(500), RETRY_MAX).indefinitely()
                .chain(() -> count("published"));
    }

    private Uni<Void> deadLetter(SseEvent event, String reason) {
        return Uni.createFrom().deferred(() -> deadLetters.send("ingest", SOURCE, event.data(), reason, event.id()))
                .onFailure().retry().withBackOff(Duration.ofMillis(500), RETRY_MAX).indefinitely()
                .chain(() -> count("dead-lettered"));
    }

    private Uni<Void> count(String outcome) {
        registry.counter("pulse.ingest.events", "source", SOURCE, "outcome", outcome).increment();
        return Uni.createFrom().voidItem();
    }

    private Uni<Void> saveCheckpoint() {
        String position = tracker.position();
        if (position == null || position.equals(savedPosition)) {
            return Uni.createFrom().voidItem();
        }
        return checkpoints.save(SOURCE, position).invoke(() -> savedPosition = position);
    }
}
