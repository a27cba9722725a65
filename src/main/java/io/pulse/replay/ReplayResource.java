package io.pulse.replay;

import java.util.stream.LongStream;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.sse.OutboundSseEvent;
import jakarta.ws.rs.sse.Sse;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/** Serves the bundled recording as an EventStreams-compatible SSE feed, honouring {@code Last-Event-ID}. */
@Path("/replay")
public class ReplayResource {

    private final ReplayConfig config;
    private volatile Recording recording;

    public ReplayResource(ReplayConfig config) {
        this.config = config;
    }

    @GET
    @Path("/wikimedia/recentchange")
    @Produces(MediaType.SERVER_SENT_EVENTS)
    public Multi<OutboundSseEvent> recentchange(@HeaderParam("Last-Event-ID") String lastEventId, @Context Sse sse) {
        if (!config.enabled()) {
            throw new NotFoundException("Replay is disabled (pulse.replay.enabled=false)");
        }
        long from = Recording.resumeOffset(lastEventId);
        Multi<Long> offsets = Multi.createFrom().<Recording> item(this::recording)
                .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .onItem().transformToMultiAndConcatenate(r -> Multi.createFrom()
                        .items(LongStream.range(from, r.events().size()).boxed()));
        if (config.eventsPerSecond() > 0) {
            long perSecond = config.eventsPerSecond();
            // One permit per event: the ticks a slow client misses are dropped, with their permits.
            Multi<Integer> permits = Multi.createFrom().ticks().every(ReplayPace.TICK).onOverflow().drop()
                    .onItem().transformToMultiAndConcatenate(tick -> Multi.createFrom()
                            .range(0, (int) ReplayPace.due(perSecond, tick)));
            offsets = Multi.createBy().combining().streams(offsets, permits).asTuple().map(pair -> pair.getItem1());
        }
        Multi<OutboundSseEvent> events = offsets.map(offset -> sse.newEventBuilder()
                .name("message")
                .id(Recording.eventId(offset))
                .reconnectDelay(2000)
                .mediaType(MediaType.TEXT_PLAIN_TYPE)
                .data(recording().events().get(offset.intValue()))
                .build());
        // Then a quiet feed, open until the client goes (see ReplayConfig#heartbeat).
        Multi<OutboundSseEvent> quiet = Multi.createFrom().ticks().every(config.heartbeat()).onOverflow().drop()
                .map(tick -> sse.newEventBuilder().comment("the recording has been played").build());
        return Multi.createBy().concatenating().streams(events, quiet);
    }

    private Recording recording() {
        Recording r = recording;
        if (r == null) {
            synchronized (this) {
                if (recording == null) {
                    recording = Recording.fromClasspath(config.recording());
                }
                r = recording;
            }
        }
        return r;
    }
}
