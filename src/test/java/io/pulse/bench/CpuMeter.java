package io.pulse.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Where the machine's cores go during one phase: CPU seconds of the service, of PostgreSQL (every
 * {@code postgres} process) and of the harness JVM (the in-process broker, the load generator).
 * The cheapest profile there is, and the first question for any bottleneck: who is busy?
 */
final class CpuMeter {

    private static final long TICKS_PER_SECOND = 100; // USER_HZ on Linux

    private final long servicePid;
    private final long startNanos = System.nanoTime();
    private final double service0;
    private final double postgres0;
    private final double harness0;

    CpuMeter(long servicePid) {
        this.servicePid = servicePid;
        this.service0 = seconds(servicePid);
        this.postgres0 = postgresSeconds();
        this.harness0 = harnessSeconds();
    }

    /** CPU use over the phase, in cores (1.0 = one core busy the whole time), per process group. */
    Map<String, Object> stop() {
        double wall = (System.nanoTime() - startNanos) / 1e9;
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("service_cores", PulseBenchmark.round2((seconds(servicePid) - service0) / wall));
        out.put("postgres_cores", PulseBenchmark.round2((postgresSeconds() - postgres0) / wall));
        out.put("harness_and_broker_cores", PulseBenchmark.round2((harnessSeconds() - harness0) / wall));
        return out;
    }

    private static double harnessSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime() / 1e9;
    }

    /** Live postgres processes only: a backend that exited during the phase is missed (the pool keeps them open). */
    private static double postgresSeconds() {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit))
                    .mapToDouble(p -> {
                        String[] stat = stat(p);
                        return stat != null && stat[1].equals("(postgres)") ? ticks(stat) : 0;
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

    private static String[] stat(Path proc) {
        try {
            return Files.readString(proc.resolve("stat")).split(" ");
        } catch (IOException | RuntimeException gone) {
            return null;
        }
    }
}
