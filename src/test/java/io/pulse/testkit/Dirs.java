package io.pulse.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** File-system helpers for the throwaway directories of the local infrastructure (and the tests' browsers). */
public final class Dirs {

    private Dirs() {
    }

    /** A new directory under /tmp: world-traversable, unlike a CI checkout that may sit in a 0700 directory. */
    static Path newTempDir(String prefix) {
        try {
            return Files.createTempDirectory(Path.of("/tmp"), prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot create a directory under /tmp", e);
        }
    }

    /** A new directory under /tmp, deleted once this JVM has exited by any means. */
    public static Path throwawayDir(String prefix) {
        Path dir = newTempDir(prefix);
        deleteWhenJvmDies(dir, List.of());
        return dir;
    }

    /**
     * Once this JVM has exited by any means, even SIGKILL (when no shutdown hook runs), runs
     * {@code command} if not empty and deletes {@code dir}: a detached shell waits for our process id.
     */
    static void deleteWhenJvmDies(Path dir, List<String> command) {
        List<String> watchdog = new ArrayList<>(List.of("sh", "-c",
                "pid=$1; dir=$2; shift 2; tail --pid=\"$pid\" -f /dev/null; "
                        + "if [ $# -gt 0 ]; then \"$@\"; fi; rm -rf -- \"$dir\"",
                "pulse-watchdog", Long.toString(ProcessHandle.current().pid()), dir.toString()));
        watchdog.addAll(command);
        try {
            new ProcessBuilder(watchdog).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot start the clean-up watchdog for " + dir, e);
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot delete " + dir, e);
        }
    }
}
