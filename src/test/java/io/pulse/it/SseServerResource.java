package io.pulse.it;

import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts the local EventStreams stand-in and points Pulse's Wikimedia ingest at it. One server for
 * the whole test JVM; tests append their recordings to it and script its faults.
 */
public class SseServerResource implements QuarkusTestResourceLifecycleManager {

    private static TestSseServer server;

    public static synchronized TestSseServer server() {
        if (server == null) {
            server = new TestSseServer().start();
        }
        return server;
    }

    @Override
    public Map<String, String> start() {
        return Map.of(
                "pulse.wikimedia.enabled", "true",
                "pulse.wikimedia.url", server().url(),
                // fast reconnects keep the fault tests short; production keeps the 1 s default
                "pulse.wikimedia.connection.initial-backoff", "50ms",
                "pulse.wikimedia.connection.max-backoff", "2s",
                "pulse.wikimedia.connection.idle-timeout", "5s");
    }

    @Override
    public void stop() {
        // shared by every test class of the JVM; its Vert.x threads die with the JVM
    }
}
