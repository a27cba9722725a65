package io.pulse.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The application class-data archive (AppCDS), by the rule of {@code class_data_archive} in {@code ./pulse}
 * (keep the two alike): a run without one writes it when it stops ({@code -XX:ArchiveClassesAtExit}),
 * later runs map it ({@code -XX:SharedArchiveFile}). The benchmark deletes it first, so its first phase
 * measures a cold start and writes an archive of the jar under test (./pulse checks the jar's age instead).
 */
final class ClassDataArchive {

    static final Path FILE = Path.of("target", "pulse-appcds.jsa");

    private ClassDataArchive() {
    }

    static void delete() {
        try {
            Files.deleteIfExists(FILE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JVM options of the next run; the dump's thousands of "skipping" warnings are not logged. */
    static List<String> options() {
        return Files.exists(FILE) ? List.of("-XX:SharedArchiveFile=" + FILE)
                : List.of("-XX:ArchiveClassesAtExit=" + FILE, "-Xlog:cds=off");
    }
}
