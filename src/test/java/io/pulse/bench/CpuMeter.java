package io.pulse.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where the machine's cores go during one phase: CPU seconds of the service, of PostgreSQL (every
 * {@code postgres} process), of the Kafka broker (its own JVM, or its threads when it shares the
 * harness's) and of the harness JVM, split by thread into the load generator (SSE server, pacing,
 * observers) and that JVM's own GC and JIT (not attributable).
 * The cheapest profile there is, and the first question for any bottleneck: who is busy?
 */
final class CpuMeter {

    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private final long servicePid;
    /** The broker's own JVM, or 0 when the broker runs in the harness's. */
    private final long brokerPid;
    private final long startNanos = System.nanoTime();
    private final double service0;
    private final double brokerProcess0;
    private final double postgres0;
    private final double harness0;
    private final Map<Long, Long> threads0;

    /** The embedded broker's (KRaft) threads, not the harness's own Kafka clients. */
    private static final Pattern BROKER_THREAD = Pattern.compile("^(data-plane-|kafka-(?!producer-network-thread|admin-client-thread"
            + "|coordinator-heartbeat)|group-coordinator|broker-|controller-|quorum-|raft-|share-|transaction-|TxnMarker"
            + "|ExpirationReaper|LogDirFailureHandler|PersisterStateManager|persister-|client-metrics|SensorExpiryThread"
            + "|metrics-meter-tick)");
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    CpuMeter(long servicePid, long brokerPid) {
        this.servicePid = servicePid;
        this.brokerPid = brokerPid;
        this.service0 = seconds(servicePid);
        this.brokerProcess0 = brokerPid == 0 ? 0 : seconds(brokerPid);
        this.postgres0 = postgresSeconds();
        this.harness0 = harnessSeconds();
        this.threads0 = threadNanos();
    }

    /** CPU use over the phase, in cores (1.0 = one core busy the whole time), per process group. */
    Map<String, Object> stop() {
        double wall = (System.nanoTime() - startNanos) / 1e9;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("service_cores", PulseBenchmark.round2((seconds(servicePid) - service0) / wall));
        out.put("postgres_cores", PulseBenchmark.round2((postgresSeconds() - postgres0) / wall));
        double harness = harnessSeconds() - harness0;
        double broker = 0;
        double generator = 0;
        for (ThreadInfo t : THREADS.getThreadInfo(THREADS.getAllThreadIds())) {
            if (t == null) {
                continue; // ended meanwhile
            }
            long now = THREADS.getThreadCpuTime(t.getThreadId());
            if (now < 0) {
                continue;
            }
            long used = now - Math.max(0, threads0.getOrDefault(t.getThreadId(), 0L));
            if (brokerPid == 0 && BROKER_THREAD.matcher(t.getThreadName()).find()) {
                broker += used / 1e9;
            } else {
                generator += used / 1e9;
            }
        }
        if (brokerPid != 0) {
            broker = seconds(brokerPid) - brokerProcess0; // its GC and JIT included
        }
        out.put("broker_cores", PulseBenchmark.round2(broker / wall));
        out.put("load_generator_cores", PulseBenchmark.round2(generator / wall));
        // GC and JIT of the harness JVM (shared with the broker when it runs there), and threads that ended
        double inHarness = brokerPid == 0 ? broker + generator : generator;
        out.put("harness_jvm_cores", PulseBenchmark.round2(Math.max(0, harness - inHarness) / wall));
        return out;
    }

    private static Map<Long, Long> threadNanos() {
        Map<Long, Long> nanos = new HashMap<>();
        for (long id : THREADS.getAllThreadIds()) {
            nanos.put(id, THREADS.getThreadCpuTime(id));
        }
        return nanos;
    }

    private static double harnessSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    /**
     * Every postgres process, with the CPU of its exited children: a backend that exits during the
     * phase leaves the live sum but lands in the postmaster's (which reaps it). Without the children
     * the figure went negative when a phase's service closed its connections (-0.05 cores in ingest).
     */
    private static double postgresSeconds() {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .mapToDouble(p -> {
                        String[] stat = stat(p);
                        return stat != null && stat[1].equals("(postgres)") ? ticks(stat) + childTicks(stat) : 0;
                    }).sum();
        } catch (IOException e) {
            return 0;
        }
    }

    private static double seconds(long pid) {
        String[] stat = stat(Path.of("/proc", Long.toString(pid)));
        return stat == null ? 0 : ticks(stat);
    }

    private static double ticks(String[] stat) {
        return (Long.parseLong(stat[13]) + Long.parseLong(stat[14])) / (double) TICKS_PER_SECOND;
    }

    /** cutime + cstime: CPU of the children the process has waited for. */
    private static double childTicks(String[] stat) {
        return (Long.parseLong(stat[15]) + Long.parseLong(stat[16])) / (double) TICKS_PER_SECOND;
    }

    private static String[] stat(Path proc) {
        try {
            return Files.readString(proc.resolve("stat")).split(" ");
        } catch (IOException | RuntimeException gone) {
            return null;
        }
    }
}
