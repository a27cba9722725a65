package io.pulse.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

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
        checking = check(this::admin, channels, settings.createMissingTopics(), Duration.ofSeconds(1))
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                // On a worker: the admin client's own thread completes the check, and cannot close itself.
                .emitOn(Infrastructure.getDefaultWorkerPool())
                .eventually(this::closeAdmin)
                .subscribe().with(report -> { }, f -> LOG.errorf(f, "The Kafka topics check stopped"));
    }

    /**
     * The check, run again after a back-off (from {@code firstBackOff} to a minute) until Kafka answers, and while a
     * problem may pass ({@link TopicCheck.Report#again}); each report is logged. The last report.
     */
    static Uni<TopicCheck.Report> check(Supplier<Admin> admin, List<ChannelTopic> channels, boolean create,
            Duration firstBackOff) {
        return Uni.createFrom().deferred(() -> TopicCheck.run(admin.get(), channels, create, KafkaTopics::created))
                .invoke(KafkaTopics::log)
                .onItem().transformToUni(report -> report.again() ? Uni.createFrom().<TopicCheck.Report> failure(new CheckAgain())
                        : Uni.createFrom().item(report))
                .onFailure(f -> !(f instanceof CheckAgain))
                .invoke(f -> LOG.warnf("Cannot check the Kafka topics yet: %s", f.toString()))
                .onFailure().retry().withBackOff(firstBackOff, Duration.ofMinutes(1)).indefinitely();
    }

    /** A report whose problems may pass: logged already. */
    private static final class CheckAgain extends RuntimeException {
        CheckAgain() {
            super("check again", null, false, false);
        }
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = KafkaClients.admin(kafka, "pulse-topics", TIMEOUT);
        }
        return admin;
    }

    /** Said as the topic is created, not with the report: a check that fails after creating it is run again, and says nothing of it. */
    private static void created(String topic) {
        LOG.infof("Created Kafka topic %s with the brokers' default partitions and replication", topic);
    }

    private static void log(TopicCheck.Report report) {
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
