package io.pulse.store;

import java.util.Locale;

/** How a time series is split into several series: not at all, per change type, or bots vs humans. */
public enum SeriesSplit {
    NONE, TYPE, BOT;

    public String param() {
        return name().toLowerCase(Locale.ROOT);
    }
}
