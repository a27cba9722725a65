package io.pulse.api;

import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.jboss.resteasy.reactive.RestQuery;

/**
 * Query parameters every read takes: the time range and the wiki and bot filters. All are read as
 * strings and validated by {@link io.pulse.api.query.QueryParameters}, so that a malformed value is a
 * 400 problem naming the parameter, not a JAX-RS conversion error.
 */
public class RangeParams {

    @RestQuery
    @Parameter(description = ApiDocs.FROM, example = "2026-01-31T12:00:00Z")
    String from;

    @RestQuery
    @Parameter(description = ApiDocs.TO, example = "2026-01-31T13:00:00Z")
    String to;

    @RestQuery
    @Parameter(description = ApiDocs.LAST, example = "15m")
    String last;

    @RestQuery
    @Parameter(description = ApiDocs.WIKI, example = "en.wikipedia.org")
    String wiki;

    @RestQuery
    @Parameter(description = ApiDocs.BOT, example = "exclude")
    String bot;
}
