package io.pulse.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import io.pulse.aggregate.Causes;
import io.smallrye.mutiny.Uni;

/**
 * One check of the channels' topics through an admin client: the missing ones created with the brokers'
 * defaults (or reported, when creating is off), and each outgoing channel's {@code batch.size} compared
 * with its topic's {@code max.message.bytes} (KAFKA-8350). Nothing blocks: Kafka's futures as {@link Uni}s.
 */
public final class TopicCheck {

    /** What a check did: topics it created, and what it found wrong (each an error to log). */
    /** @param again a problem that may pass (a replication factor the brokers cannot reach yet): check again later */
    public record Report(List<String> created, List<String> problems, boolean again) {
        public Report(List<String> created, List<String> problems) {
            this(created, problems, false);
        }
    }

    private TopicCheck() {
    }

    /** Creates what is missing (when {@code create}) and checks each outgoing channel's batch size. */
    public static Uni<Report> run(Admin admin, List<ChannelTopic> channels, boolean create) {
        return run(admin, channels, create, topic -> { });
    }

    /**
     * As {@link #run(Admin, List, boolean)}, telling {@code onCreated} of each topic as soon as it is created: a check
     * that then fails (a topic just created, whose settings no broker can read yet) is run again, finds the topic there,
     * and its report does not say it was created; nothing said so at all.
     */
    public static Uni<Report> run(Admin admin, List<ChannelTopic> channels, boolean create, Consumer<String> onCreated) {
        Set<String> topics = new TreeSet<>();
        channels.forEach(c -> topics.add(c.topic()));
        return uni(admin.listTopics().names())
                .chain(existing -> {
                    List<String> missing = topics.stream().filter(t -> !existing.contains(t)).toList();
                    return create ? create(admin, missing, onCreated) : Uni.createFrom().item(notCreated(missing));
                })
                .chain(created -> batchSizes(admin, channels, created.created())
                        .map(problems -> new Report(created.created(), concat(created.problems(), problems), created.again())));
    }

    private static Uni<Report> create(Admin admin, List<String> missing, Consumer<String> onCreated) {
        if (missing.isEmpty()) {
            return Uni.createFrom().item(new Report(List.of(), List.of()));
        }
        // No partition count or replication factor: the brokers' num.partitions and default.replication.factor.
        Map<String, KafkaFuture<Void>> results = admin.createTopics(missing.stream()
                .map(t -> new NewTopic(t, Optional.empty(), Optional.empty())).toList()).values();
        List<Uni<Report>> each = missing.stream().map(topic -> uni(results.get(topic))
                .invoke(ignored -> onCreated.accept(topic))
                .map(ignored -> new Report(List.of(topic), List.<String> of()))
                // Created meanwhile by another replica, or by a broker that creates topics on first use.
                .onFailure(TopicExistsException.class).recoverWithItem(new Report(List.of(), List.of()))
                // A replication factor the brokers cannot reach now (a broker restarting; or for good: too few brokers
                // for default.replication.factor), which Kafka does not class as retriable: said, and checked again.
                .onFailure(f -> replicationUnreachable(f)).recoverWithItem(f -> new Report(List.of(), List.of(String.format(
                        "Kafka topic %s does not exist and cannot be created now (%s): Pulse does not work without it;"
                                + " tried again after a back-off, or create it (README, \"Kafka topics\")", topic, cause(f))),
                        true))
                // A timeout, no controller yet: the check fails, and is run again after a back-off (KafkaTopics).
                // Reported instead, it was never retried, and the topic stayed missing.
                .onFailure(f -> !retriable(f)).recoverWithItem(f -> new Report(List.of(), List.of(String.format(
                        "Kafka topic %s does not exist and cannot be created (%s): Pulse does not work without it;"
                                + " create it (README, \"Kafka topics\")", topic, cause(f)))))).toList();
        return Uni.join().all(each).andFailFast().map(reports -> new Report(
                reports.stream().flatMap(r -> r.created().stream()).toList(),
                reports.stream().flatMap(r -> r.problems().stream()).toList(),
                reports.stream().anyMatch(Report::again)));
    }

    private static Report notCreated(List<String> missing) {
        return new Report(List.of(), missing.stream().map(topic -> String.format(
                "Kafka topic %s does not exist (pulse.kafka.create-missing-topics=false): Pulse does not work without"
                        + " it unless the brokers create topics on first use; create it (README, \"Kafka topics\")",
                topic)).toList());
    }

    private static Uni<List<String>> batchSizes(Admin admin, List<ChannelTopic> channels, List<String> created) {
        List<ChannelTopic> outgoing = channels.stream().filter(c -> c.batchSize().isPresent()).toList();
        if (outgoing.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        Map<ConfigResource, KafkaFuture<org.apache.kafka.clients.admin.Config>> described = admin.describeConfigs(
                outgoing.stream().map(c -> new ConfigResource(ConfigResource.Type.TOPIC, c.topic())).distinct().toList())
                .values();
        List<Uni<Optional<String>>> each = outgoing.stream().map(c -> uni(
                described.get(new ConfigResource(ConfigResource.Type.TOPIC, c.topic())))
                .map(topicConfig -> tooLarge(c, topicConfig.get(TopicConfig.MAX_MESSAGE_BYTES_CONFIG)))
                // A topic that could not be created: said already (one just created may not be known to every broker
                // yet: checked again). A passing failure fails the check, run again after a back-off; any other is
                // said (it was swallowed, and the check passed unchecked).
                .onFailure(f -> unknownTopic(f) && !created.contains(c.topic())).recoverWithItem(Optional.empty())
                .onFailure(f -> !retriable(f)).recoverWithItem(f -> Optional.of(String.format("Cannot read the settings"
                        + " of Kafka topic %s (%s): whether it takes the batches of channel %s (max.message.bytes against"
                        + " batch.size %d, KAFKA-8350) is not checked", c.topic(), cause(f), c.channel(),
                        c.batchSize().getAsInt()))))
                .toList();
        return Uni.join().all(each).andFailFast()
                .map(found -> found.stream().flatMap(Optional::stream).toList());
    }

    private static Optional<String> tooLarge(ChannelTopic channel, ConfigEntry maxMessageBytes) {
        if (maxMessageBytes == null || maxMessageBytes.value() == null) {
            return Optional.empty();
        }
        long max = Long.parseLong(maxMessageBytes.value());
        int batchSize = channel.batchSize().getAsInt();
        if (batchSize <= max) {
            return Optional.empty();
        }
        return Optional.of(String.format("Kafka topic %s takes records of up to %d bytes (max.message.bytes), less than"
                + " the batch.size of channel %s (%d): Kafka's producer can split such batches forever and stop"
                + " sending (KAFKA-8350). Set mp.messaging.outgoing.%s.batch.size to at most %d, or raise the topic's"
                + " max.message.bytes", channel.topic(), max, channel.channel(), batchSize, channel.channel(), max));
    }

    private static <T> Uni<T> uni(KafkaFuture<T> future) {
        return Uni.createFrom().completionStage(future.toCompletionStage());
    }

    static boolean retriable(Throwable f) {
        return Causes.any(f, RetriableException.class);
    }

    /**
     * A replication factor the brokers cannot reach: now (a rolling restart, "only 2 brokers are registered") or for
     * good. Reported once, as before, the topic stayed missing until a restart (the election's: no replica read the
     * feed); failing the check instead, nothing said it was missing. Both: an ERROR, and the check again.
     */
    private static boolean replicationUnreachable(Throwable f) {
        return Causes.any(f, InvalidReplicationFactorException.class);
    }

    private static boolean unknownTopic(Throwable f) {
        return Causes.any(f, UnknownTopicOrPartitionException.class);
    }

    private static String cause(Throwable f) {
        Throwable t = f;
        while (t.getCause() != null && (t instanceof CompletionException || t instanceof ExecutionException)) {
            t = t.getCause();
        }
        return t.toString();
    }

    private static <T> List<T> concat(List<T> a, List<T> b) {
        List<T> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
