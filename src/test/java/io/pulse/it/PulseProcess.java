package io.pulse.it;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.pulse.testkit.Ports;
import io.pulse.testkit.PulseInfra;

/**
 * The packaged application ({@code target/pulse-runner.jar}) as a child process wired to
 * the test JVM's {@link PulseInfra}: what a crash, a SIGTERM or a second replica really look like.
 * Each start writes its own log under {@code target/}, so a test can read what one run logged.
 */
public final class PulseProcess implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static final Path JAR = ClassDataArchive.JAR;

    private final String name;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final Map<String, String> properties = new LinkedHashMap<>();
    // C1 only: a test instance starts in about half the time on 2 cores. The benchmark replaces it.
    private List<String> jvmOptions = List.of("-XX:TieredStopAtLevel=1");
    private boolean archive = true;
    private int starts;
    private boolean withArchive;
    private Process process;
    private long launchedAtNanos;
    private int port;
    private Path log;

    /** The packaged service wired to the test infrastructure, with its own defaults; {@code name} names its logs. */
    public static PulseProcess on(String name) {
        PulseInfra infra = PulseInfra.get();
        return new PulseProcess(name)
                .env("KAFKA_BOOTSTRAP_SERVERS", infra.bootstrapServers())
                .env("QUARKUS_DATASOURCE_REACTIVE_URL", infra.reactiveUrl())
                .env("QUARKUS_DATASOURCE_JDBC_URL", infra.jdbcUrl())
                .env("QUARKUS_DATASOURCE_USERNAME", infra.postgres().username());
    }

    /** An aggregator-only instance (no feed) on the test infrastructure; {@code name} names its logs. */
    public static PulseProcess aggregator(String name) {
        return on(name).env("PULSE_WIKIMEDIA_ENABLED", "false").env("PULSE_METRICS_INTERVAL", "200ms");
    }

    /** An instance that also ingests {@code feedUrl}, with the fast reconnects the in-process tests use. */
    public static PulseProcess ingesting(String name, String feedUrl) {
        return aggregator(name).env("PULSE_WIKIMEDIA_ENABLED", "true").env("PULSE_WIKIMEDIA_URL", feedUrl)
                .env("PULSE_WIKIMEDIA_CONNECTION_INITIAL_BACKOFF", "50ms")
                .env("PULSE_WIKIMEDIA_CONNECTION_MAX_BACKOFF", "2s");
    }

    private PulseProcess(String name) {
        this.name = name;
    }

    public PulseProcess env(String key, String value) {
        env.put(key, value);
        return this;
    }

    /** A system property ({@code -D}): for settings with no line in application.properties to map an env var to. */
    public PulseProcess property(String key, String value) {
        properties.put(key, value);
        return this;
    }

    /**
     * JVM options added to the shipped ones ({@code src/main/docker/jvm.options}), in place of the
     * test default (C1 only); none runs the service exactly as it ships.
     */
    public PulseProcess jvmOptions(List<String> options) {
        jvmOptions = List.copyOf(options);
        return this;
    }

    /** Whether to map the build's class-data archive ({@link ClassDataArchive}); by default it is, as ./pulse run does. */
    public PulseProcess archive(boolean map) {
        archive = map;
        return this;
    }

    /** Reads the events from {@code topic} in consumer group {@code group}: isolates a test from the others. */
    public PulseProcess consuming(String topic, String group) {
        return property("mp.messaging.incoming.wikimedia-events-in.topic", topic)
                .property("mp.messaging.incoming.wikimedia-events-in.group.id", group)
                // A killed member is noticed after its session times out: keep that short (broker minimum 6 s).
                .property("mp.messaging.incoming.wikimedia-events-in.session.timeout.ms", "6000")
                .property("mp.messaging.incoming.wikimedia-events-in.heartbeat.interval.ms", "1000");
    }

    /** Starts a new run on a fresh port; returns once it answers {@code /q/health/live}. */
    public PulseProcess start() {
        return launch().awaitStarted();
    }

    /** Starts a new run without waiting: launch several, then {@link #awaitStarted()} each. */
    public PulseProcess launch() {
        if (!Files.exists(JAR)) {
            throw new IllegalStateException("Package the application first (mvn verify runs this after package)");
        }
        port = Ports.preferredOrFree(0);
        log = Path.of("target", "pulse-" + name + "-" + (++starts) + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("@src/main/docker/jvm.options"); // the shipped heap and memory bounds, as ./pulse run and the image
        List<String> archiveOptions = archive ? ClassDataArchive.options() : List.of(); // as ./pulse run maps it
        withArchive = !archiveOptions.isEmpty();
        command.addAll(archiveOptions);
        command.addAll(jvmOptions);
        properties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.addAll(List.of("-jar", JAR.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("MALLOC_ARENA_MAX", "2");
        builder.environment().putAll(env);
        builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
        try {
            launchedAtNanos = System.nanoTime();
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Whether the current run mapped the build's class-data archive ({@link ClassDataArchive}). */
    public boolean withArchive() {
        return withArchive;
    }

    /** Returns once the current run answers {@code /q/health/live}; fails at once if it exited. */
    public PulseProcess awaitStarted() {
        await().atMost(Duration.ofSeconds(90)).ignoreExceptions()
                .failFast(name + " exited at start, see " + log, () -> !process.isAlive())
                .until(() -> get("/q/health/live").statusCode() == 200);
        return this;
    }

    /**
     * Returns once the current run answers {@code /q/health/ready} with its Kafka channels ready (as
     * Quarkus' readiness check had it; a broker away is only degraded now): the time from launch to ready.
     */
    public Duration awaitReady(Duration timeout) {
        await().atMost(timeout).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                .failFast(name + " exited at start, see " + log, () -> !process.isAlive())
                .until(() -> {
                    Readiness ready = readiness();
                    return ready.status() == 200 && ready.data().get("kafka.ready").asBoolean();
                });
        return Duration.ofNanos(System.nanoTime() - launchedAtNanos);
    }

    public long pid() {
        return process.pid();
    }

    /** SIGSTOP: the process freezes, as in a long pause, its sockets open; {@link #resume()} thaws it. */
    public void pause() {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause()}: it goes on where it was, unaware of the time gone by. */
    public void resume() {
        signal("CONT");
    }

    private void signal(String name) {
        try {
            int exit = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException("kill -" + name + " exited " + exit);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** SIGKILL: no shutdown hook, no flush, no last transaction. */
    public void kill() {
        process.destroyForcibly();
        waitForExit();
    }

    /** SIGTERM: Quarkus shuts down gracefully. @return the exit code */
    public int terminate() {
        process.destroy();
        return waitForExit();
    }

    public boolean alive() {
        return process != null && process.isAlive();
    }

    public int port() {
        return port;
    }

    public String url(String path) {
        return "http://localhost:" + port + path;
    }

    public Path log() {
        return log;
    }

    public String logText() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A JSON {@code PUT} with the admin key, as an operator changing a rule would send it. */
    public HttpResponse<String> putAsAdmin(String path, String json, String apiKey) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json").header("X-API-Key", apiKey)
                .PUT(HttpRequest.BodyPublishers.ofString(json)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The {@code pulse-pipeline} readiness check: its HTTP status and data. */
    public record Readiness(int status, JsonNode data) {
        public boolean degraded() {
            return data.get("degraded").asBoolean();
        }
    }

    public Readiness readiness() throws IOException, InterruptedException {
        HttpResponse<String> response = get("/q/health/ready");
        for (JsonNode check : JSON.readTree(response.body()).get("checks")) {
            if ("pulse-pipeline".equals(check.get("name").asText())) {
                return new Readiness(response.statusCode(), check.get("data"));
            }
        }
        throw new AssertionError("no pulse-pipeline check in " + response.body());
    }

    /** Lines of the current run's log at ERROR level. */
    public List<String> errorLines() {
        return logText().lines().filter(l -> l.contains(" ERROR ")).toList();
    }

    @Override
    public void close() {
        if (alive()) {
            kill();
        }
    }

    private int waitForExit() {
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new IllegalStateException(name + " did not exit within 60 s");
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
