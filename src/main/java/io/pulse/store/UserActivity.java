package io.pulse.store;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonProperty;

/** What one user did in a range: totals over all of it, and the newest windows one by one. */
public record UserActivity(Totals totals, List<Window> windows) {

    /** {@code windows} counts every (wiki, window) row in the range, also those beyond the list's limit. */
    @Schema(name = "ActivityTotals", description = "Over the whole range; windows counts every (wiki, window) row")
    public record Totals(long changes, @JsonProperty("bytes_added") long bytesAdded,
            @JsonProperty("bytes_removed") long bytesRemoved, @JsonProperty("new_pages") long newPages,
            long windows, boolean bot) {
    }

    @Schema(name = "ActivityWindow", description = "One window of one wiki")
    public record Window(String wiki, @JsonProperty("window_start") Instant windowStart,
            @JsonProperty("window_end") Instant windowEnd, boolean bot, long changes,
            @JsonProperty("bytes_added") long bytesAdded, @JsonProperty("bytes_removed") long bytesRemoved,
            @JsonProperty("new_pages") long newPages) {
    }
}
