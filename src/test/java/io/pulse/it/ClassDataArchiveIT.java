package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * The build's class-data archive serves the packaged service's classes, as every start of {@code ./pulse run}, of the
 * benchmark and of these tests maps it. With {@code -Xshare:on} the JVM refuses to start rather than run without it
 * (no archive, or one of another jar or JDK). A class list gone stale (a dependency added or upgraded) still gives
 * an archive, but one that misses what the service now loads: the jar then supplies those classes again and the
 * start slows by up to three seconds, which only the benchmark would show. Here the class-loading log tells.
 */
class ClassDataArchiveIT {

    static final Duration PATIENCE = Duration.ofSeconds(120);
    static final Path CLASS_LOG = Path.of("target", "class-data-archive-it-classes.log");

    @Test
    void shouldServeTheClassesOfAStartFromTheBuildsArchive() throws Exception {
        assumeFalse(Boolean.getBoolean("pulse.class-data-archive.skip"), "packaged with -Dpulse.class-data-archive.skip");
        FaultFixture.infra();
        assertThat(ClassDataArchive.fresh()).as("an archive of the packaged jar: ./mvnw package makes %s", ClassDataArchive.FILE)
                .isTrue();
        Files.deleteIfExists(CLASS_LOG);

        try (PulseProcess pulse = PulseProcess.aggregator("class-data-archive")
                .jvmOptions(List.of("-XX:TieredStopAtLevel=1", "-Xshare:on", "-Xlog:class+load=info:file=" + CLASS_LOG))) {
            pulse.start().awaitReady(PATIENCE);
            assertThat(pulse.withArchive()).isTrue();
        }

        // "[0.012s][info][class,load] java.lang.Object source: shared objects file"; a class read from a file says
        // "source: jar:file:...", "source: file:..." or "source: jrt:/java.base"; the rest were made at run time
        // (lambdas, proxies, generated accessors), which no archive of JDK 17 holds.
        List<String> loaded = Files.readAllLines(CLASS_LOG).stream().filter(l -> l.contains(" source: ")).toList();
        long fromArchive = loaded.stream().filter(l -> l.contains("source: shared objects file")).count();
        List<String> fromFiles = loaded.stream()
                .filter(l -> l.matches(".* source: (jar:|file:|jrt:).*"))
                .map(l -> l.replaceAll("^\\[[^]]*]\\[[^]]*]\\[[^]]*] ", ""))
                .toList();
        assertThat(fromArchive).as("classes the archive served").isGreaterThan(10_000);
        // A few dozen when the list was written (12-07), thousands from a list of older dependencies.
        assertThat(fromFiles).as("classes read from the jar or the JDK at start instead of the archive: is"
                + " src/main/docker/pulse.classlist stale? ./pulse class-list writes it again").hasSizeLessThan((int) fromArchive / 50);
    }
}
