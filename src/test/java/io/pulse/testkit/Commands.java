package io.pulse.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command to its end, or to a timeout, and keeps what it printed. */
public final class Commands {

    /** Exit code -1: timed out (and killed). */
    public record Output(int exitCode, String output) {
    }

    private Commands() {
    }

    public static Output run(List<String> command, Duration timeout) {
        Path output = null;
        try {
            output = Files.createTempFile("pulse-cmd-", ".out");
            // Output goes to a file, not a pipe: a daemon child holding the pipe open must not hang us, nor a
            // command that never ends (a thread dump of a stuck JVM) make a read of its output wait for good.
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                return new Output(-1, "timed out: " + String.join(" ", command));
            }
            return new Output(p.exitValue(), Files.readString(output));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot run " + command, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while running " + command, e);
        } finally {
            if (output != null) {
                output.toFile().delete();
            }
        }
    }
}
