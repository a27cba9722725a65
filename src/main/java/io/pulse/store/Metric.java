package io.pulse.store;

import java.util.Locale;

/** What a time series measures. */
public enum Metric {
    CHANGES, BYTES_ADDED, BYTES_REMOVED, NEW_PAGES, DISTINCT_USERS;

    public String param() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The store splits only the change count by bot ({@code bot_changes}); bytes and new pages are
     * summed over bots and humans together, so they cannot be filtered by bot.
     */
    public boolean filterableByBot() {
        return this == CHANGES || this == DISTINCT_USERS;
    }
}
