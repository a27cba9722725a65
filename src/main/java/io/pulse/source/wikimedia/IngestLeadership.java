package io.pulse.source.wikimedia;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.interceptor.Interceptor;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaConsumerRebalanceListener;

/**
 * Elects the one replica that reads the Wikimedia feed, so that replicas run with the same settings
 * publish each event once: every replica with the ingest enabled joins the consumer group of
 * {@code pulse.ingest.leader}, and the member assigned its partition 0 leads. Kafka's group
 * coordinator does the election, so it needs nothing PostgreSQL or Kafka do not already provide, and a
 * database outage does not stop a running ingest (one that starts meanwhile waits for its resume
 * position, which the database holds).
 * <p>
 * The assignment is cooperative and sticky ({@code CooperativeStickyAssignor}): a replica that joins
 * or leaves does not move partition 0, so the leader keeps reading through scale-outs and rolling
 * updates (the eager assignment used before stopped and restarted it at every join). When partition 0
 * does move, its holder gives it up first, in a rebalance of its own, so the leader has stopped
 * (in-flight events acknowledged, position persisted) before another is given it; that one resumes from
 * that position and drops what the feed sends again
 * ({@link WikimediaIngest#start}). A leader that dies holds its partition until its session times out;
 * then another replica takes over from the last persisted position.
 * <p>
 * A leader that was only cut off (a long pause, a partitioned host) goes on reading until its consumer
 * hears it was replaced; the successor's Kafka transactions fence it meanwhile, so what it publishes
 * then is never read ({@link io.pulse.ingest.TransactionalSending}).
 */
@ApplicationScoped
@Identifier(IngestLeadership.NAME)
public class IngestLeadership implements KafkaConsumerRebalanceListener {

    public static final String NAME = "pulse-ingest-leadership";
    private static final Logger LOG = Logger.getLogger(IngestLeadership.class);

    private final Feed ingest;
    private final boolean electionApplies;
    private final AtomicBoolean leading = new AtomicBoolean();
    private final Duration recheckAfter;
    /** Whether the application has started: an assignment may come first, and the ingest's channels need it. */
    private boolean started;

    /** What the election starts and stops: the feed's reading ({@link WikimediaIngest}). */
    interface Feed {
        void start();

        /**
         * Returns once the feed has stopped (in-flight events acknowledged, position persisted unless another replica
         * was elected since: the checkpoint's leader term keeps its newer one).
         */
        void stop();

        boolean running();
    }

    @Inject
    public IngestLeadership(WikimediaIngest ingest, WikimediaConfig config, MeterRegistry registry,
            @ConfigProperty(name = "mp.messaging.incoming." + WikimediaChannels.INGEST_LEADER + ".session.timeout.ms",
                    defaultValue = "45000") long sessionTimeoutMs) {
        this(ingest, config.enabled() && config.ingest().leaderElection(), registry, sessionTimeoutMs);
    }

    IngestLeadership(Feed ingest, boolean electionApplies, MeterRegistry registry, long sessionTimeoutMs) {
        this.ingest = ingest;
        this.electionApplies = electionApplies;
        // By then a replaced leader's consumer has heard of it (it heartbeats several times a session).
        this.recheckAfter = Duration.ofMillis(sessionTimeoutMs).multipliedBy(3).dividedBy(2);
        Gauge.builder("pulse.ingest.leader", leading, l -> l.get() ? 1 : 0)
                .description("1 while this replica is the one reading the Wikimedia feed")
                .register(registry);
    }

    /** The election's topic carries no records: what counts is which consumer holds its partition 0. */
    @Incoming(WikimediaChannels.INGEST_LEADER)
    public void ignore(byte[] record) {
    }

    synchronized void onStart(@Observes StartupEvent event) {
        started = true;
        if (leading.get()) {
            ingest.start();
        }
    }

    // On the consumer's polling thread, where blocking is allowed: stopping waits for in-flight sends.
    @Override
    public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        if (electionApplies && holdsToken(partitions) && leading.compareAndSet(false, true)) {
            LOG.info("This replica now reads the Wikimedia feed (elected ingest leader)");
            synchronized (this) {
                if (started) {
                    ingest.start();
                }
            }
        }
    }

    @Override
    public void onPartitionsRevoked(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        stepDown(partitions, "revoked");
    }

    @Override
    public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
        stepDown(partitions, "lost"); // the session expired: another replica may be elected already
    }

    /**
     * The ingest stopped because another producer took the transactional id. Usually a successor was
     * elected and this replica hears of it at its next poll. If after a session it still holds the token,
     * nobody replaced it (Kafka aborted a transaction it had timed out, say): it reads the feed again.
     */
    void onFenced(@Observes WikimediaIngest.Fenced fenced) {
        Uni.createFrom().voidItem().onItem().delayIt().by(recheckAfter)
                .subscribe().with(ignored -> recheck());
    }

    synchronized void recheck() {
        if (started && leading.get() && !ingest.running()) {
            LOG.warn("Still the elected ingest leader after being fenced: reading the feed again");
            ingest.start();
        }
    }

    /** Before the ingest stops at shutdown ({@link WikimediaIngest}'s observer): a late recheck must not start it again. */
    synchronized void onShutdown(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) ShutdownEvent event) {
        started = false;
    }

    // Under the lock of the fenced leader's recheck: else the recheck, having seen this replica lead, could
    // start the feed just after this stopped it, and read it until the real leader fenced it again.
    private synchronized void stepDown(Collection<TopicPartition> partitions, String how) {
        if (holdsToken(partitions) && leading.compareAndSet(true, false)) {
            LOG.infof("Leadership of the Wikimedia ingest %s: stopping the feed", how);
            ingest.stop();
        }
    }

    private static boolean holdsToken(Collection<TopicPartition> partitions) {
        return partitions.stream().anyMatch(tp -> tp.partition() == 0);
    }
}
