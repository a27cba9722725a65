package io.pulse.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.pulse.it.TestSseServer;
import io.pulse.it.TestSseServer.Fault;
import io.smallrye.mutiny.subscription.Cancellable;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpClient;

/**
 * Connections the client abandons (gone silent, or no longer wanted) are closed, not left in its pool:
 * with the ingest's pool of two, the connection after two stalled ones timed out waiting for a free
 * one, again and again, for as long as the server kept the stalled ones open (this test failed so).
 */
class SseConnectorStallTest {

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.closeAndAwait();
    }

    /**
     * A 503 whose body never ends (a proxy that stalls its error page): the ingest waited for that body
     * for good, and never reconnected (this test failed so).
     */
    @Test
    void shouldReconnectWhenTheBodyOfAnErrorAnswerStalls() throws Exception {
        try (TestSseServer server = new TestSseServer().start()) {
            server.inject(new Fault.StalledErrorBody(503), new Fault.StalledErrorBody(502));
            server.append(List.of("{\"meta\":{\"dt\":\"2026-12-05T10:00:00Z\",\"id\":\"e1\"},\"wiki\":\"w\"}"));
            HttpClient http = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(2));
            SseSettings settings = new SseSettings("Pulse/test (test)", Duration.ofSeconds(2), Duration.ofSeconds(1),
                    1 << 20, Duration.ofMillis(50), Duration.ofMillis(200), 0.0);
            ResilientSseStream stream = new ResilientSseStream(new SseConnector(http, settings), URI.create(server.url()), settings);
            AtomicInteger received = new AtomicInteger();
            Cancellable subscription = stream.events(null).subscribe().with(list -> received.addAndGet(list.size()));
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> received.get() == 1);
                assertThat(server.connections()).extracting(TestSseServer.Connection::status).containsExactly(503, 502, 200);
            } finally {
                subscription.cancel();
            }
        }
    }

    @Test
    void shouldReconnectAfterMoreStalledConnectionsThanThePoolHolds() throws Exception {
        try (TestSseServer server = new TestSseServer().start()) {
            List<String> events = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                events.add("{\"meta\":{\"dt\":\"2026-12-05T10:00:00Z\",\"id\":\"e" + i + "\"},\"wiki\":\"w\",\"type\":\"edit\"}");
            }
            server.inject(new Fault.StallAfter(5), new Fault.StallAfter(5), new Fault.StallAfter(5));
            server.append(events);
            HttpClient http = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(2).setKeepAlive(false));
            SseSettings settings = new SseSettings("Pulse/test (test)", Duration.ofSeconds(2), Duration.ofSeconds(1),
                    1 << 20, Duration.ofMillis(50), Duration.ofMillis(200), 0.0);
            ResilientSseStream stream = new ResilientSseStream(new SseConnector(http, settings), URI.create(server.url()), settings);
            AtomicInteger received = new AtomicInteger();
            Cancellable subscription = stream.events(null).subscribe().with(list -> received.addAndGet(list.size()));
            // Every id carries timestamp 0, so each connection starts again at the first event: each stalled
            // one delivers 5, the fourth, healthy one all 50.
            int stalled = 3 * 5;
            try {
                await().atMost(Duration.ofSeconds(30)).until(() -> server.connections().size() >= 4);
                await("events of the last, healthy connection included").atMost(Duration.ofSeconds(30))
                        .until(() -> received.get() >= stalled + events.size());
            } finally {
                subscription.cancel();
            }
        }
    }
}
