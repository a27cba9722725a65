package io.pulse.api;

import java.util.List;

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
import io.pulse.store.ReadFilter;
import io.pulse.store.TopItems;
import io.pulse.store.TopQueries;
import io.smallrye.mutiny.Uni;

/** Top-N rankings over a time range, for dashboards: who, what and where changes most. */
@Path("/api")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Top", description = "Rankings over a time range: most changes first, then by key")
@APIResponse(responseCode = "400", description = ApiDocs.PROBLEM_400,
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "500", description = ApiDocs.PROBLEM_500,
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
@APIResponse(responseCode = "503", description = ApiDocs.PROBLEM_503,
        content = @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class)))
public class TopResource {

    private static final String BYTES_NOTE = " With bot=exclude or only, bytes_added, bytes_removed and new_pages"
            + " are null: the store counts only changes apart for bots.";

    private final QueryParameters parameters;
    private final TopQueries queries;

    public TopResource(QueryParameters parameters, TopQueries queries) {
        this.parameters = parameters;
        this.queries = queries;
    }

    @GET
    @Path("top/users")
    @Operation(summary = "Most active users", description = "Users per wiki by changes, with their bot flag and"
            + " a link to their user page. Bot filters read each row's bot flag: a user whose changes in a window"
            + " include one flagged as a bot's counts as a bot there, with all its changes of that window (MediaWiki"
            + " flags bot accounts' changes, so a user's are mostly all or none).")
    @APIResponse(responseCode = "200", description = ApiDocs.OK)
    public Uni<TopAnswer<TopItems.User>> users(@BeanParam TopParams params) {
        return top(params, queries::users);
    }

    @GET
    @Path("top/pages")
    @Operation(summary = "Most changed pages", description = "Pages (per wiki) by changes, with namespace and"
            + " link." + BYTES_NOTE)
    @APIResponse(responseCode = "200", description = ApiDocs.OK)
    public Uni<TopAnswer<TopItems.Page>> pages(@BeanParam TopParams params) {
        return top(params, queries::pages);
    }

    @GET
    @Path("namespaces")
    @Operation(summary = "Changes per namespace", description = "Namespace breakdown, summed over the wikis"
            + " selected (namespace -1: events without one, such as some log events)." + BYTES_NOTE)
    @APIResponse(responseCode = "200", description = ApiDocs.OK)
    public Uni<TopAnswer<TopItems.Namespace>> namespaces(@BeanParam TopParams params) {
        return breakdown(params, queries::namespaces);
    }

    @GET
    @Path("wikis")
    @Operation(summary = "Most active wikis", description = "Wikis by changes, with their domain." + BYTES_NOTE)
    @APIResponse(responseCode = "200", description = ApiDocs.OK)
    public Uni<TopAnswer<TopItems.Wiki>> wikis(@BeanParam TopParams params) {
        return top(params, queries::wikis);
    }

    @GET
    @Path("types")
    @Operation(summary = "Changes per type", description = "edit, new, log, categorize, external."
            + " With bot=exclude or only, bytes_added and bytes_removed are null.")
    @APIResponse(responseCode = "200", description = ApiDocs.OK)
    public Uni<TopAnswer<TopItems.Type>> types(@BeanParam TopParams params) {
        return breakdown(params, queries::types);
    }

    private <T> Uni<TopAnswer<T>> top(TopParams params, Query<T> query) {
        return answer(params.parse(parameters), query);
    }

    private <T> Uni<TopAnswer<T>> breakdown(TopParams params, Query<T> query) {
        return answer(params.parseBreakdown(parameters), query);
    }

    /** One item more than asked for: it tells whether the list was cut. */
    private static <T> Uni<TopAnswer<T>> answer(Requests.Top request, Query<T> query) {
        return query.read(request.filter(), request.limit() + 1).map(items -> TopAnswer.of(request, items));
    }

    @FunctionalInterface
    private interface Query<T> {
        Uni<List<T>> read(ReadFilter filter, int limit);
    }
}
