package io.pulse.store;

import java.util.Locale;

/** Which changes a read counts: all, humans only, or bots only. Sent to SQL as its lower-case name. */
public enum BotFilter {
    INCLUDE, EXCLUDE, ONLY;

    public String param() {
        return name().toLowerCase(Locale.ROOT);
    }
}
