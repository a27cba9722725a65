package io.pulse.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.pulse.it.TestSseServer;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.http.HttpClient;

/**
 * When a feed is dead, and when it is not. A reader that stops asking (the ingest waiting out a broker outage) leaves the feed unread, for as
 * long as it takes: that is backpressure, not a dead feed. The idle timeout closed such a connection
 * after idle-timeout, and the ingest reconnected and downloaded again, over and over (this test failed
 * so); it still closes a feed that sends nothing while it is asked.
 */
class SseLivenessTest {

    static final int EVENTS = 3_000;
    static final Duration IDLE = Duration.ofSeconds(1);

    private final Vertx vertx = Vertx.vertx();

    @AfterEach
    void close() {
        vertx.closeAndAwait();
    }

    @Test
    void shouldKeepAConnectionNobodyReadsOpenAndFailOneThatSendsNothingWhenAsked() {
        try (TestSseServer server = new TestSseServer().start()) {
            String padding = "x".repeat(10_000); // 30 MB in all: more than the client and TCP buffer
            List<String> events = new ArrayList<>();
            for (int i = 0; i < EVENTS; i++) {
                events.add("{\"meta\":{\"dt\":\"2026-12-05T10:00:00Z\",\"id\":\"e" + i + "\"},\"wiki\":\"w\",\"type\":\"edit\","
                        + "\"comment\":\"" + padding + "\"}");
            }
            server.append(events);
            HttpClient http = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(2));
            SseSettings settings = new SseSettings("Pulse/test (test)", Duration.ofSeconds(2), IDLE,
                    1 << 20, Duration.ofMillis(50), Duration.ofMillis(200), 0.0);
            AssertSubscriber<List<SseEvent>> reader = new SseConnector(http, settings)
                    .open(URI.create(server.url()), null).subscribe().withSubscriber(AssertSubscriber.create(1));

            // Asked for one read, then nothing: the server stops on a full write queue, and the connection
            // stays open through several idle timeouts.
            await().atMost(Duration.ofSeconds(30)).until(() -> reader.getItems().size() == 1);
            await().during(IDLE.multipliedBy(4)).atMost(IDLE.multipliedBy(4).plusSeconds(15))
                    .until(() -> reader.getFailure() == null && !reader.isCancelled());
            assertThat(server.eventsSent()).as("the server was held back").isLessThan(EVENTS);

            // Read again: every event arrives, on the one connection.
            reader.request(Long.MAX_VALUE);
            await().atMost(Duration.ofSeconds(60)).until(() -> received(reader) == EVENTS);
            assertThat(server.connections()).hasSize(1);
            // Then the feed is silent while asked: dead, closed.
            await().atMost(Duration.ofSeconds(30)).until(() -> reader.getFailure() != null);
            assertThat(reader.getFailure()).isInstanceOf(StreamInterruptedException.class).hasMessageContaining("no data");
        }
    }

    /** A server that takes the request and never answers: given up after the idle timeout, and retried. */
    @Test
    void shouldGiveUpOnAServerThatNeverAnswersAndReconnect() {
        try (TestSseServer server = new TestSseServer().start()) {
            server.append(List.of("{\"meta\":{\"dt\":\"2026-12-05T10:00:00Z\",\"id\":\"e0\"},\"wiki\":\"w\",\"type\":\"edit\"}"));
            server.inject(new TestSseServer.Fault.NoAnswer());
            HttpClient http = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(2));
            SseSettings settings = new SseSettings("Pulse/test (test)", Duration.ofSeconds(2), IDLE,
                    1 << 20, Duration.ofMillis(50), Duration.ofMillis(200), 0.0);
            ResilientSseStream stream = new ResilientSseStream(new SseConnector(http, settings), URI.create(server.url()),
                    settings);
            AssertSubscriber<List<SseEvent>> reader = stream.events(null).subscribe()
                    .withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));

            await().atMost(Duration.ofSeconds(30)).until(() -> received(reader) == 1);
            assertThat(server.connections()).extracting(TestSseServer.Connection::status).containsExactly(0, 200);
            reader.cancel();
        }
    }

    private static int received(AssertSubscriber<List<SseEvent>> reader) {
        return reader.getItems().stream().mapToInt(List::size).sum();
    }
}
