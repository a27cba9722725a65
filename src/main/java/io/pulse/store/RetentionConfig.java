package io.pulse.store;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** How long the aggregate windows are kept ({@code pulse.retention.*}): {@link WindowRetention}. */
@ConfigMapping(prefix = "pulse.retention")
public interface RetentionConfig {

    /**
     * Windows that started longer ago than this are deleted, in every aggregate table. 0 keeps every window:
     * the tables then grow for good (some 5 million page and user rows a day of the whole Wikimedia feed).
     * At least a day otherwise; the API answers ranges up to {@code pulse.api.max-range} whatever it is.
     */
    @WithDefault("0s")
    Duration windows();

    /** How often old windows are looked for and deleted. */
    @WithDefault("10m")
    Duration interval();

    /** Rows deleted per statement (each its own transaction): a day's rows never lock a table at once. */
    @WithDefault("10000")
    int batchRows();
}
