package io.pulse;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * The JVM options the benchmark measures (src/main/docker/jvm.options, an argfile) are the ones the Docker image
 * runs with, although the image's start script (run-java.sh) puts collector tuning of its own before them: it made
 * the parallel collector shrink the heap as the benchmark never measured.
 */
class JvmOptionsTest {

    /** What run-java.sh of the ubi9 openjdk-17 image generates ahead of JAVA_OPTS_APPEND. */
    static final List<String> IMAGE_DEFAULTS = List.of("-XX:MaxRAMPercentage=80", "-XX:MinHeapFreeRatio=10",
            "-XX:MaxHeapFreeRatio=20", "-XX:GCTimeRatio=4", "-XX:AdaptiveSizePolicyWeight=90", "-XX:+ExitOnOutOfMemoryError");
    static final List<String> FLAGS = List.of("MinHeapFreeRatio", "MaxHeapFreeRatio", "AdaptiveSizePolicyWeight",
            "GCTimeRatio", "MaxHeapSize", "InitialHeapSize", "UseParallelGC", "ExitOnOutOfMemoryError");

    @Test
    void shouldRunTheImageWithTheOptionsTheBenchmarkMeasured() throws Exception {
        Map<String, String> measured = flags(List.of());
        Map<String, String> image = flags(IMAGE_DEFAULTS);

        assertThat(image).isEqualTo(measured);
        assertThat(measured.get("ExitOnOutOfMemoryError")).isEqualTo("true");
    }

    private static Map<String, String> flags(List<String> before) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(before);
        command.add("@src/main/docker/jvm.options");
        command.add("-XX:+PrintFlagsFinal");
        command.add("-version");
        Process java = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(java.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(java.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(java.exitValue()).as(out).isZero();
        Map<String, String> flags = new TreeMap<>();
        for (String line : out.split("\n")) {
            String[] parts = line.trim().split("\\s+");
            if (parts.length >= 4 && parts[2].equals("=") && FLAGS.contains(parts[1])) {
                flags.put(parts[1], parts[3]);
            }
        }
        assertThat(flags.keySet()).containsExactlyInAnyOrderElementsOf(FLAGS);
        return flags;
    }
}
