package io.pulse.store;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The live rankings' per-window candidate lists ({@code pulse.rankings.*}); see {@link LiveRankings}. */
@ConfigMapping(prefix = "pulse.rankings")
public interface RankingsConfig {

    /**
     * Rows listed per window as candidates. Reading a window costs a scan of its rows whatever this is;
     * more rows settle flatter counts from the lists alone, at more memory per list.
     */
    @WithDefault("100")
    int candidatesPerWindow();

    /** Window lists kept, one per table, window, wiki filter and bot filter. */
    @WithDefault("512")
    int cachedLists();

    /** Ranges of fewer windows are read in one statement: lists pay off from this many windows on. */
    @WithDefault("3")
    int minWindows();
}
