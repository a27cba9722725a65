package io.pulse.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.pulse.testkit.PulseInfra;

/** The packaged Pulse service as a child process, with what the benchmark reads off it. */
final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final Pattern HEAP = Pattern.compile("^jvm_memory_used_bytes\\{.*area=\"heap\".*\\} (\\S+)$");

    final Process process;
    final int port;
    final long startedAtNanos;
    final Path log;
    long peakRssKb;
    long peakHeapBytes;
    private long lastSampleNanos = System.nanoTime() - 1_000_000_000L;

    private ServiceProcess(Process process, int port, long startedAtNanos, Path log) {
        this.process = process;
        this.port = port;
        this.startedAtNanos = startedAtNanos;
        this.log = log;
    }

    static ServiceProcess launch(PulseInfra infra, String name, Map<String, String> extraEnv) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        Path log = Path.of("target", "bench-" + name + ".log");
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("@src/main/docker/jvm.options"); // what ships is what is measured
        String javaOpts = System.getenv().getOrDefault("PULSE_BENCH_JAVA_OPTS", "").replace("{name}", name);
        if (!javaOpts.isBlank()) {
            command.addAll(List.of(javaOpts.trim().split("\\s+")));
        }
        command.addAll(List.of("-jar", "target/quarkus-app/quarkus-run.jar"));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.put("MALLOC_ARENA_MAX", "2"); // as ./pulse run and the image set it
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("KAFKA_BOOTSTRAP_SERVERS", infra.bootstrapServers());
        env.put("QUARKUS_DATASOURCE_REACTIVE_URL", infra.reactiveUrl());
        env.put("QUARKUS_DATASOURCE_JDBC_URL", infra.jdbcUrl());
        env.put("QUARKUS_DATASOURCE_USERNAME", infra.postgres().username());
        env.put("QUARKUS_LOG_LEVEL", "WARN");
        env.put("QUARKUS_LOG_CATEGORY__IO_QUARKUS__LEVEL", "INFO");
        env.putAll(extraEnv);
        long start = System.nanoTime();
        return new ServiceProcess(builder.start(), port, start, log);
    }

    /** Blocks until /q/health/ready answers 200; returns the wall time from process start. */
    Duration awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (get("/q/health/ready").statusCode() == 200) {
                    return Duration.ofNanos(System.nanoTime() - startedAtNanos);
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("Pulse exited during start-up; see " + log);
            }
            Thread.sleep(20); // polling an external process: nothing to await on
        }
        throw new IllegalStateException("Pulse not ready within " + timeout + "; see " + log);
    }

    /** Quarkus' own "started in" figure from the log, in seconds, or -1. */
    double reportedStartSeconds() throws IOException {
        Matcher m = Pattern.compile("started in ([0-9.]+)s").matcher(Files.readString(log));
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    /**
     * Samples resident memory and heap, keeping the peaks; at most every 200 ms. The pacing loop
     * calls it every 5 ms, and 200 Prometheus scrapes a second were a load of their own.
     */
    void sample() {
        long now = System.nanoTime();
        if (now - lastSampleNanos < 200_000_000L) {
            return;
        }
        lastSampleNanos = now;
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    peakRssKb = Math.max(peakRssKb, Long.parseLong(line.replaceAll("\\D", "")));
                }
            }
            long heap = 0;
            for (String line : get("/q/metrics").body().split("\n")) {
                Matcher m = HEAP.matcher(line);
                if (m.matches()) {
                    heap += (long) Double.parseDouble(m.group(1));
                }
            }
            peakHeapBytes = Math.max(peakHeapBytes, heap);
        } catch (IOException | InterruptedException | RuntimeException gone) {
            // the process may be stopping
        }
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    String url(String path) {
        return "http://localhost:" + port + path;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
