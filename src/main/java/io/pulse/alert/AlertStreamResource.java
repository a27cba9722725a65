package io.pulse.alert;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

import io.pulse.aggregate.Causes;
import io.pulse.api.StallWatch;
import io.pulse.api.StalledClients;
import io.pulse.api.problem.Problem;
import io.pulse.store.DatabaseUnreachable;
import io.pulse.store.ReadTimedOutException;
import io.pulse.store.ReadsBusyException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;

/**
 * Alerts as they are raised, by any replica ({@link AlertFeed}), for dashboards:
 * {@code new EventSource('/alerts/stream')} receives one named {@code alert} event per new alert, with
 * the alert's storage sequence as {@code id:}. A browser's {@code EventSource} reconnects by itself and
 * sends the last id it received ({@code Last-Event-ID}): the alerts published after it come first
 * (the newest {@code pulse.alert.stream-buffer} of them), then the live ones. A page that opens a new
 * EventSource (one closed by an error answer never reconnects) passes it as {@code ?lastEventId=}.
 * Without either the stream is live, and starts with a {@code position} event whose {@code id:} is the alert
 * published last (0 for none): a page that has received no alert yet resumes from there, and gets what was raised
 * while it was away (it reconnected live only, and missed them). Older alerts are in {@code GET /api/alerts}.
 * A {@code heartbeat} event every {@code pulse.alert.stream-heartbeat} keeps proxies from closing a quiet stream and
 * tells a page that its stream is alive; a client that takes none for {@code pulse.alert.stream-stalled-after} is let go.
 */
@Path("/alerts/stream")
public class AlertStreamResource {

    private final AlertHub hub;
    private final AlertStore store;
    private final int replayLimit;
    private final Duration heartbeat;
    private final Duration stalledAfter;

    public AlertStreamResource(AlertHub hub, AlertStore store, AlertConfig config) {
        this.hub = hub;
        this.store = store;
        this.replayLimit = config.streamBuffer();
        this.heartbeat = config.streamHeartbeat();
        this.stalledAfter = config.streamStalledAfter();
    }

    @GET
    @Produces(MediaType.SERVER_SENT_EVENTS)
    @Operation(summary = "Newly raised alerts over Server-Sent Events", description = "Named `alert` events with JSON data")
    @APIResponse(responseCode = "200", description = "An endless text/event-stream; a `heartbeat` event (JSON"
            + " `{\"intervalMs\": n}`) every `pulse.alert.stream-heartbeat`")
    @APIResponse(responseCode = "503", description = "Subscriber limit reached (problem JSON, Retry-After)")
    public Multi<OutboundSseEvent> stream(@Context Sse sse, @Context HttpServerRequest request,
            @Parameter(description = "The last `id:` received, sent by EventSource when it reconnects: the alerts published since come first")
            @HeaderParam("Last-Event-ID") String lastEventId,
            @Parameter(description = "The same, from a page that opens a new EventSource (it sends no header);"
                    + " the header wins")
            @QueryParam("lastEventId") String lastEventIdParam) {
        Multi<Alert> alerts;
        try {
            String since = lastEventId != null && !lastEventId.isBlank() ? lastEventId : lastEventIdParam;
            Uni<List<Alert>> missed = missedSince(since);
            // Read as a replay is, the live alerts held meanwhile: one published during the read is after the position,
            // or comes live.
            alerts = hub.subscribe(missed != null ? missed
                    : store.lastPublishedSequence().map(sequence -> List.of(position(sequence)))
                            // Live only with the database away: no alert is raised meanwhile either. Refused or timed
                            // out, it is there, and other replicas raise alerts: the stream ends (the hub fails it),
                            // to be opened again, rather than go on without a position to resume from.
                            .onFailure(DatabaseUnreachable::is).recoverWithItem(List.of()));
        } catch (AlertHub.TooManySubscribers full) {
            throw Problem.tooManySubscribers(full.getMessage(), "/alerts/stream");
        }
        // A heartbeat now and then keeps proxies from closing a quiet stream. An event, not a comment: a page sees it,
        // and knows a stream silent for a few of them is dead (one that vanished without a word stays open for TCP's
        // ~15 minutes of retries). One that a slow client has not taken yet is dropped, not queued, and tells that
        // the client may have stopped reading, or vanished with alerts to send: it is let go, its place freed, as it
        // held it until TCP gave up. A slow client takes alerts, which the merge serves before a waiting heartbeat:
        // any event taken counts.
        StallWatch stall = new StallWatch(stalledAfter);
        OutboundSseEvent beat = sse.newEventBuilder().name("heartbeat").mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(Map.class, Map.of("intervalMs", heartbeat.toMillis())).build();
        Multi<OutboundSseEvent> heartbeats = Multi.createFrom().ticks().every(heartbeat)
                .onOverflow().invoke(() -> {
                    long now = System.nanoTime();
                    stall.waiting(now);
                    if (stall.stalled(now)) {
                        hub.countStalled();
                        StalledClients.letGo(request);
                    }
                }).drop()
                .map(tick -> beat);
        // One at a time from each: merging's default of 128 ahead kept the oldest alerts of a slow client in
        // the merge, past the hub's drop-oldest buffer, and queued heartbeats.
        return Multi.createBy().merging().withRequests(1).streams(alerts.map(a -> event(sse, a)), heartbeats)
                .invoke(stall::taken)
                // The hub ends a stream whose start it cannot read (refused, timed out, the database away: logged
                // there) by failing it. Ended instead, the response closes cleanly and the client comes back with its
                // last id; failed, the web layer logged an ERROR with the stack trace, and reset the connection. Any
                // other failure is a fault, and keeps its ERROR.
                .onFailure(AlertStreamResource::readNotServed).recoverWithCompletion();
    }

    static boolean readNotServed(Throwable failure) {
        return Causes.any(failure, ReadsBusyException.class) || Causes.any(failure, ReadTimedOutException.class)
                || DatabaseUnreachable.is(failure);
    }

    /** Not an alert: where the stream starts ({@link #stream}), sent as a {@code position} event. */
    private static Alert position(long sequence) {
        return new Alert(null, null, null, null, null, null, null, null, null, null, null, sequence, null);
    }

    private static OutboundSseEvent event(Sse sse, Alert alert) {
        if (alert.id() == null) {
            return sse.newEventBuilder().name("position").id(alert.sequence().toString()).reconnectDelay(2000)
                    .mediaType(MediaType.APPLICATION_JSON_TYPE).data(Map.class, Map.of("sequence", alert.sequence()))
                    .build();
        }
        OutboundSseEvent.Builder event = sse.newEventBuilder()
                .name("alert")
                .reconnectDelay(2000)
                .mediaType(MediaType.APPLICATION_JSON_TYPE)
                .data(Alert.class, alert);
        // A record without a sequence (not written by a Pulse replica) gets no id: "id: null" would become
        // the browser's Last-Event-ID, and its reconnect would replay nothing. Without one, the browser
        // keeps the last id it had, as the SSE specification says.
        if (alert.sequence() != null) {
            event.id(alert.sequence().toString());
        }
        return event.build();
    }

    /** Null when there is nothing to replay: no header, or not one of our ids (an id is a sequence). */
    private Uni<List<Alert>> missedSince(String lastEventId) {
        if (lastEventId == null || lastEventId.isBlank()) {
            return null;
        }
        try {
            return store.publishedAfter(Long.parseLong(lastEventId.trim()), replayLimit);
        } catch (NumberFormatException notOurs) {
            return null;
        }
    }
}
