package io.pulse.api;

import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestQuery;

import io.pulse.api.query.QueryParameters;
import io.pulse.api.query.Requests;

/** The parameters of one user's activity. */
public class ActivityParams extends RangeParams {

    @RestPath
    @Parameter(description = "The MediaWiki user name (or IP address), URL-encoded; underscores read as spaces."
            + " At most 255 bytes, none of # < [ ] | { } nor control characters.", example = "Ss112")
    String user;

    @RestQuery
    @Parameter(description = "How many windows to list, newest first: 1 to 1000, default 100. The totals always"
            + " cover the whole range.", example = "100")
    String limit;

    /** @param user the path's user, as {@link UserPathSegment} reads it */
    Requests.Activity parse(QueryParameters parameters, String user) {
        return parameters.activity(user, from, to, last, wiki, bot, limit);
    }
}
