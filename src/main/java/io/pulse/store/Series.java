package io.pulse.store;

import java.time.Instant;
import java.util.List;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** One named series of a time series answer: "all", a change type, "bot" or "human". */
@Schema(description = "One series: \"all\", a change type, \"bot\" or \"human\"; points in time order")
public record Series(String name, List<Point> points) {

    /** The value of the bucket starting at {@code start}. */
    @Schema(name = "SeriesPoint", description = "The value of the step starting at start")
    public record Point(Instant start, long value) {
    }
}
