package io.pulse.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * A private PostgreSQL cluster run from the distribution's binaries (no Docker here). Only trust
 * authentication on 127.0.0.1 and a Unix socket inside the data directory: no passwords anywhere.
 * A throwaway cluster trades durability for speed and deletes itself on {@link #close()}; a persistent
 * one keeps its data directory and is reused by the next {@link #start()}.
 */
public final class LocalPostgres implements AutoCloseable {

    public static final String USERNAME = "pulse";
    private static final Pattern DB_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final Path binDir = PgProcesses.binDir();
    private final Path dataDir;
    private final boolean throwaway;
    private final int preferredPort;
    /** Set when this object controls a cluster owned by another class loader's copy of this class. */
    private final Map<String, Object> owner;
    private int port;
    private boolean running;

    private LocalPostgres(Path dataDir, boolean throwaway, int preferredPort, Map<String, Object> owner) {
        this.dataDir = dataDir.toAbsolutePath();
        this.throwaway = throwaway;
        this.preferredPort = preferredPort;
        this.owner = owner;
    }

    /** A fast, non-durable cluster in a fresh directory under /tmp, deleted on close (or when the JVM dies). */
    public static LocalPostgres throwaway() {
        LocalPostgres postgres = new LocalPostgres(Dirs.newTempDir("pulse-pg-"), true, 0, null);
        PgProcesses.cleanUpWhenJvmDies(postgres.binDir, postgres.dataDir);
        return postgres;
    }

    /** A durable cluster kept in {@code dataDir}; listens on {@code preferredPort} when it is free. */
    public static LocalPostgres persistent(Path dataDir, int preferredPort) {
        return new LocalPostgres(dataDir, false, preferredPort, null);
    }

    /** Describes this running cluster with JDK types only, for {@link #attach} in another class loader. */
    Map<String, Object> share() {
        return Map.of("dataDir", dataDir.toString(), "port", port(),
                "start", (Runnable) this::start, "stop", (Runnable) this::stop, "crash", (Runnable) this::crash);
    }

    /** A handle on a cluster that another class loader's copy of this class owns (see PulseInfra). */
    static LocalPostgres attach(Map<String, Object> shared) {
        LocalPostgres attached = new LocalPostgres(Path.of((String) shared.get("dataDir")), false, 0, shared);
        attached.port = (Integer) shared.get("port");
        return attached;
    }

    /** Initialises the data directory if needed and starts the server; also restarts it after {@link #stop()}. */
    public synchronized LocalPostgres start() {
        if (owner != null) {
            ((Runnable) owner.get("start")).run();
            return this;
        }
        if (running) {
            return this;
        }
        try {
            if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
                Files.createDirectories(dataDir);
                PgProcesses.initdb(binDir, dataDir, USERNAME, throwaway);
            } else if (port == 0 && pgCtl("status").exitCode() == 0) {
                // A previous owner was killed without stopping its server: take the cluster over cleanly.
                pgCtl("stop", "-w", "-m", "fast").orThrow("stopping a leftover server", logFile());
            }
            if (port == 0) {
                port = Ports.preferredOrFree(preferredPort);
            }
            pgCtl("start", "-w", "-t", "60", "-l", logFile().toString(), "-o", serverOptions())
                    .orThrow("starting PostgreSQL on port " + port, logFile());
            running = true;
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Fast shutdown: open sessions are cut, data already committed survives a later {@link #start()}. */
    public synchronized void stop() {
        shutdown("stop", "fast", "stopping PostgreSQL");
    }

    /**
     * Immediate shutdown, as a crash: no checkpoint, and WAL not yet written from PostgreSQL's buffers is
     * gone, so commits acknowledged asynchronously may be lost. {@link #start()} recovers.
     */
    public synchronized void crash() {
        shutdown("crash", "immediate", "crashing PostgreSQL");
    }

    /** {@code pg_ctl stop} in the given mode, or the owner's handle of that name for an attached cluster. */
    private void shutdown(String handle, String mode, String doing) {
        if (owner != null) {
            ((Runnable) owner.get(handle)).run();
        } else if (running) {
            pgCtl("stop", "-w", "-t", "60", "-m", mode).orThrow(doing, logFile());
            running = false;
        }
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
                Dirs.deleteRecursively(dataDir);
            }
        }
    }

    /** Drops {@code name} (disconnecting its sessions) and creates it empty. */
    public void createDatabase(String name) {
        execute("DROP DATABASE IF EXISTS " + checked(name) + " WITH (FORCE)", "CREATE DATABASE " + name);
    }

    /** Creates {@code name} unless it exists; never touches existing data. */
    public void createDatabaseIfAbsent(String name) {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            var exists = s.executeQuery("SELECT 1 FROM pg_database WHERE datname = '" + checked(name) + "'");
            if (!exists.next()) {
                s.execute("CREATE DATABASE " + name);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot create database " + name, e);
        }
    }

    /** A JDBC connection as {@link #USERNAME}; trust authentication needs no password. */
    public Connection connect(String database) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", USERNAME);
        return DriverManager.getConnection(jdbcUrl(database), props);
    }

    public String jdbcUrl(String database) {
        return "jdbc:" + reactiveUrl(database);
    }

    /** The URL form Quarkus' reactive client expects. */
    public String reactiveUrl(String database) {
        return "postgresql://127.0.0.1:" + port() + "/" + database;
    }

    public String username() {
        return USERNAME;
    }

    public synchronized int port() {
        if (port == 0) {
            throw new IllegalStateException("PostgreSQL has not been started");
        }
        return port;
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path logFile() {
        return dataDir.resolve("postgres.log");
    }

    private String serverOptions() {
        // pg_ctl hands this string to a shell, hence the quoted socket directory.
        String options = "-p " + port + " -k '" + dataDir + "' -c listen_addresses=127.0.0.1 -c max_connections=300";
        return throwaway && !durable() ? options + " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
                : options;
    }

    /**
     * Whether a throwaway cluster keeps PostgreSQL's durable defaults ({@code -Dpulse.infra.durable-postgres=true}):
     * the benchmark measures against a database that flushes its commits, as production's does.
     */
    private static boolean durable() {
        return Boolean.getBoolean("pulse.infra.durable-postgres");
    }

    private PgProcesses.Result pgCtl(String... args) {
        return PgProcesses.pgCtl(binDir, dataDir, args);
    }

    private void execute(String... statements) {
        try (Connection c = connect("postgres"); Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Failed on " + jdbcUrl("postgres") + ": " + String.join("; ", statements), e);
        }
    }

    private static String checked(String name) {
        if (!DB_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("Not a plain lower-case database name: " + name);
        }
        return name;
    }
}
