package io.pulse.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

import com.sun.security.auth.module.UnixSystem;

/** Runs the PostgreSQL command-line tools, as the postgres user when this JVM is root (they refuse root). */
final class PgProcesses {

    private static final boolean ROOT = new UnixSystem().getUid() == 0;
    private static final String OS_USER = "postgres";

    record Result(int exitCode, String output) {
        void orThrow(String what, Path logFile) {
            if (exitCode != 0) {
                String log = logFile == null ? "" : "\n--- tail of " + logFile + " ---\n" + tail(logFile, 40);
                throw new IllegalStateException("Failed " + what + " (exit " + exitCode + "):\n" + output + log);
            }
        }
    }

    private PgProcesses() {
    }

    /** The server binaries of the newest installed major version. */
    static Path binDir() {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            var newest = versions.map(v -> v.resolve("bin"))
                    .filter(bin -> Files.isExecutable(bin.resolve("pg_ctl")))
                    .max(Comparator.comparingInt(bin -> majorVersion(bin.getParent())));
            if (newest.isPresent()) {
                return newest.get();
            }
        } catch (IOException e) {
            // Not a Debian layout: ask pg_config below.
        }
        try {
            Process p = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
            Path bin = Path.of(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
            if (p.waitFor() == 0 && Files.isExecutable(bin.resolve("pg_ctl"))) {
                return bin;
            }
        } catch (IOException e) {
            // No pg_config either: fall through to the explanation.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new IllegalStateException("PostgreSQL server binaries (initdb, pg_ctl) not found under "
                + "/usr/lib/postgresql/*/bin nor via pg_config: install Debian's postgresql package "
                + "(apt-get install -y postgresql)");
    }

    /** A new cluster owned by {@code superuser}, reachable without password on the socket and 127.0.0.1 only. */
    static void initdb(Path binDir, Path dataDir, String superuser, boolean skipSync) {
        handToPostgresUser(dataDir);
        List<String> args = new ArrayList<>(List.of(binDir.resolve("initdb").toString(), "-D", dataDir.toString(),
                "-U", superuser, "--auth-host=trust", "--auth-local=trust", "-E", "UTF8", "--locale=C.UTF-8"));
        if (skipSync) {
            args.add("--no-sync");
        }
        run(args).orThrow("initdb " + dataDir, null);
    }

    static Result pgCtl(Path binDir, Path dataDir, String... args) {
        List<String> command = new ArrayList<>(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString()));
        command.addAll(List.of(args));
        return run(command);
    }

    /** Runs a PostgreSQL tool, as the postgres user when we are root. */
    static Result run(List<String> command) {
        return runAs(asOsUser(command));
    }

    private static Result runAs(List<String> command) {
        Commands.Output out = Commands.run(command, Duration.ofSeconds(120));
        return new Result(out.exitCode(), out.output());
    }

    /** Lets the postgres OS user own {@code dir} when we are root. */
    private static void handToPostgresUser(Path dir) {
        if (ROOT) {
            closedAncestor(dir).ifPresent(closed -> {
                // initdb said only "could not access directory ...: Permission denied".
                throw new IllegalStateException("PostgreSQL runs as the " + OS_USER + " user, which cannot reach " + dir
                        + ": " + closed + " is closed to other users (chmod o+x " + closed + ", or choose another"
                        + " PULSE_LOCAL_DIR)");
            });
            runAs(List.of("chown", OS_USER + ":", dir.toString())).orThrow("chown " + dir, null);
        }
    }

    /** The first directory above {@code dir} that other users cannot pass through (mode without o+x), if any. */
    static Optional<Path> closedAncestor(Path dir) {
        for (Path p = dir.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
            try {
                if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return Optional.of(p);
                }
            } catch (IOException e) {
                return Optional.empty(); // not ours to judge: initdb says what it meets
            }
        }
        return Optional.empty();
    }

    /** No server outlives this JVM, even one killed by SIGKILL: see {@link Dirs#deleteWhenJvmDies}. */
    static void cleanUpWhenJvmDies(Path binDir, Path dataDir) {
        Dirs.deleteWhenJvmDies(dataDir,
                asOsUser(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString(), "stop", "-m", "immediate")));
    }

    static String tail(Path file, int lines) {
        try {
            List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private static List<String> asOsUser(List<String> command) {
        if (!ROOT) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", OS_USER, "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    private static int majorVersion(Path versionDir) {
        try {
            return Integer.parseInt(versionDir.getFileName().toString());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
