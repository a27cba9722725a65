package io.pulse.testkit;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The infrastructure shared by every test in this JVM: one throwaway PostgreSQL cluster with a fresh
 * database, and one throwaway Kafka broker. Started once on first use, so all test classes pay the
 * start-up cost once; stopped and deleted when the JVM exits.
 *
 * <p>Quarkus loads test classes, and so this class, in a new class loader per application restart, where
 * a plain static field would start a second stack. So the stack belongs to this class as loaded by the
 * system class loader (which lives as long as the JVM, as the shutdown hook and the broker's threads
 * need); copies of this class in other loaders control it through handles made of JDK types only.
 */
public final class PulseInfra {

    private static PulseInfra instance; // Guarded by PulseInfra.class.

    private final LocalPostgres postgres;
    private final LocalKafka kafka;
    private final String database;
    private final long startupMillis;

    private PulseInfra(LocalPostgres postgres, LocalKafka kafka, String database, long startupMillis) {
        this.postgres = postgres;
        this.kafka = kafka;
        this.database = database;
        this.startupMillis = startupMillis;
    }

    /** Starts the infrastructure on the first call in this JVM; later calls return handles on the same one. */
    public static synchronized PulseInfra get() {
        if (instance == null) {
            Class<?> owner = ownerClass();
            instance = owner == PulseInfra.class ? startNew() : attach(handleFrom(owner));
        }
        return instance;
    }

    /** The copy of this class that owns the stack: the system class loader's, when it can see test classes. */
    private static Class<?> ownerClass() {
        try {
            return Class.forName(PulseInfra.class.getName(), true, ClassLoader.getSystemClassLoader());
        } catch (ClassNotFoundException e) {
            return PulseInfra.class; // Test classes not on the system class path: one stack per loader then.
        }
    }

    /** Called reflectively by copies of this class in other class loaders; see {@link #attach}. */
    private static Map<String, Object> handle() {
        PulseInfra infra = get();
        return Map.of("postgres", infra.postgres.share(), "kafka", infra.kafka.share(),
                "database", infra.database, "startupMillis", infra.startupMillis);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> handleFrom(Class<?> owner) {
        try {
            Method handle = owner.getDeclaredMethod("handle");
            handle.setAccessible(true);
            return (Map<String, Object>) handle.invoke(null);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException cause ? cause
                    : new IllegalStateException("Cannot start the test infrastructure", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot reach the test infrastructure", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static PulseInfra attach(Map<String, Object> handle) {
        return new PulseInfra(LocalPostgres.attach((Map<String, Object>) handle.get("postgres")),
                LocalKafka.attach((Map<String, Object>) handle.get("kafka")),
                (String) handle.get("database"), (Long) handle.get("startupMillis"));
    }

    private static PulseInfra startNew() {
        long began = System.nanoTime();
        LocalPostgres postgres = LocalPostgres.throwaway();
        String brokerJvm = System.getProperty("pulse.infra.broker-jvm-options");
        // The benchmark's broker runs in a JVM of its own, as in production; the tests' in this one.
        LocalKafka kafka = brokerJvm == null ? LocalKafka.throwaway()
                : LocalKafka.inOwnJvm(List.of(brokerJvm.trim().split("\\s+")), Path.of("target/pulse-bench-broker.log"));
        // Registered before starting, so a half-started stack is cleaned up too.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> closeAll(kafka, postgres), "pulse-infra-shutdown"));
        String database = "pulse_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        // Both take seconds and share nothing, so they start side by side.
        CompletableFuture<Void> pg = CompletableFuture.runAsync(() -> {
            postgres.start();
            postgres.createDatabase(database);
        });
        try {
            kafka.start();
            pg.join();
        } catch (CompletionException e) {
            closeAll(kafka, postgres);
            throw new IllegalStateException("Cannot start PostgreSQL", e.getCause());
        } catch (RuntimeException e) {
            pg.exceptionally(ignored -> null).join();
            closeAll(kafka, postgres);
            throw e;
        }
        long millis = (System.nanoTime() - began) / 1_000_000;
        System.out.printf("Pulse test infra up in %d ms: Kafka %s, PostgreSQL %s%n",
                millis, kafka.bootstrapServers(), postgres.jdbcUrl(database));
        return new PulseInfra(postgres, kafka, database, millis);
    }

    private static void closeAll(AutoCloseable... resources) {
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                System.err.println("Pulse test infra: cleanup failed: " + e);
            }
        }
    }

    public LocalPostgres postgres() {
        return postgres;
    }

    public LocalKafka kafka() {
        return kafka;
    }

    /** The fresh database created for this JVM run. */
    public String database() {
        return database;
    }

    public String jdbcUrl() {
        return postgres.jdbcUrl(database);
    }

    public String reactiveUrl() {
        return postgres.reactiveUrl(database);
    }

    public String bootstrapServers() {
        return kafka.bootstrapServers();
    }

    /** How long bringing everything up took, on the first call in this JVM. */
    public long startupMillis() {
        return startupMillis;
    }
}
