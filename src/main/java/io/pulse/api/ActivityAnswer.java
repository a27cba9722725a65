package io.pulse.api;

import java.util.List;

import io.pulse.api.query.Requests;
import io.pulse.api.query.TimeRange;
import io.pulse.store.UserActivity;

/** One user's activity: totals over the range, and the newest windows (at most limit of them). */
public record ActivityAnswer(String user, TimeRange range, String wiki, String bot, int limit,
        UserActivity.Totals totals, List<UserActivity.Window> windows) {

    static ActivityAnswer of(Requests.Activity request, UserActivity activity) {
        return new ActivityAnswer(request.user(), request.range(), request.wiki(), request.bot().param(),
                request.limit(), activity.totals(), activity.windows());
    }
}
