package io.pulse.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * As root, PostgreSQL's tools run as the postgres user, which must pass through every directory above its data: a
 * PULSE_LOCAL_DIR made by mktemp -d (mode 700) failed with initdb's bare "Permission denied". The closed directory
 * is now named.
 */
class PgProcessesTest {

    @Test
    void shouldNameTheDirectoryClosedToOtherUsers(@TempDir Path tmp) throws Exception {
        Path closed = Files.createDirectory(tmp.resolve("closed"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Path open = Files.createDirectory(tmp.resolve("open"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwxr-xr-x")));
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwxr-xr-x")); // JUnit makes it 700

        assertThat(PgProcesses.closedAncestor(closed.resolve("pg"))).contains(closed);
        assertThat(PgProcesses.closedAncestor(open.resolve("pg"))).as("every directory above open").isEmpty();
    }
}
