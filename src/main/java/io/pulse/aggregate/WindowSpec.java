package io.pulse.aggregate;

import java.time.Duration;

/** Tumbling event-time windows and the lateness rule. */
public record WindowSpec(long sizeMs, long allowedLatenessMs) {

    public WindowSpec {
        if (sizeMs <= 0 || allowedLatenessMs < 0) {
            throw new IllegalArgumentException("pulse.aggregate.window must be positive and pulse.aggregate.allowed-lateness"
                    + " not negative, not " + sizeMs + " ms and " + allowedLatenessMs + " ms");
        }
        if (sizeMs % 1000 != 0) {
            // The API's time series bucket by whole seconds (date_bin): 500ms made every default series
            // request fail (a stride of 0), 1500ms gave buckets across windows.
            throw new IllegalArgumentException("pulse.aggregate.window must be a whole number of seconds, not "
                    + sizeMs + " ms");
        }
    }

    public static WindowSpec of(Duration size, Duration allowedLateness) {
        return new WindowSpec(size.toMillis(), allowedLateness.toMillis());
    }

    public long windowStart(long eventTimeMs) {
        return Math.floorDiv(eventTimeMs, sizeMs) * sizeMs;
    }

    /**
     * An event is late when the watermark (newest event time seen minus the allowed lateness)
     * has already passed the end of its window.
     */
    public boolean isLate(long eventTimeMs, long maxEventTimeSeenMs) {
        return maxEventTimeSeenMs != Long.MIN_VALUE
                && windowStart(eventTimeMs) + sizeMs <= maxEventTimeSeenMs - allowedLatenessMs;
    }
}
