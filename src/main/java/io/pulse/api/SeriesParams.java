package io.pulse.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.jboss.resteasy.reactive.RestQuery;

import io.pulse.api.query.QueryParameters;
import io.pulse.api.query.Requests;

/** The parameters of the time series endpoint. */
public class SeriesParams extends RangeParams {

    @RestQuery
    @Parameter(description = "What to count per step (default changes). distinct_users is exact at every step:"
            + " users are counted once over all the windows of the step.",
            schema = @Schema(enumeration = { "changes", "bytes_added", "bytes_removed", "new_pages", "distinct_users" }))
    String metric;

    @RestQuery
    @Parameter(description = "Bucket length: a multiple of the window length (pulse.aggregate.window, 1m), as"
            + " <n>s, <n>m, <n>h or <n>d, e.g. 1m, 5m, 1h (default: the window). Buckets are aligned on the epoch (UTC)"
            + " and the range is widened to whole buckets: by less than a step at each end, so the last bucket may"
            + " reach past now, and a range may cover up to max-range plus two steps. At most pulse.api.max-points"
            + " (10000) buckets.",
            example = "5m")
    String step;

    @RestQuery
    @Parameter(description = "Split into several series: type (one per change type; metrics changes,"
            + " bytes_added, bytes_removed) or bot (\"bot\" and \"human\"; metric changes). Default (none): one series"
            + " named \"all\".", schema = @Schema(enumeration = { "none", "type", "bot" }))
    String by;

    Requests.Timeseries parse(QueryParameters parameters) {
        return parameters.timeseries(from, to, last, wiki, bot, metric, step, by);
    }
}
