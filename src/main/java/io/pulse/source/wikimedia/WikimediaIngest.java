package io.pulse.source.wikimedia;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.pulse.config.KafkaClients;
import io.pulse.ingest.BoundedSends;
import io.pulse.ingest.KafkaBatchSender;
import io.pulse.ingest.PublishedTail;
import io.pulse.ingest.PulseHeaders;
import io.pulse.ingest.ReadGate;
import io.pulse.ingest.RecentIds;
import io.pulse.ingest.ResilientSseStream;
import io.pulse.ingest.ResumeTracker;
import io.pulse.ingest.SettleWatch;
import io.pulse.ingest.SseConnector;
import io.pulse.ingest.SseEvent;
import io.pulse.ingest.SseSettings;
import io.pulse.ingest.TransactionalSending;
import io.pulse.schedule.FailureRun;
import io.pulse.schedule.Periodic;
import io.pulse.store.IngestCheckpointStore;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.Cancellable;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpClient;

/**
 * Wikimedia recentchange feed → Kafka. Reads the SSE feed from the persisted resume position,
 * drops canaries, filtered and re-delivered events, dead-letters what does not parse, and publishes
 * each accepted event unchanged, keyed by page: the events of one read together
 * ({@link KafkaBatchSender}). Up to {@code max-in-flight} reads await their acknowledgements;
 * beyond that the stream stops reading and TCP pushes back on the server.
 * <p>
 * With the election, the leader publishes in Kafka transactions whose id is the election's group
 * ({@link TransactionalSending}): it fences its predecessor before it reads back what that one
 * published, and is fenced in turn by its successor.
 */
@ApplicationScoped
public class WikimediaIngest implements IngestLeadership.Feed {

    public static final String SOURCE = "wikimedia";
    private static final Logger LOG = Logger.getLogger(WikimediaIngest.class);
    private static final Duration RETRY_MAX = Duration.ofSeconds(30);

    private final WikimediaConfig config;
    private final RecentChangeParser parser;
    private final RecentChangeFilter filter;
    private final KafkaClientService kafka;
    private final WikimediaDeadLetters deadLetters;
    private final IngestCheckpointStore checkpoints;
    private final MeterRegistry registry;
    private final Vertx vertx;
    private final ResumeTracker tracker = new ResumeTracker();
    private final SettleWatch settling = new SettleWatch();
    private final Map<String, Counter> outcomes = new ConcurrentHashMap<>();
    private final PublishedTail publishedTail;
    /** This feed's {@link PulseHeaders#STREAM} value: its checkpoint's key. */
    private final byte[] streamTag;
    private final String eventsTopic;
    private final Map<String, Object> producerSettings;
    private final Event<Fenced> fencedEvents;
    /** The election's group: one per deployment, so candidates share it and deployments do not. */
    private final String transactionalId;
    private volatile RecentIds recentIds;
    private volatile ResilientSseStream stream;
    private volatile Cancellable subscription;
    private volatile Cancellable checkpointTicker;
    /** Counts the runs (starts): a run's fenced callback acts only while that run goes (guarded by this). */
    private long runs;
    private volatile HttpClient http;
    private volatile KafkaBatchSender<String, String> sender;
    private volatile TransactionalSending<String, String> transactions;
    private volatile Counter published;
    private volatile IngestCheckpointStore.Position savedPosition;
    /**
     * The elected leader's term of the checkpoint row, taken as this run starts ({@link IngestCheckpointStore#claimTerm}):
     * its saves change the position only while no replica elected since took a newer one. Null without the election.
     */
    private volatile Long term;
    /**
     * The periodic saves' failures, the first of a run a WARN: silent, the resume position stopped moving for up to
     * max-unsaved events (hours of the feed) before the pause said anything, and a restart meanwhile reads all of
     * them back.
     */
    private final FailureRun saveFailures = new FailureRun(LOG, "save the ingest checkpoint", () -> " (the position stays at "
            + (savedPosition == null ? "the last one saved" : savedPosition.lastEventId()) + ")");
    /**
     * Whether the tracker holds this run's position: from the resume on, until the stop. Before it, the tracker
     * and {@link #savedPosition} still hold an earlier run's; saved then, an old term's position (its own last
     * save failed) went over the checkpoint a successor had moved on since.
     */
    private volatile boolean resumed;
    /** How many events {@link #savedPosition} covers ({@link ResumeTracker.Checkpoint#covered()}). */
    private volatile long savedCovered;
    /**
     * No read is handled while {@code max-unsettled} events are not yet behind the resume position: one event
     * that cannot settle (a dead letter the dead-letter topic keeps refusing) must stop the feed, as a Kafka
     * outage does, not let the tracker keep every later event until the heap ends. Nor while
     * {@code max-unsaved} events are past the saved checkpoint: a restart reads all of them back into memory.
     */
    private final ReadGate gate;

    @Inject
    public WikimediaIngest(WikimediaConfig config, RecentChangeParser parser,
            KafkaClientService kafka,
            // Unused, but without an upstream SmallRye reports the channel as unconnected at every start; the
            // records go out a read at a time (KafkaBatchSender): through the elected leader's transactions,
            // or without the election through the channel's own producer.
            @Channel(WikimediaChannels.EVENTS_OUT) MutinyEmitter<String> channelUpstream,
            WikimediaDeadLetters deadLetters, IngestCheckpointStore checkpoints, MeterRegistry registry, Vertx vertx,
            @Identifier("default-kafka-broker") Map<String, Object> kafkaSettings, Config mpConfig,
            @ConfigProperty(name = "mp.messaging.outgoing." + WikimediaChannels.EVENTS_OUT + ".topic") String eventsTopic,
            @ConfigProperty(name = "mp.messaging.incoming." + WikimediaChannels.INGEST_LEADER + ".group.id") String election,
            Event<Fenced> fencedEvents) {
        this.config = config;
        this.parser = parser;
        this.filter = RecentChangeFilter.from(config.filter());
        this.kafka = kafka;
        this.deadLetters = deadLetters;
        this.checkpoints = checkpoints;
        this.registry = registry;
        this.vertx = vertx;
        this.publishedTail = new PublishedTail(kafkaSettings, config.ingest().readBackTimeout(),
                config.ingest().resumeMargin());
        this.streamTag = checkpointKey(config.url()).getBytes(StandardCharsets.UTF_8);
        this.eventsTopic = eventsTopic;
        this.producerSettings = KafkaClients.producerSettings(kafkaSettings, mpConfig, WikimediaChannels.EVENTS_OUT);
        this.transactionalId = election;
        this.fencedEvents = fencedEvents;
        this.gate = new ReadGate(this::roomForReads, Duration.ofMillis(100),
                () -> LOG.warn("Ingest paused: " + pauseReason()),
                () -> LOG.infof("Ingest resumed: the resume position moved to %s", tracker.position()));
    }

    void onStart(@Observes StartupEvent event) {
        // With leader election the ingest starts once this replica is elected (IngestLeadership).
        if (config.enabled() && !config.ingest().leaderElection()) {
            start();
        }
    }

    void onStop(@Observes ShutdownEvent event) {
        stop();
    }

    @Override
    public synchronized void start() {
        if (subscription != null) {
            return;
        }
        runs++;
        settling.reset(); // not stalled by the last run's wait
        resumed = false;
        saveFailures.reset(); // a run's first failing save is a WARN
        SseSettings settings = new SseSettings(config.userAgent(), config.connection().connectTimeout(),
                config.connection().idleTimeout(), config.limits().maxEventBytes(),
                config.connection().initialBackoff(), config.connection().maxBackoff(), config.connection().jitter());
        // 64 KB HTTP chunks instead of Vert.x's 8 KB: a busy feed's burst arrives as one read, published at once.
        http = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(2).setKeepAlive(false)
                .setTryUseCompression(true).setMaxChunkSize(64 * 1024));
        // Without the election every replica reads the feed: nobody to fence.
        transactions = config.ingest().leaderElection() && config.ingest().fencing()
                ? FeedSending.transactional(producerSettings, transactionalId, config.ingest().commitInterval(),
                        fencedCallback(), registry)
                : null;
        sender = new KafkaBatchSender<>(transactions != null ? transactions : FeedSending.channel(kafka),
                Duration.ofMillis(500), RETRY_MAX);
        published = counter("published");
        stream = new ResilientSseStream(new SseConnector(http, settings), config.url(), settings, new ResumeByTime());
        LOG.infof("Wikimedia ingest reading %s", config.url());
        unidentified(config.url(), config.userAgent()).ifPresent(LOG::warn);
        // The predecessor is fenced first: what it published is final before the read-back below.
        Uni<Void> fencing = transactions == null ? Uni.createFrom().voidItem() : transactions.fencePredecessor()
                .onFailure().invoke(f -> LOG.warnf("Cannot open the ingest's Kafka transactions yet: %s", f.toString()))
                .onFailure(f -> !(f instanceof TransactionalSending.FencedException))
                .retry().withBackOff(Duration.ofSeconds(1), RETRY_MAX).indefinitely();
        String key = checkpointKey(config.url());
        // The term before the load: a predecessor's last save (its stop) either came first, and is loaded, or is refused.
        Uni<Void> claim = !config.ingest().leaderElection() ? Uni.createFrom().voidItem()
                : checkpoints.claimTerm(key).invoke(t -> term = t).replaceWithVoid();
        subscription = fencing.chain(() -> claim).chain(() -> checkpoints.load(key)
                        .chain(checkpoint -> checkpoints.othersRuns(key).map(others -> new Loaded(checkpoint, others))))
                .onFailure().invoke(f -> LOG.warnf("Cannot read the ingest checkpoint yet: %s", f.toString()))
                .onFailure().retry().withBackOff(Duration.ofSeconds(1), RETRY_MAX).indefinitely()
                .onItem().transformToUni(this::recover)
                .onFailure().invoke(f -> LOG.warnf("Cannot read back the events topic yet: %s", f.toString()))
                .onFailure().retry().withBackOff(Duration.ofSeconds(1), RETRY_MAX).indefinitely()
                // Before the first record: another feed's read-back will skip from here to this run's saved prefix.
                .call(recovered -> checkpoints.startRun(key, recovered.scan().ends())
                        .onFailure().invoke(f -> LOG.warnf("Cannot record the ingest run's start yet: %s", f.toString()))
                        .onFailure().retry().withBackOff(Duration.ofSeconds(1), RETRY_MAX).indefinitely())
                .onItem().transformToMulti(this::resumeFrom)
                // Through the gate in arrival order: handle() numbers a read's events in the resume tracker, and
                // a read numbered before an earlier one would let the position pass events not yet in Kafka.
                .onItem().transformToUni(read -> gate.pass().chain(() -> handle(read)))
                .merge(config.ingest().maxInFlight())
                .subscribe().with(done -> { }, failure -> LOG.error("Wikimedia ingest stopped", failure));
        // No deadline: a save given up while its statement still runs would race the next one, and could write the
        // older position after it.
        checkpointTicker = Periodic.every(config.ingest().checkpointInterval(), this::saveCheckpoint, failure -> {
            if (failure instanceof IngestCheckpointStore.Superseded refusal) {
                superseded(refusal);
            } else {
                saveFailures.failed(failure);
            }
        });
    }

    private boolean roomForReads() {
        return tracker.unsettled() < Math.max(1, config.ingest().maxUnsettled())
                && tracker.begunBeyond(savedCovered) < Math.max(1, config.ingest().maxUnsaved());
    }

    private String pauseReason() {
        long unsettled = tracker.unsettled();
        return unsettled >= config.ingest().maxUnsettled()
                ? unsettled + " events received are not settled behind the resume position " + tracker.position()
                        + " (an event still waits for Kafka; pulse.wikimedia.ingest.max-unsettled)"
                : tracker.begunBeyond(savedCovered) + " events received since the last checkpoint saved (" + unsettled
                        + " of them not settled yet; saves failing: the database away?); it goes on once one succeeds"
                        + " (pulse.wikimedia.ingest.max-unsaved)";
    }

    /** The project's own contact, which pulse.contact falls back to when PULSE_CONTACT is not set. */
    static final String PROJECT_CONTACT = "(https://github.com/pulse-analytics/pulse)";

    /**
     * A warning when a feed other than a local one is read with the project's contact in the
     * User-Agent: Wikimedia asks each client for its operator's contact, and blocks by agent.
     */
    static Optional<String> unidentified(URI url, String userAgent) {
        String host = url.getHost() == null ? "" : url.getHost();
        boolean local = host.equals("localhost") || host.startsWith("127.") || host.equals("[::1]") || host.equals("::1");
        return local || !userAgent.contains(PROJECT_CONTACT) ? Optional.empty()
                : Optional.of("PULSE_CONTACT is not set: " + host + " is told the project's contact in the User-Agent"
                        + " (" + userAgent + "). Set it to your own URL or e-mail: Wikimedia blocks misbehaving clients"
                        + " by User-Agent, and would block every deployment that shares it.");
    }

    /**
     * Stops reading, lets in-flight sends finish, and persists the final position (refused by the checkpoint row when
     * another replica was elected since: its position is newer).
     */
    @Override
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
        if (transactions != null) {
            transactions.close(); // commits what is open: those events count in the position saved below
            transactions = null;
        }
        try {
            saveCheckpoint().await().atMost(Duration.ofSeconds(5));
        } catch (IngestCheckpointStore.Superseded e) {
            LOG.infof("The final ingest position is left to the replica elected since: %s", e.getMessage());
        } catch (RuntimeException e) {
            LOG.warnf("Could not persist the final ingest position: %s", e.toString());
        }
        resumed = false;
        term = null;
        subscription = null;
        http.closeAndForget();
    }

    /**
     * What this run does once its producer is fenced: another replica was elected and took the transactional id, so
     * it stops before the election says so. The callback comes on a thread of its own, and may come late: once this
     * run was stopped, and the next one started, it would have stopped that one.
     */
    synchronized Runnable fencedCallback() {
        long run = runs;
        return () -> fenced(run);
    }

    private synchronized void fenced(long run) {
        if (run != runs || subscription == null) {
            LOG.debug("The fencing of an ingest run stopped since came late: nothing to stop");
            return;
        }
        LOG.warn("Stopping the ingest: this one was fenced (another replica was elected, usually)");
        stopAndRecheck();
    }

    /** A save refused: another replica took a newer term of the checkpoint (elected, usually). */
    private void superseded(IngestCheckpointStore.Superseded refusal) {
        LOG.warnf("Stopping the ingest: %s", refusal.getMessage());
        // Not on the save's own thread (an event loop): the stop waits for in-flight sends and commits.
        Infrastructure.getDefaultWorkerPool().execute(() -> {
            synchronized (this) {
                if (term == null || term != refusal.term()) {
                    return; // stopped meanwhile, and maybe started again in a term of its own
                }
                stopAndRecheck();
            }
        });
    }

    private void stopAndRecheck() {
        stop();
        fencedEvents.fire(new Fenced());
    }

    /**
     * Fired once the ingest has stopped because it was fenced, or its checkpoint term taken ({@link IngestLeadership}
     * checks the election again).
     */
    public record Fenced() {
    }

    public String position() {
        return tracker.position();
    }

    /** Whether the ingest is started (here, or where the election made this replica the one to read the feed). */
    @Override
    public boolean running() {
        return subscription != null;
    }

    public boolean connected() {
        return stream != null && stream.connected();
    }

    /**
     * How long events have waited without the resume position moving (zero while none waits, or before this run has
     * resumed: the tracker holds the last run's events until then).
     */
    public Duration stalledFor() {
        return running() && resumed ? settling.stalledFor(tracker.unsettled(), tracker.covered(), System.nanoTime()) : Duration.ZERO;
    }

    public long reconnects() {
        return stream == null ? 0 : stream.reconnects();
    }

    /**
     * Reads back the events the previous run published after its checkpoint (it may have been
     * killed before recording them): the feed will send them again and they must be dropped.
     */
    private Uni<Recovered> recover(Loaded loaded) {
        Map<Integer, List<PublishedTail.Skip>> skip = new HashMap<>();
        loaded.othersRuns().forEach((partition, ranges) -> skip.put(partition,
                ranges.stream().map(r -> new PublishedTail.Skip(r.from(), r.to())).toList()));
        return Uni.createFrom().item(() -> {
            PublishedTail.Scan scan = publishedTail.eventIdsAfter(eventsTopic, loaded.checkpoint().kafkaPositions(),
                    loaded.checkpoint().runStartPositions(), checkpointKey(config.url()), skip);
            registry.counter("pulse.ingest.read.back.records", "source", SOURCE).increment(scan.recordsRead());
            return new Recovered(loaded.checkpoint(), scan);
        }).runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
    }

    /** This feed's checkpoint, and the ranges of the topic the other feeds' latest runs alone wrote. */
    private record Loaded(IngestCheckpointStore.Position checkpoint,
            Map<Integer, List<IngestCheckpointStore.OffsetRange>> othersRuns) {
    }

    private record Recovered(IngestCheckpointStore.Position checkpoint, PublishedTail.Scan scan) {
    }

    private Multi<List<SseEvent>> resumeFrom(Recovered recovered) {
        String position = recovered.checkpoint().lastEventId();
        recentIds = RecentIds.seededWith(recovered.scan().eventIds(), config.ingest().dedupCapacity());
        // The checkpoint's own offsets, not the topic's ends: until this run's position passes the tail the
        // last run published after that id, a checkpoint saved now must still cover the tail, or the run
        // after a second failover would read back from the ends and publish that tail again.
        tracker.resetTo(position, recovered.checkpoint().kafkaPositions());
        savedPosition = new IngestCheckpointStore.Position(position, recovered.checkpoint().kafkaPositions()); // as saved
        savedCovered = tracker.checkpoint().covered();
        resumed = true;
        // The ids are those of the read-back, which starts resume-margin records before the checkpoint: "published after
        // the checkpoint", as this line said, read as events the last run had missed.
        LOG.infof("Wikimedia ingest resuming %s (%d event ids held against duplicates, of %d records read back from"
                + " resume-margin before the checkpoint)", position == null ? "from now" : "after " + position,
                recovered.scan().eventIds().size(), recovered.scan().recordsRead());
        return stream.events(position);
    }

    /**
     * Settles the events of one read: each is published, dead-lettered or counted as dropped, and
     * completes in the resume tracker once that is safely done (for a publish: acknowledged).
     */
    private Uni<Void> handle(List<SseEvent> read) {
        long receivedAt = System.currentTimeMillis();
        List<ProducerRecord<String, String>> records = new ArrayList<>(read.size());
        long[] seqs = new long[read.size()];
        SseEvent[] events = new SseEvent[read.size()];
        List<Uni<Void>> deadLettering = new ArrayList<>(0);
        for (SseEvent event : read) {
            long seq = tracker.begin();
            RecentChange change = accepted(event, seq, deadLettering);
            if (change != null) {
                seqs[records.size()] = seq;
                events[records.size()] = event;
                records.add(record(change, event, receivedAt));
            }
        }
        Uni<Void> sent = sender.send(records, (index, metadata) -> {
            tracker.complete(seqs[index], events[index].id(), metadata.partition(), metadata.offset());
            published.increment();
        }).chain(refused -> refused.isEmpty() ? Uni.createFrom().voidItem() : deadLetterRefused(refused, seqs, events));
        if (deadLettering.isEmpty()) {
            return sent;
        }
        List<Uni<Void>> settling = new ArrayList<>(deadLettering);
        settling.add(sent);
        return BoundedSends.all(settling, settled -> settled); // a read of tiny bad events holds thousands
    }

    /**
     * Events Kafka refuses for good (larger than the topic takes, when {@code max-event-bytes} is set
     * above it): dead-lettered, so that the reads after them are not held up forever.
     */
    private Uni<Void> deadLetterRefused(List<KafkaBatchSender.Refused> refused, long[] seqs, SseEvent[] events) {
        List<Uni<Void>> sends = new ArrayList<>(refused.size());
        for (KafkaBatchSender.Refused r : refused) {
            String reason = "refused by Kafka: " + r.error();
            LOG.warnf("Dead-lettering event %s: %s", events[r.index()].id(), reason);
            sends.add(deadLetter(seqs[r.index()], events[r.index()], reason));
        }
        return BoundedSends.all(sends, send -> send);
    }

    /**
     * @return the change to publish, or null when the event is settled otherwise: dropped (counted
     *         and completed here) or dead-lettered (a send added to {@code deadLettering})
     */
    private RecentChange accepted(SseEvent event, long seq, List<Uni<Void>> deadLettering) {
        if (event.name() != null && !"message".equals(event.name())) {
            return dropped(seq, event, "other-event");
        }
        if (event.isMalformed()) {
            deadLettering.add(deadLetter(seq, event, event.problem()));
            return null;
        }
        if (event.data().isBlank()) {
            // A known quirk of EventStreams (SOURCES.md): nothing was lost, so not a dead letter, which an
            // alert on the dead-letter rate would take for bad input.
            return dropped(seq, event, "empty");
        }
        ParseResult result = parser.parse(event.data());
        if (result instanceof ParseResult.Rejected rejected) {
            deadLettering.add(deadLetter(seq, event, rejected.reason()));
            return null;
        }
        if (result instanceof ParseResult.Ignored ignored) {
            return dropped(seq, event, ignored.outcome());
        }
        RecentChange change = ((ParseResult.Accepted) result).change();
        if (!filter.accepts(change)) {
            return dropped(seq, event, "filtered");
        }
        if (!recentIds.firstSighting(change.eventId())) {
            return dropped(seq, event, "duplicate");
        }
        return change;
    }

    private RecentChange dropped(long seq, SseEvent event, String outcome) {
        counter(outcome).increment();
        tracker.complete(seq, event.id());
        return null;
    }

    private ProducerRecord<String, String> record(RecentChange change, SseEvent event, long receivedAt) {
        RecordHeaders headers = new RecordHeaders();
        headers.add(PulseHeaders.RECEIVED_AT, Long.toString(receivedAt).getBytes(StandardCharsets.US_ASCII));
        headers.add(PulseHeaders.EVENT_ID, change.eventId().getBytes(StandardCharsets.UTF_8));
        if (event.id() != null) {
            headers.add(PulseHeaders.SSE_ID, event.id().getBytes(StandardCharsets.UTF_8));
        }
        headers.add(PulseHeaders.STREAM, streamTag);
        return new ProducerRecord<>(eventsTopic, null, change.partitionKey(), event.data(), headers);
    }

    private Uni<Void> deadLetter(long seq, SseEvent event, String reason) {
        AtomicInteger failedSends = new AtomicInteger();
        return Uni.createFrom()
                .deferred(() -> deadLetters.send(WikimediaDeadLetters.INGEST, SOURCE, event.data(), reason, event.id()))
                // Said once per letter: the resume position waits for it, and the retries are otherwise silent.
                .onFailure().invoke(f -> {
                    if (failedSends.getAndIncrement() == 0) {
                        LOG.warnf("Could not dead-letter event %s yet (the resume position waits for it): %s;"
                                + " trying again until Kafka takes it", event.id(), f.toString());
                    }
                })
                .onFailure().retry().withBackOff(Duration.ofMillis(500), RETRY_MAX).indefinitely()
                .invoke(() -> {
                    if (failedSends.get() > 0) {
                        LOG.infof("Dead-lettered event %s after %d failed sends", event.id(), failedSends.get());
                    }
                    counter("dead-lettered").increment();
                    tracker.complete(seq, event.id());
                });
    }

    private Counter counter(String outcome) {
        // Looked up once per outcome: registry.counter(name, tags) builds an id and hashes it on every call.
        return outcomes.computeIfAbsent(outcome,
                o -> registry.counter("pulse.ingest.events", "source", SOURCE, "outcome", o));
    }

    private Uni<Void> saveCheckpoint() {
        if (!resumed) { // read first: once it is set, the tracker holds this run's position
            return Uni.createFrom().voidItem();
        }
        ResumeTracker.Checkpoint now = tracker.checkpoint();
        IngestCheckpointStore.Position position = new IngestCheckpointStore.Position(now.position(),
                now.kafkaPositions());
        if (position.lastEventId() == null || position.equals(savedPosition)) {
            // Saved already, or nothing to resume from (a feed without ids), whose restart reads back no tail.
            savedCovered = now.covered();
            return Uni.createFrom().voidItem();
        }
        Long current = term;
        if (current == null && config.ingest().leaderElection()) {
            return Uni.createFrom().voidItem(); // stopped meanwhile: never a save that ignores the term
        }
        String key = checkpointKey(config.url());
        return (current == null ? checkpoints.save(key, position) : checkpoints.save(key, position, current)).invoke(() -> {
            savedPosition = position;
            savedCovered = now.covered();
            saves("saved").increment();
            saveFailures.succeeded();
        }).onFailure().invoke(f -> saves(f instanceof IngestCheckpointStore.Superseded ? "superseded" : "failed").increment());
    }

    private Counter saves(String outcome) {
        return registry.counter("pulse.ingest.checkpoint.saves", "source", SOURCE, "outcome", outcome);
    }

    /**
     * Where the resume position of a feed is kept: one per stream (the URL's path, whatever host and
     * port serve it). One for every stream sent the bundled recording's id to Wikimedia, which answers
     * 404 to a topic it does not have, for good; and Wikimedia's id made the recording start over.
     */
    public static String checkpointKey(URI url) {
        String path = url.getPath();
        return SOURCE + ":" + (path == null || path.isEmpty() ? "/" : path);
    }
}
