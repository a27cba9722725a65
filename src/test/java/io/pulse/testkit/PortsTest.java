package io.pulse.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;

/**
 * The test infrastructure's servers listen below the kernel's ephemeral range, so a stopped broker's or
 * database's port cannot become the local end of a client connection before it restarts (and a port
 * chosen before a server binds it cannot be taken by one either).
 */
class PortsTest {

    private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    @Test
    void shouldReadTheEphemeralRangeAsTheKernelStatesIt() throws IOException {
        int expected;
        try (InputStream in = Files.newInputStream(RANGE)) {
            expected = Integer.parseInt(new String(in.readNBytes(64), StandardCharsets.US_ASCII).trim().split("\\s+")[0]);
        }

        assertThat(Ports.ephemeralRangeStart()).isEqualTo(expected);
    }

    @Test
    void shouldHandOutFreePortsBelowTheEphemeralRange() {
        int ephemeralLow = Ports.ephemeralRangeStart();
        assumeTrue(ephemeralLow > 11_000, "a kernel whose ephemeral range leaves room below it");

        for (int i = 0; i < 20; i++) {
            int port = Ports.preferredOrFree(0);
            assertThat(port).isBetween(10_000, ephemeralLow - 1);
            assertThat(Ports.isFree(port)).isTrue();
        }
    }
}
