package io.pulse.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The class-data archive (AppCDS) the build dumps beside the packaged jar (the pom's exec-maven-plugin, from the
 * class list {@code src/main/docker/pulse.classlist}), used by the rule of {@code class_data_archive} in
 * {@code ./pulse} (keep the two alike): mapped when it is newer than the jar, as the JVM ties it to the jar it was
 * dumped with and would not use it, nor its JDK part, for another.
 */
public final class ClassDataArchive {

    public static final Path FILE = Path.of("target", "pulse-appcds.jsa");
    static final Path JAR = Path.of("target", "pulse-runner.jar");

    private ClassDataArchive() {
    }

    /** Whether the build made an archive of the jar now packaged. */
    public static boolean fresh() {
        try {
            return Files.exists(FILE) && Files.exists(JAR)
                    && Files.getLastModifiedTime(FILE).compareTo(Files.getLastModifiedTime(JAR)) > 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JVM options of a start: the archive when the build made one of this jar, none otherwise. */
    public static List<String> options() {
        return fresh() ? List.of("-XX:SharedArchiveFile=" + FILE) : List.of();
    }
}
