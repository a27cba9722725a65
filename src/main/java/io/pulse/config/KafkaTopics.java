package io.pulse.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.apache.kafka.clients.admin.Admin;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

import io.quarkus.runtime.StartupEvent;
import io.smallrye.common.annotation.Identifier;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import io.smallrye.mutiny.subscription.Cancellable;

/**
 * Makes sure, at start, that the topics Pulse's Kafka channels name exist and take what Pulse sends:
 * <ul>
 * <li>a missing topic is created with the brokers' defaults, as a broker that creates topics on first
 * use would. Where brokers do not (managed Kafka, usually), a forgotten election topic used to mean
 * that no replica read the feed, and nothing said so;</li>
 * <li>an outgoing channel whose {@code batch.size} is above its topic's {@code max.message.bytes} is
 * an error: Kafka 4.1's producer splits such batches forever and its I/O thread dies (KAFKA-8350).</li>
 * </ul>
 * It runs in the background, again until Kafka answers, and never delays the start ({@link TopicCheck}).
 */
@ApplicationScoped
public class KafkaTopics {

    private static final Logger LOG = Logger.getLogger(KafkaTopics.class);
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Map<String, Object> kafka;
    private final Config config;
    private final KafkaTopicsConfig settings;
    private Admin admin;
    private Cancellable checking;

    public KafkaTopics(@Identifier("default-kafka-broker") Map<String, Object> kafka, Config config,
            KafkaTopicsConfig settings) {
        this.kafka = kafka;
        this.config = config;
        this.settings = settings;
    }

    synchronized void onStart(@Observes StartupEvent event) {
        List<ChannelTopic> channels = ChannelTopic.of(config);
        if (channels.isEmpty()) {
            return;
        }
        // Everything on a worker, the admin client's creation (and class loading) included: not on the start-up path.
        checking = Uni.createFrom().deferred(() -> TopicCheck.run(admin(), channels, settings.createMissingTopics()))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onFailure().invoke(f -> LOG.warnf("Cannot check the Kafka topics yet: %s", f.toString()))
                .onFailure().retry().withBackOff(Duration.ofSeconds(1), Duration.ofMinutes(1)).indefinitely()
                // On a worker: the admin client's own thread completes the check, and cannot close itself.
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .eventually(this::closeAdmin)
                .subscribe().with(KafkaTopics::log, f -> LOG.errorf(f, "The Kafka topics check stopped"));
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = KafkaClients.admin(kafka, "pulse-topics", TIMEOUT);
        }
        return admin;
    }

    private static void log(TopicCheck.Report report) {
        report.created().forEach(t -> LOG.infof("Created Kafka topic %s with the brokers' default partitions and replication", t));
        report.problems().forEach(LOG::error);
    }

    @PreDestroy
    synchronized void close() {
        if (checking != null) {
            checking.cancel();
            checking = null;
        }
        closeAdmin();
    }

    private synchronized void closeAdmin() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
            admin = null;
        }
    }
}
