package io.pulse.replay;

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

    /** Classpath resource holding the recording (JSON lines, gzip if the name ends in .gz). */
    @WithDefault("recordings/wikimedia-recentchange.jsonl.gz")
    String recording();
}
