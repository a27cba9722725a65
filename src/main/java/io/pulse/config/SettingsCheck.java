package io.pulse.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Bounds on settings, checked at start: every one out of bounds is named, then the start stops
 * ({@link IllegalArgumentException}) rather than a setting failing later and quietly.
 */
public final class SettingsCheck {

    private final List<String> problems = new ArrayList<>();

    public SettingsCheck atLeast(String property, long value, long min) {
        return require(value >= min, property + " must be at least " + min + ", not " + value);
    }

    public SettingsCheck between(String property, long value, long min, long max) {
        return require(value >= min && value <= max, property + " must be " + min + " to " + max + ", not " + value);
    }

    public SettingsCheck atLeast(String property, Duration value, Duration min) {
        return require(value.compareTo(min) >= 0, property + " must be at least " + min + ", not " + value);
    }

    public SettingsCheck require(boolean holds, String problem) {
        if (!holds) {
            problems.add(problem);
        }
        return this;
    }

    /** @throws IllegalArgumentException naming every setting out of bounds */
    public void orFail() {
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", problems));
        }
    }
}
