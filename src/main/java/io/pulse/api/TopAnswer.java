package io.pulse.api;

import java.util.List;

import io.pulse.api.query.Requests;
import io.pulse.api.query.TimeRange;

/**
 * A top-N answer: the range actually covered, the filters applied, and the items, most changes first;
 * {@code truncated} when there were more than the limit (shares computed from the items alone would be wrong).
 */
public record TopAnswer<T>(TimeRange range, String wiki, String bot, int limit, boolean truncated, List<T> items) {

    /** @param items up to one more than the request's limit: that one says there were more */
    static <T> TopAnswer<T> of(Requests.Top request, List<T> items) {
        boolean truncated = items.size() > request.limit();
        return new TopAnswer<>(request.range(), request.wiki(), request.bot().param(), request.limit(), truncated,
                truncated ? items.subList(0, request.limit()) : items);
    }
}
