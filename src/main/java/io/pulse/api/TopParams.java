package io.pulse.api;

import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.jboss.resteasy.reactive.RestQuery;

import io.pulse.api.query.QueryParameters;
import io.pulse.api.query.Requests;

/** The parameters of the top-N endpoints. */
public class TopParams extends RangeParams {

    @RestQuery
    @Parameter(description = ApiDocs.LIMIT, example = "20") // a breakdown's default is 100
    String limit;

    Requests.Top parse(QueryParameters parameters) {
        return parameters.top(from, to, last, wiki, bot, limit);
    }

    Requests.Top parseBreakdown(QueryParameters parameters) {
        return parameters.breakdown(from, to, last, wiki, bot, limit);
    }
}
