package io.pulse.alert;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import io.pulse.api.problem.Problem;
import io.smallrye.mutiny.Multi;

/**
 * Alerts as they are raised, by any replica ({@link AlertFeed}), for dashboards:
 * {@code new EventSource('/alerts/stream')} receives one named {@code alert} event per new alert, with
 * the alert's storage sequence as {@code id:}. Live only: alerts raised while disconnected are in
 * {@code GET /api/alerts}.
 */
@Path("/alerts/stream")
public class AlertStreamResource {

    private final AlertHub hub;

    public AlertStreamResource(AlertHub hub) {
        this.hub = hub;
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Newly raised alerts over Server-Sent Events", description = "Named `alert` events with JSON data")
    @APIResponse(responseCode = "200", description = "An endless text/event-stream")
    @APIResponse(responseCode = "503", description = "Subscriber limit reached (problem JSON, Retry-After)")
    public Multi<OutboundSseEvent> stream(@Context Sse sse) {
        Multi<Alert> alerts;
        try {
            alerts = hub.subscribe();
        } catch (AlertHub.TooManySubscribers full) {
            throw Problem.tooManySubscribers(full.getMessage(), "/alerts/stream");
        }
        return alerts.map(a -> sse.newEventBuilder()
                .name("alert")
                .id(String.valueOf(a.sequence()))
                .reconnectDelay(2000)
                .mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(Alert.class, a)
                .build());
    }
}
