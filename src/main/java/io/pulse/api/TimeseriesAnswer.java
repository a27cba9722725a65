package io.pulse.api;

import java.util.List;

import io.pulse.api.query.Requests;
import io.pulse.api.query.TimeRange;
import io.pulse.store.Series;

/** Series for a chart: the metric, the step, the range covered, the filters, and the points. */
public record TimeseriesAnswer(String metric, String step, TimeRange range, String wiki, String bot, String by,
        List<Series> series) {

    static TimeseriesAnswer of(Requests.Timeseries request, List<Series> series) {
        return new TimeseriesAnswer(request.metric().param(), request.stepText(), request.range(), request.wiki(),
                request.bot().param(), request.by().param(), series);
    }
}
