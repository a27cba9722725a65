package io.pulse.replay;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * The bundled recording served as a Wikimedia-style SSE feed ({@code pulse.replay.*}), so that the
 * embedded default runs offline through the very client code that reads the live stream.
 */
@ConfigMapping(prefix = "pulse.replay")
public interface ReplayConfig {

    /** Serve {@code /replay/wikimedia/recentchange}. */
    @WithDefault("false")
    boolean enabled();

    /** Events per second; 0 replays as fast as the client reads. */
    @WithDefault("50")
    int eventsPerSecond();

    /**
     * Once the recording has been played, the stream stays open, as a quiet live feed does, with a comment
     * this often: below the ingest's {@code idle-timeout} (30 s), which would otherwise replace it. Closed,
     * it looked like a broken feed: reconnects without end and a degraded health check.
     */
    @WithDefault("10s")
    Duration heartbeat();

    /** Classpath resource holding the recording (JSON lines, gzip if the name ends in .gz). */
    @WithDefault("recordings/wikimedia-recentchange.jsonl.gz")
    String recording();
}
