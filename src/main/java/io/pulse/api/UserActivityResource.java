package io.pulse.api;

import jakarta.ws.rs.BeanParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.pulse.api.problem.Problem;
import io.pulse.api.query.QueryParameters;
import io.pulse.api.query.Requests;
import io.pulse.store.UserActivityQueries;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/** What one user did recently, window by window. */
@Path("/api/users/{user}/activity")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Users", description = "The activity of one user")
public class UserActivityResource {

    private final QueryParameters parameters;
    private final UserActivityQueries queries;

    public UserActivityResource(QueryParameters parameters, UserActivityQueries queries) {
        this.parameters = parameters;
        this.queries = queries;
    }

    @GET
    @Operation(summary = "Recent activity of one user", description = "Totals over the range (changes, bytes,"
            + " new pages, number of windows) and the windows themselves, newest first, per wiki. A user without"
            + " activity in the range gets zero totals and no windows, not a 404.")
    @APIResponse(responseCode = "400", description = ApiDocs.PROBLEM_400,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "500", description = ApiDocs.PROBLEM_500,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "503", description = ApiDocs.PROBLEM_503,
            content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
    @APIResponse(responseCode = "200", description = ApiDocs.OK)
    public Uni<ActivityAnswer> activity(@BeanParam ActivityParams params, @Context HttpServerRequest http) {
        Requests.Activity request = params.parse(parameters, UserPathSegment.user(http.path(), params.user));
        return queries.activity(request.filter(), request.user(), request.limit())
                .map(activity -> ActivityAnswer.of(request, activity));
    }
}
