package io.pulse.testkit;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Handler;

import io.quarkus.bootstrap.logging.InitialConfigurator;

/**
 * The infrastructure behind {@code ./pulse run}: a durable PostgreSQL and Kafka that keep their data
 * across runs (in {@code $PULSE_LOCAL_DIR}, default /tmp/pulse-local). Once both are up it writes the
 * connection settings to an env file (argument 1, default {@code $PULSE_LOCAL_DIR/infra.env}) and runs
 * until killed; SIGTERM stops Kafka then PostgreSQL cleanly, so the next run picks up where this one left off.
 */
public final class LocalStack {

    static final int POSTGRES_PORT = 15432;
    static final int KAFKA_PORT = 19092;
    static final String DATABASE = "pulse";
    static final String READY = "Pulse local stack ready";

    private LocalStack() {
    }

    public static void main(String[] args) throws Exception {
        useConsoleLogging();
        String configured = System.getenv("PULSE_LOCAL_DIR");
        Path base = Path.of(configured == null || configured.isBlank() ? "/tmp/pulse-local" : configured).toAbsolutePath();
        Path envFile = (args.length > 0 ? Path.of(args[0]) : base.resolve("infra.env")).toAbsolutePath();
        Files.createDirectories(base);
        // Held until the JVM dies, even by SIGKILL: two stacks on the same directories would corrupt each other.
        FileChannel lockFile = FileChannel.open(base.resolve(".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        if (lockFile.tryLock() == null) {
            System.err.println("Another LocalStack is already running on " + base);
            System.exit(2);
        }
        // A file left by an earlier run would tell a polling script the stack is up before it is.
        Files.deleteIfExists(envFile);

        LocalPostgres postgres = LocalPostgres.persistent(base.resolve("pg"), POSTGRES_PORT);
        LocalKafka kafka = LocalKafka.persistent(base.resolve("kafka"), KAFKA_PORT);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            attempt("remove " + envFile, () -> Files.deleteIfExists(envFile));
            attempt("stop Kafka", kafka::stop);
            attempt("stop PostgreSQL", postgres::stop);
        }, "pulse-local-stack-shutdown"));
        try {
            postgres.start();
            postgres.createDatabaseIfAbsent(DATABASE);
            kafka.start();
            writeAtomically(envFile, String.join("\n",
                    "KAFKA_BOOTSTRAP_SERVERS=" + kafka.bootstrapServers(),
                    "QUARKUS_DATASOURCE_REACTIVE_URL=" + postgres.reactiveUrl(DATABASE),
                    "QUARKUS_DATASOURCE_JDBC_URL=" + postgres.jdbcUrl(DATABASE),
                    "QUARKUS_DATASOURCE_USERNAME=" + postgres.username(),
                    ""));
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1); // Runs the shutdown hook, which stops whatever did start.
        }
        System.out.printf("%s: Kafka %s, PostgreSQL %s (data in %s, settings in %s)%n",
                READY, kafka.bootstrapServers(), postgres.jdbcUrl(DATABASE), base, envFile);
        new CountDownLatch(1).await();
    }

    /** Readers polling for the file see either nothing or all of it. */
    static void writeAtomically(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Path temp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
        Files.writeString(temp, content);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Routes Kafka's logging through JBoss LogManager as in tests, so LocalKafka's log levels apply, and
     * sends it to the console: outside a Quarkus application, Quarkus' start-up handler would only buffer it.
     */
    static void useConsoleLogging() {
        if (System.getProperty("java.util.logging.manager") == null) {
            System.setProperty("java.util.logging.manager", "org.jboss.logmanager.LogManager");
        }
        java.util.logging.Logger.getLogger(""); // Initialises the log context first, or the handler is dropped.
        InitialConfigurator.DELAYED_HANDLER.setHandlers(new Handler[] {InitialConfigurator.createDefaultHandler()});
    }

    private interface Step {
        void run() throws Exception;
    }

    private static void attempt(String what, Step step) {
        try {
            step.run();
        } catch (Exception e) {
            System.err.println("LocalStack: could not " + what + ": " + e);
        }
    }
}
