package io.pulse.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.pulse.ingest.ResilientSseStream;
import io.pulse.ingest.SseConnector;
import io.pulse.ingest.SseEvent;
import io.pulse.ingest.SseSettings;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpClient;

/**
 * The bundled recording read through the ingest's own SSE client, to its end: the feed then stays open
 * and quiet (a comment every {@code pulse.replay.heartbeat}, 1 s here), and the client connected, as
 * with a live feed that has nothing to send. It used to close: the client reconnected without end,
 * never connected again, and the health check read the pipeline as degraded.
 */
@QuarkusTest
class ReplayFeedTest {

    @TestHTTPResource("/replay/wikimedia/recentchange")
    URI replay;

    @Inject
    ReplayConfig config;

    @Inject
    Vertx vertx;

    @Test
    void shouldStayOpenAndConnectedOnceTheRecordingHasBeenPlayed() {
        int recorded = Recording.fromClasspath(config.recording()).events().size();
        // An idle timeout well above the heartbeat: only a closed or silent feed is replaced.
        SseSettings settings = new SseSettings("pulse-test", Duration.ofSeconds(5), Duration.ofSeconds(3), 1 << 20,
                Duration.ofMillis(100), Duration.ofSeconds(1), 0.0);
        HttpClient http = vertx.createHttpClient();
        ResilientSseStream stream = new ResilientSseStream(new SseConnector(http, settings), replay, settings);
        List<SseEvent> received = new ArrayList<>();
        Cancellable reading = stream.events(null).subscribe().with(read -> {
            synchronized (received) {
                received.addAll(read);
            }
        });
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                synchronized (received) {
                    return received.size() == recorded;
                }
            });
            // Longer than the idle timeout: the heartbeat keeps the played-out feed open.
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(20))
                    .until(() -> stream.connected() && stream.reconnects() == 0);
            assertThat(stream.lastEventId()).isEqualTo(Recording.eventId(recorded - 1));

            // A restart after the end resumes there: nothing to send, and still connected.
            reading.cancel();
            ResilientSseStream resumed = new ResilientSseStream(new SseConnector(http, settings), replay, settings);
            List<SseEvent> more = new ArrayList<>();
            reading = resumed.events(Recording.eventId(recorded - 1)).subscribe().with(more::addAll);
            await().atMost(Duration.ofSeconds(10)).until(resumed::connected);
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(20))
                    .until(() -> resumed.connected() && resumed.reconnects() == 0);
            assertThat(more).isEmpty();
        } finally {
            reading.cancel();
            http.closeAndAwait();
        }
    }
}
