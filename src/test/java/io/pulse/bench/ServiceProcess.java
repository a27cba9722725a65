package io.pulse.bench;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.core.ConditionTimeoutException;

import io.pulse.it.PulseProcess;

/**
 * The packaged service under test, launched by the suite's {@link PulseProcess} exactly as it ships
 * (plus {@code PULSE_BENCH_JAVA_OPTS}), with what the benchmark reads off it: peaks and start-up.
 */
final class ServiceProcess implements AutoCloseable {

    private static final Pattern STARTED = Pattern.compile("started in ([0-9.]+)s");
    private static final Pattern HEAP = Pattern.compile("^jvm_memory_used_bytes\\{.*area=\"heap\".*\\} (\\S+)$");

    final PulseProcess pulse;
    long peakRssKb;
    long peakHeapBytes;
    private long lastSampleNanos = System.nanoTime() - 1_000_000_000L;
    private long lastHeapNanos = lastSampleNanos - 1_000_000_000L;

    /** Whether this run mapped the class-data archive an earlier run wrote, as a restarted {@code ./pulse run} does. */
    final boolean withArchive;

    private ServiceProcess(PulseProcess pulse, boolean withArchive) {
        this.pulse = pulse;
        this.withArchive = withArchive;
    }

    static ServiceProcess launch(String name, Map<String, String> extraEnv) {
        String javaOpts = System.getenv().getOrDefault("PULSE_BENCH_JAVA_OPTS", "").replace("{name}", name).trim();
        List<String> extra = javaOpts.isEmpty() ? List.of() : List.of(javaOpts.split("\\s+"));
        // The JVM refuses to dump a class-data archive with a native agent loaded (a profiler): none then.
        boolean agent = extra.stream().anyMatch(o -> o.startsWith("-agentpath") || o.startsWith("-agentlib"));
        List<String> options = new ArrayList<>(agent ? List.of() : ClassDataArchive.options());
        // The service's collector beside the harness's (target/bench-harness-gc.log): whose pause a stall was.
        options.add("-Xlog:gc:file=target/bench-" + name + "-gc.log:utctime,uptime");
        options.addAll(extra);
        boolean withArchive = options.stream().anyMatch(o -> o.startsWith("-XX:SharedArchiveFile="));
        PulseProcess pulse = PulseProcess.on("bench-" + name)
                .jvmOptions(options)
                .env("QUARKUS_LOG_LEVEL", "WARN")
                .env("QUARKUS_LOG_CATEGORY__IO_QUARKUS__LEVEL", "INFO");
        extraEnv.forEach(pulse::env);
        return new ServiceProcess(pulse.launch(), withArchive);
    }

    long pid() {
        return pulse.pid();
    }

    String url(String path) {
        return pulse.url(path);
    }

    /** Process launch → {@code /q/health/ready} answers 200. */
    Duration awaitReady() {
        return pulse.awaitReady(Duration.ofSeconds(120));
    }

    /**
     * Quarkus' own "started in" figure from the log, in seconds, or -1. The line can follow the first
     * ready answer by a few milliseconds: it is waited for.
     */
    double reportedStartSeconds() {
        try {
            Matcher m = await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50))
                    .until(() -> STARTED.matcher(Files.readString(pulse.log())), Matcher::find);
            return Double.parseDouble(m.group(1));
        } catch (ConditionTimeoutException e) {
            return -1;
        }
    }

    /** The first number a log line matching {@code pattern} captures, or -1 if no line does. */
    long loggedNumber(Pattern pattern) {
        try {
            Matcher m = pattern.matcher(Files.readString(pulse.log()));
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * Samples resident memory (at most every 200 ms) and heap (at most every second), keeping the
     * peaks. The pacing loop calls it every 5 ms. The heap comes from a Prometheus scrape of the
     * whole registry, which at 5 a second was 1.6% of the service's CPU in the drain's profile.
     */
    void sample() {
        long now = System.nanoTime();
        if (now - lastSampleNanos < 200_000_000L) {
            return;
        }
        lastSampleNanos = now;
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pulse.pid()), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    peakRssKb = Math.max(peakRssKb, Long.parseLong(line.replaceAll("\\D", "")));
                }
            }
            if (now - lastHeapNanos < 1_000_000_000L) {
                return;
            }
            lastHeapNanos = now;
            long heap = 0;
            for (String line : pulse.get("/q/metrics").body().split("\n")) {
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

    /** SIGTERM, as an orchestrator stops it. */
    @Override
    public void close() {
        pulse.terminate();
    }
}
