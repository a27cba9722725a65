package io.pulse.testkit;

import java.io.OutputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Exit;
import org.apache.kafka.common.utils.Time;
import org.apache.kafka.metadata.storage.Formatter;
import org.apache.kafka.server.common.MetadataVersion;

import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;

/** How {@link LocalKafka} formats, configures, starts and stops its single combined KRaft node. */
final class KRaftNode {

    private static final int NODE_ID = 1;
    private static final Duration BIND_RETRY = Duration.ofSeconds(30);
    /** Broker-side log categories; INFO there is thousands of lines per start. Clients keep their levels. */
    private static final List<String> BROKER_LOGGERS = List.of("kafka", "state.change.logger",
            "org.apache.kafka.server", "org.apache.kafka.controller", "org.apache.kafka.raft",
            "org.apache.kafka.image", "org.apache.kafka.metadata", "org.apache.kafka.storage",
            "org.apache.kafka.coordinator", "org.apache.kafka.queue", "org.apache.kafka.snapshot",
            "org.apache.kafka.common.config.AbstractConfig");
    /** Held strongly: the logging framework keeps loggers only weakly, and would forget the levels. */
    private static final List<Logger> QUIETED_LOGGERS = new ArrayList<>();

    private KRaftNode() {
    }

    /** Formats an empty directory; a formatted one keeps its cluster id and data. */
    static void formatIfNeeded(Path logDir) {
        if (Files.exists(logDir.resolve("meta.properties"))) {
            return;
        }
        try {
            new Formatter()
                    .setNodeId(NODE_ID)
                    .setClusterId(Uuid.randomUuid().toString())
                    .setDirectories(List.of(logDir.toString()))
                    .setMetadataLogDirectory(logDir.toString())
                    .setControllerListenerName("CONTROLLER")
                    .setReleaseVersion(MetadataVersion.latestProduction())
                    .setIgnoreFormatted(true)
                    .setPrintStream(new PrintStream(OutputStream.nullOutputStream()))
                    .run();
        } catch (Exception e) {
            throw new IllegalStateException("Cannot format the Kafka log directory " + logDir, e);
        }
    }

    static Properties config(Path logDir, int port, int controllerPort) {
        Properties p = new Properties();
        p.put("process.roles", "broker,controller");
        p.put("node.id", Integer.toString(NODE_ID));
        // A static voter set: the controller endpoint lives in the config, not in the formatted directory.
        p.put("controller.quorum.voters", NODE_ID + "@127.0.0.1:" + controllerPort);
        p.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
        p.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
        p.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
        p.put("inter.broker.listener.name", "PLAINTEXT");
        p.put("controller.listener.names", "CONTROLLER");
        p.put("log.dirs", logDir.toString());
        p.put("offsets.topic.replication.factor", "1");
        p.put("offsets.topic.min.insync.replicas", "1");
        p.put("transaction.state.log.replication.factor", "1");
        p.put("transaction.state.log.min.isr", "1");
        p.put("share.coordinator.state.topic.replication.factor", "1");
        p.put("share.coordinator.state.topic.min.isr", "1");
        // Fewer internal partitions than the default 50: the first consumer group and transaction come up faster.
        p.put("offsets.topic.num.partitions", "5");
        p.put("transaction.state.log.num.partitions", "5");
        p.put("group.initial.rebalance.delay.ms", "0");
        p.put("auto.create.topics.enable", "true");
        p.put("num.partitions", "1");
        // The default 128 MiB compaction buffer would sit in the host JVM's heap for nothing.
        p.put("log.cleaner.dedupe.buffer.size", Integer.toString(8 * 1024 * 1024));
        return p;
    }

    /** Starts the node, retrying briefly while the kernel still refuses to rebind a just-released port. */
    static KafkaRaftServer start(Properties config) {
        quietBrokerLogs();
        long deadline = System.nanoTime() + BIND_RETRY.toNanos();
        return withOwnContextClassLoader(() -> {
            KafkaConfig kafkaConfig = new KafkaConfig(config, false); // Already needs the right class loader.
            while (true) {
                KafkaRaftServer candidate = new KafkaRaftServer(kafkaConfig, Time.SYSTEM);
                try {
                    candidate.startup();
                    return candidate;
                } catch (RuntimeException e) {
                    stopQuietly(candidate);
                    if (!isBindFailure(e) || System.nanoTime() > deadline) {
                        throw new IllegalStateException("Kafka failed to start with listeners "
                                + config.getProperty("listeners"), e);
                    }
                    pause(Duration.ofMillis(250));
                }
            }
        });
    }

    /** Controlled shutdown, waiting until every broker and controller thread has finished. */
    static void stop(KafkaRaftServer server) {
        withOwnContextClassLoader(() -> {
            server.shutdown();
            server.awaitShutdown();
            return server;
        });
    }

    /** In a test JVM, a fatal broker fault must fail the tests, not end the JVM through System.exit/halt. */
    static void failInsteadOfExiting() {
        Exit.setExitProcedure((code, message) -> {
            throw new IllegalStateException("Embedded Kafka asked to exit(" + code + "): " + message);
        });
        Exit.setHaltProcedure((code, message) -> {
            throw new IllegalStateException("Embedded Kafka asked to halt(" + code + "): " + message);
        });
    }

    /** Broker logs at WARN unless -Dpulse.kafka.broker-log-level=INFO (or another JUL level) asks for more. */
    private static synchronized void quietBrokerLogs() {
        if (QUIETED_LOGGERS.isEmpty()) {
            Level level = Level.parse(System.getProperty("pulse.kafka.broker-log-level", "WARNING"));
            for (String name : BROKER_LOGGERS) {
                Logger logger = Logger.getLogger(name);
                logger.setLevel(level);
                QUIETED_LOGGERS.add(logger);
            }
        }
    }

    /**
     * Kafka loads plugins through the context class loader, and its threads inherit it: that must be the
     * loader of the broker's own classes, not a Quarkus test class loader that is closed on restart.
     */
    private static KafkaRaftServer withOwnContextClassLoader(Supplier<KafkaRaftServer> action) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(KRaftNode.class.getClassLoader());
        try {
            return action.get();
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static void stopQuietly(KafkaRaftServer server) {
        try {
            server.shutdown();
            server.awaitShutdown();
        } catch (RuntimeException e) {
            // Half-started: whatever did start is being torn down; the start-up error is what matters.
        }
    }

    private static boolean isBindFailure(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof BindException || String.valueOf(t.getMessage()).contains("Address already in use")) {
                return true;
            }
        }
        return false;
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting to restart Kafka", e);
        }
    }
}
