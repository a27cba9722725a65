package io.pulse.ingest;

import java.time.Duration;

/** How one SSE feed is read: identification, limits and reconnect behaviour. */
public record SseSettings(
        String userAgent,
        Duration connectTimeout,
        Duration idleTimeout,
        int maxEventBytes,
        Duration initialBackoff,
        Duration maxBackoff,
        double jitter) {
}
