package io.pulse.api.query;

import java.time.Duration;
import java.time.Instant;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The range an answer covers: [from, to), aligned on window (or step) boundaries. Requested ranges
 * are widened to whole windows: {@code from} floored, {@code to} ceiled, so what is reported is
 * exactly what was summed.
 */
@Schema(description = "The range covered, [from, to), aligned on window (or step) boundaries")
public record TimeRange(Instant from, Instant to) {

    static final String DURATION_FORMAT = "a positive number of seconds, minutes, hours or days such as 30s, 15m, 1h or 7d";
    public static final Duration DEFAULT_LAST = Duration.ofHours(1);

    /**
     * Either {@code last} (relative to {@code now}), or both {@code from} and {@code to}; neither
     * means the last hour. Null, with the errors recorded, when the parameters are invalid.
     */
    static TimeRange parse(ParameterParser p, String from, String to, String last, Instant now,
            Duration alignment, Duration maxRange) {
        if (last != null && (from != null || to != null)) {
            p.reject("last", "give either last or from and to, not both");
            return null;
        }
        Instant start;
        Instant end;
        if (from == null && to == null) {
            Duration span = last == null ? DEFAULT_LAST : p.duration("last", last);
            if (span == null) {
                return null;
            }
            if (span.compareTo(maxRange) > 0) {
                p.reject("last", "the range may not be longer than " + ParameterParser.format(maxRange));
                return null;
            }
            start = now.minus(span);
            end = now;
        } else {
            if (from == null || to == null) {
                p.reject(from == null ? "from" : "to", "from and to must be given together");
                return null;
            }
            start = p.instant("from", from);
            end = p.instant("to", to);
            if (start == null || end == null) {
                return null;
            }
            if (!start.isBefore(end)) {
                p.reject("from", "from must be before to");
                return null;
            }
            if (Duration.between(start, end).compareTo(maxRange) > 0) {
                p.reject("from", "the range may not be longer than " + ParameterParser.format(maxRange));
                return null;
            }
        }
        Instant ceiled = ceil(end, alignment);
        if (ceiled.isAfter(ParameterParser.LATEST)) {
            // Answered, it would echo a five-digit year: refused when sent back, and unreadable to most clients.
            p.reject("to", "to, rounded up to whole windows (or steps), must not pass 9999-12-31T23:59:59Z");
            return null;
        }
        return new TimeRange(floor(start, alignment), ceiled);
    }

    public Duration length() {
        return Duration.between(from, to);
    }

    static Instant floor(Instant t, Duration unit) {
        long u = unit.toMillis();
        return Instant.ofEpochMilli(Math.floorDiv(t.toEpochMilli(), u) * u);
    }

    /** At nanosecond precision: 10:05:00.0005 is past the 10:05 boundary, as its window is. */
    static Instant ceil(Instant t, Duration unit) {
        Instant floor = floor(t, unit);
        return floor.equals(t) ? t : floor.plus(unit);
    }
}
