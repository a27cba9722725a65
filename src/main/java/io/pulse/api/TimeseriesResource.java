package io.pulse.api;

import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.pulse.api.problem.Problem;
import io.pulse.api.query.QueryParameters;
import io.pulse.api.query.Requests;
import io.pulse.store.SeriesQueries;
import io.smallrye.mutiny.Uni;

/** Per-step series for charts, computed from the window tables, exact at every step. */
@Path("/api/timeseries")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Time series", description = "Per-step series for charts")
public class TimeseriesResource {

    private final QueryParameters parameters;
    private final SeriesQueries queries;

    public TimeseriesResource(QueryParameters parameters, SeriesQueries queries) {
        this.parameters = parameters;
        this.queries = queries;
    }

    @GET
    @Operation(summary = "A metric per step", description = "One point per step that has data: steps without"
            + " any stored window are omitted (read them as 0, or for distinct_users as no users). Sums are"
            + " exact; distinct_users counts each user name once per step, over the union of the step's windows"
            + " and wikis. bytes_added, bytes_removed and new_pages need bot=include (the store counts only"
            + " changes apart for bots). by=type or by=bot splits the series for stacked charts (by=none, the default: one series).")
    @APIResponse(responseCode = "400", description = ApiDocs.PROBLEM_400,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "500", description = ApiDocs.PROBLEM_500,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = ApiDocs.PROBLEM_503,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "200", description = ApiDocs.OK)
    public Uni<TimeseriesAnswer> series(@BeanParam SeriesParams params) {
        Requests.Timeseries request = params.parse(parameters);
        return queries.series(request.filter(), request.metric(), request.by(), request.step())
                .map(series -> TimeseriesAnswer.of(request, series));
    }
}
