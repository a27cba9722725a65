package io.pulse.store;

import jakarta.enterprise.context.ApplicationScoped;

import io.pulse.config.SettingsCheck;
import io.quarkus.runtime.Startup;

/**
 * Checks {@code pulse.rankings.*} at start. Unchecked, a negative {@code cached-lists} failed at the first snapshot
 * without naming itself, a {@code min-windows} of 0 answered every range it cannot list (too long, not whole windows)
 * with empty rankings instead of reading every row, and {@code candidates-per-window} 0 was the limit in disguise.
 * A bean of its own, as the other settings checks: {@link LiveRankings} stays created at its first use.
 */
@Startup
@ApplicationScoped
public class RankingsSettings {

    public RankingsSettings(RankingsConfig config) {
        check(config);
    }

    static void check(RankingsConfig config) {
        new SettingsCheck()
                .atLeast("pulse.rankings.candidates-per-window", config.candidatesPerWindow(), 1)
                .atLeast("pulse.rankings.cached-lists", config.cachedLists(), 0)
                .atLeast("pulse.rankings.min-windows", config.minWindows(), 1)
                .orFail();
    }
}
