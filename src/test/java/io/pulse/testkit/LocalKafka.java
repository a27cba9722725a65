package io.pulse.testkit;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;

import kafka.server.KafkaRaftServer;

/**
 * A real single-node KRaft Kafka broker (combined broker and controller) running inside this JVM.
 * {@link #stop()} and {@link #start()} keep the ports and the data, so clients see a broker restart.
 * A throwaway broker lives in a fresh directory under /tmp that {@link #close()} deletes.
 */
public final class LocalKafka implements AutoCloseable {

    private final Path logDir;
    private final boolean throwaway;
    private final int preferredPort;
    /** Set when this object controls a broker owned by another class loader's copy of this class. */
    private final Map<String, Object> owner;
    private int port;
    private int controllerPort;
    /** The broker's process when it runs in a JVM of its own ({@link BrokerJvm}); 0 when in this one. */
    private long pid;
    private KafkaRaftServer server;
    /** Broker settings that differ from {@link KRaftNode#config}'s, applied at every start. */
    private final Properties brokerConfig = new Properties();

    private LocalKafka(Path logDir, boolean throwaway, int preferredPort, Map<String, Object> owner) {
        this.logDir = logDir.toAbsolutePath();
        this.throwaway = throwaway;
        this.preferredPort = preferredPort;
        this.owner = owner;
    }

    /** A broker in a fresh directory under /tmp, deleted on close (or once the JVM has died). */
    public static LocalKafka throwaway() {
        KRaftNode.failInsteadOfExiting();
        Path logDir = Dirs.throwawayDir("pulse-kafka-");
        return new LocalKafka(logDir, true, 0, null);
    }

    /**
     * A throwaway broker in a JVM of its own, started with {@code jvmOptions} and logging to {@code log}:
     * no stop or restart on demand; it ends with this JVM.
     */
    public static LocalKafka inOwnJvm(List<String> jvmOptions, Path log) {
        return BrokerJvm.start(jvmOptions, log);
    }

    /** A broker whose topics survive restarts, kept in {@code logDir}; listens on {@code preferredPort} if free. */
    public static LocalKafka persistent(Path logDir, int preferredPort) {
        return new LocalKafka(logDir, false, preferredPort, null);
    }

    /** A broker setting other than the defaults (say {@code auto.create.topics.enable=false}), before {@link #start()}. */
    public synchronized LocalKafka brokerConfig(String name, String value) {
        brokerConfig.put(name, value);
        return this;
    }

    /** Describes this running broker with JDK types only, for {@link #attach} in another class loader. */
    Map<String, Object> share() {
        return Map.of("logDir", logDir.toString(), "port", port, "pid", pid,
                "start", (Runnable) this::start, "stop", (Runnable) this::stop);
    }

    /** A handle on a broker that another class loader's copy of this class owns (see PulseInfra). */
    static LocalKafka attach(Map<String, Object> shared) {
        LocalKafka attached = new LocalKafka(Path.of((String) shared.get("logDir")), false, 0, shared);
        attached.port = (Integer) shared.get("port");
        attached.pid = (Long) shared.getOrDefault("pid", 0L);
        return attached;
    }

    /** Formats the directory on first use, then starts the broker; also restarts it after {@link #stop()}. */
    public synchronized LocalKafka start() {
        if (owner != null) {
            ((Runnable) owner.get("start")).run();
        } else if (server == null) {
            if (port == 0) {
                port = Ports.preferredOrFree(preferredPort);
                do {
                    controllerPort = Ports.preferredOrFree(preferredPort > 0 ? preferredPort + 1 : 0);
                } while (controllerPort == port);
            }
            KRaftNode.formatIfNeeded(logDir);
            Properties config = KRaftNode.config(logDir, port, controllerPort);
            config.putAll(brokerConfig);
            server = KRaftNode.start(config);
        }
        return this;
    }

    /** Controlled shutdown; the broker's data and ports stay for the next {@link #start()}. */
    public synchronized void stop() {
        if (owner != null) {
            ((Runnable) owner.get("stop")).run();
        } else if (server != null) {
            KafkaRaftServer stopping = server;
            server = null;
            KRaftNode.stop(stopping);
        }
    }

    /** Stops and starts the broker on the same ports with the same data, like a broker restart in production. */
    public synchronized void restart() {
        stop();
        start();
    }

    @Override
    public synchronized void close() {
        if (owner != null) {
            return; // The owner cleans up when the JVM exits.
        }
        try {
            stop();
        } finally {
            if (throwaway) {
                Dirs.deleteRecursively(logDir);
            }
        }
    }

    public synchronized String bootstrapServers() {
        if (port == 0) {
            throw new IllegalStateException("Kafka has not been started");
        }
        return "127.0.0.1:" + port;
    }

    /** A new admin client for this broker; the caller closes it. */
    public Admin admin() {
        return Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers()));
    }

    /** Sets one of the topic's configs, or removes it (back to the broker's default) when value is null. */
    public void setTopicConfig(String topic, String name, String value) {
        try (Admin admin = admin()) {
            setTopicConfig(admin, topic, name, value);
        }
    }

    /** The same through a given admin client (a test that knows the broker only by its address). */
    public static void setTopicConfig(Admin admin, String topic, String name, String value) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        AlterConfigOp op = new AlterConfigOp(new ConfigEntry(name, value),
                value == null ? AlterConfigOp.OpType.DELETE : AlterConfigOp.OpType.SET);
        try {
            admin.incrementalAlterConfigs(Map.of(resource, List.of(op))).all().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("Cannot set " + name + " of topic " + topic, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while setting " + name + " of topic " + topic, e);
        }
    }

    /** Creates the topic (replication factor 1); a topic that already exists is left as it is. */
    public void createTopic(String name, int partitions) {
        try (Admin admin = admin()) {
            try {
                admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw new IllegalStateException("Cannot create topic " + name, e.getCause());
                }
            }
            // Created means the controller committed it, not that the broker serves its partitions: a
            // producer that wrote at once got NOT_LEADER, then out-of-order sequences until its delivery
            // timed out (a SpikeBaselineIT run in CI lost its events so). Asked until the broker lists
            // every partition's end offset.
            await("topic " + name + " served").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .ignoreExceptions().until(() -> served(admin, name));
        } catch (TimeoutException e) {
            throw new IllegalStateException("Timed out creating topic " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while creating topic " + name, e);
        }
    }

    /** Every partition's end offset listed (as many as the topic has: one that existed keeps its count). */
    private static boolean served(Admin admin, String name) throws Exception {
        Map<TopicPartition, OffsetSpec> ends = new HashMap<>();
        admin.describeTopics(List.of(name)).allTopicNames().get(5, TimeUnit.SECONDS).get(name).partitions()
                .forEach(p -> ends.put(new TopicPartition(name, p.partition()), OffsetSpec.latest()));
        admin.listOffsets(ends).all().get(5, TimeUnit.SECONDS);
        return true;
    }

    /** The process id of the broker's own JVM, or 0 when the broker runs in this one. */
    public long processId() {
        return pid;
    }

    public Path logDir() {
        return logDir;
    }
}
