package io.pulse.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;

/** Loopback port helpers shared by the local infrastructure classes and the tests that start servers. */
public final class Ports {

    private static final int LOWEST = 10_000;

    private Ports() {
    }

    /** The preferred port when it is free on 127.0.0.1 (0 means "no preference"), else any free port. */
    public static int preferredOrFree(int preferred) {
        if (preferred > 0 && isFree(preferred)) {
            return preferred;
        }
        // Below the kernel's ephemeral range: while a server is stopped for a fault test, its port must not
        // be handed out as the local end of some client's outgoing connection, or the restart cannot bind.
        int ephemeralLow = ephemeralRangeStart();
        for (int attempt = 0; attempt < 100 && ephemeralLow > LOWEST; attempt++) {
            int candidate = ThreadLocalRandom.current().nextInt(LOWEST, ephemeralLow);
            if (isFree(candidate)) {
                return candidate;
            }
        }
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free loopback port", e);
        }
    }

    static boolean isFree(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            // Same option the servers use, so a port left in TIME_WAIT by a previous run counts as free.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static int ephemeralRangeStart() {
        try {
            // One read of the whole line: a sysctl file answers a read at a non-zero offset with EOF, and
            // Files.readString (a 0-byte first read, then one byte, then the rest) returned "3" for "32768 60999".
            String range = Files.readAllLines(Path.of("/proc/sys/net/ipv4/ip_local_port_range")).get(0);
            return Integer.parseInt(range.trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return 32_768; // Linux's default.
        }
    }
}
