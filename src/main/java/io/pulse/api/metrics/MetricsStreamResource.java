package io.pulse.api.metrics;

import java.util.ArrayList;
import java.util.List;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import io.pulse.api.StalledClients;
import io.pulse.api.problem.InvalidParametersException;
import io.pulse.api.problem.ParameterError;
import io.pulse.api.problem.Problem;
import io.pulse.api.query.QueryParameters;
import io.smallrye.mutiny.Multi;
import io.vertx.core.http.HttpServerRequest;

/**
 * Live metrics for browsers: {@code new EventSource('/metrics/stream')} receives a {@code snapshot}
 * event at once and then every interval, or sooner after a commit. Each event has an {@code id:};
 * snapshots are state, not deltas, so a reconnecting client simply gets the current one.
 */
@Path("/metrics/stream")
public class MetricsStreamResource {

    static final long RECONNECT_MS = 2000;

    private final SnapshotHub hub;

    public MetricsStreamResource(SnapshotHub hub) {
        this.hub = hub;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Live metrics snapshots over Server-Sent Events",
            description = "Named `snapshot` events with JSON data (MetricsSnapshot) on connect and then every "
                    + "`pulse.metrics.interval`, or `pulse.metrics.min-interval` after the last one when this replica's"
                    + " aggregator commits new figures. Figures cover the whole stream on every replica.")
    @APIResponse(responseCode = "200", description = "An endless text/event-stream")
    @APIResponse(responseCode = "400", description = "Invalid wiki filter (problem JSON)")
    @APIResponse(responseCode = "503", description = "Subscriber limit, or distinct feeds limit (pulse.metrics.max-feeds),"
            + " reached (problem JSON, Retry-After)")
    public Multi<OutboundSseEvent> stream(
            @Parameter(description = "Only this wiki, by id (enwiki) or domain (en.wikipedia.org)") @QueryParam("wiki") String wiki,
            @Parameter(description = "`dashboard` adds the dashboard view (history of the last hour, rankings of the "
                    + "last 30 minutes) to every snapshot") @QueryParam("view") String view,
            @Context Sse sse, @Context HttpServerRequest request) {
        List<ParameterError> errors = new ArrayList<>();
        ParameterError wikiError = QueryParameters.wikiError(wiki);
        if (wikiError != null) {
            errors.add(wikiError);
        }
        if (view != null && !view.isEmpty() && !view.equals("dashboard")) {
            errors.add(new ParameterError("view", "view must be dashboard or absent"));
        }
        if (!errors.isEmpty()) {
            throw new InvalidParametersException(errors);
        }
        Multi<MetricsSnapshot> snapshots;
        try {
            snapshots = hub.subscribe(wiki == null || wiki.isBlank() ? null : wiki, "dashboard".equals(view),
                    () -> StalledClients.letGo(request));
        } catch (SnapshotHub.TooManySubscribers | SnapshotHub.TooManyFeeds full) {
            throw Problem.tooManySubscribers(full.getMessage(), "/metrics/stream");
        }
        return snapshots.map(s -> sse.newEventBuilder()
                .name("snapshot")
                .id(Long.toString(s.sequence()))
                .reconnectDelay(RECONNECT_MS)
                .mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(MetricsSnapshot.class, s)
                .build());
    }
}
