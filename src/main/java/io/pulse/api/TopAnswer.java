package io.pulse.api;

import java.util.List;

import io.pulse.api.query.Requests;
import io.pulse.api.query.TimeRange;

/** A top-N answer: the range actually covered, the filters applied, and the items, most changes first. */
public record TopAnswer<T>(TimeRange range, String wiki, String bot, int limit, List<T> items) {

    static <T> TopAnswer<T> of(Requests.Top request, List<T> items) {
        return new TopAnswer<>(request.range(), request.wiki(), request.bot().param(), request.limit(), items);
    }
}
