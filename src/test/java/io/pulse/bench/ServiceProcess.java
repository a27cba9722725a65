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

import io.pulse.it.ClassDataArchive;
import io.pulse.it.PulseProcess;

/**
 * The packaged service under test, launched by the suite's {@link PulseProcess} exactly as it ships
 * (plus {@code PULSE_BENCH_JAVA_OPTS}), with what the benchmark reads off it: peaks and start-up. Nothing is
 * sampled from it while it runs: the peaks are the kernel's and the collector's own records.
 */
final class ServiceProcess implements AutoCloseable {

    private static final Pattern STARTED = Pattern.compile("started in ([0-9.]+)s");
    /** {@code GC(12) Pause Young (Allocation Failure) 269M->177M(512M) 12.3ms}: 269M. */
    private static final Pattern HEAP_BEFORE_GC = Pattern.compile("GC\\(\\d+\\) Pause .*? (\\d+)([KMG])->\\d+[KMG]\\(");

    final PulseProcess pulse;
    private final Path gcLog;

    /** Whether this run mapped the build's class-data archive, as {@code ./pulse run} does. */
    final boolean withArchive;

    private ServiceProcess(PulseProcess pulse, boolean withArchive, Path gcLog) {
        this.pulse = pulse;
        this.withArchive = withArchive;
        this.gcLog = gcLog;
    }

    static ServiceProcess launch(String name, Map<String, String> extraEnv) {
        return launch(name, extraEnv, true);
    }

    /** {@code archive} false: without the build's class-data archive, for what it buys. */
    static ServiceProcess launch(String name, Map<String, String> extraEnv, boolean archive) {
        String javaOpts = System.getenv().getOrDefault("PULSE_BENCH_JAVA_OPTS", "").replace("{name}", name).trim();
        List<String> extra = javaOpts.isEmpty() ? List.of() : List.of(javaOpts.split("\\s+"));
        List<String> options = new ArrayList<>();
        if (archive && ClassDataArchive.fresh()) {
            // The figures say "with the archive": a JVM that cannot use it (another JDK's) is to fail, not start slowly.
            options.add("-Xshare:on");
        }
        // The service's collector beside the harness's (target/bench-harness-gc.log): whose pause a stall was.
        Path gcLog = Path.of("target/bench-" + name + "-gc.log");
        options.add("-Xlog:gc:file=" + gcLog + ":utctime,uptime");
        options.addAll(extra);
        PulseProcess pulse = PulseProcess.on("bench-" + name)
                .jvmOptions(options)
                .env("QUARKUS_LOG_LEVEL", "WARN")
                .env("QUARKUS_LOG_CATEGORY__IO_QUARKUS__LEVEL", "INFO");
        extraEnv.forEach(pulse::env);
        pulse.archive(archive).launch();
        return new ServiceProcess(pulse, pulse.withArchive(), gcLog);
    }

    long pid() {
        return pulse.pid();
    }

    String url(String path) {
        return pulse.url(path);
    }

    /** The body the service answers at {@code path}. */
    String get(String path) throws IOException, InterruptedException {
        return pulse.get(path).body();
    }

    /** Process launch → {@code /q/health/ready} answers 200. */
    Duration awaitReady() {
        return pulse.awaitReady(Duration.ofSeconds(120));
    }

    /**
     * Until the ingest has its SSE connection open (readiness's {@code ingest.connected}): it connects once elected,
     * after its checkpoint and read-back, 0.4 s or more after the service is ready (bench/README.md, 65). Events a
     * phase sends before then would reach it as one burst, not at the rate measured.
     */
    Duration awaitIngestConnected() {
        long from = System.nanoTime();
        await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(20)).ignoreExceptions()
                .until(() -> pulse.readiness().data().path("ingest.connected").asBoolean());
        return Duration.ofNanos(System.nanoTime() - from);
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
     * The kernel's high-water mark of resident memory ({@code VmHWM}) over the process's life, so far: exact, where
     * samples every 200 ms missed what came and went between them. Read it before {@link #close}.
     */
    long peakRssKb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pulse.pid()), "status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("\\D", ""));
                }
            }
            return -1;
        } catch (IOException e) {
            return -1;
        }
    }

    /**
     * The most heap in use over the process's life, so far: the largest before-collection figure of its GC log
     * (the heap is fullest just before a collection). A Prometheus scrape a second landed anywhere on the sawtooth
     * (16% low in a drain), and cost the service CPU.
     */
    long peakHeapBytes() {
        try {
            Matcher m = HEAP_BEFORE_GC.matcher(Files.readString(gcLog));
            long peak = -1;
            while (m.find()) {
                long value = Long.parseLong(m.group(1));
                peak = Math.max(peak, switch (m.group(2)) {
                    case "K" -> value << 10;
                    case "M" -> value << 20;
                    default -> value << 30;
                });
            }
            return peak;
        } catch (IOException e) {
            return -1;
        }
    }

    /** SIGTERM, as an orchestrator stops it. */
    @Override
    public void close() {
        pulse.terminate();
    }
}
