package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.pulse.api.metrics.MetricsSnapshot;
import io.pulse.api.metrics.SnapshotHub;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.smallrye.mutiny.helpers.test.AssertSubscriber;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;

/** The live metrics stream, read by real SSE clients while real events flow through the pipeline. */
@QuarkusTest
class MetricsStreamTest {

    @TestHTTPResource("/metrics/stream")
    String streamUrl;

    @Inject
    SnapshotHub hub;

    @ConfigProperty(name = "pulse.metrics.max-subscribers")
    int maxSubscribers;

    @Test
    void shouldStreamNamedSnapshotsWithIdsThatReflectTheCommittedAggregates() {
        String wiki = "metricswiki";
        long now = Instant.now().getEpochSecond();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            String event = DeadLetterTest.event("metrics-" + System.nanoTime() + "-" + i, wiki, now - (i % 3))
                    .replace("\"title\":\"Dead letters\"", "\"title\":\"Page " + (i % 4) + "\"")
                    .replace("\"user\":\"Tester\"", "\"user\":\"User " + (i % 5) + "\"")
                    .replace("\"bot\":false", "\"bot\":" + (i % 10 == 0));
            lines.add(i % 6 == 0 ? event.replace("\"type\":\"edit\"", "\"type\":\"new\"") : event);
        }
        Map<String, Long> expectedPages = new TreeMap<>();
        for (int i = 0; i < 30; i++) {
            expectedPages.merge("Page " + (i % 4), 1L, Long::sum);
        }

        // The newest event time sent (i = 0), and the pipeline's newest (no test sends later event times); every
        // event is at most 2 s older, so all 30 fall in the snapshot's current or last minute.
        String newest = Instant.ofEpochSecond(now).toString();
        try (SseTestClient client = new SseTestClient(streamUrl + "?wiki=" + wiki)) {
            TopicReader.produce(WikimediaPipelineTest.TOPIC, lines);
            // One snapshot that shows all 30 in every figure (the rankings are refreshed apart from the
            // pipeline figures, so they may show them a snapshot earlier or later).
            AtomicReference<JsonNode> complete = new AtomicReference<>();
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
                JsonNode last = client.last().data();
                assertThat(last.get("recent").get("changes").asLong()).isEqualTo(30);
                assertThat(last.get("eventTime").get("newest").asText()).isEqualTo(newest);
                assertThat(last.get("currentMinute").get("changes").asLong() + last.get("lastMinute").get("changes").asLong())
                        .as("the 30 changes, all in the current and last minutes").isEqualTo(30);
                complete.set(last);
            });
            assertThat(client.status()).isEqualTo(200);
            assertThat(client.contentType()).startsWith("text/event-stream");
            List<SseTestClient.Event> events = client.events();
            assertThat(events).allSatisfy(e -> assertThat(e.name()).isEqualTo("snapshot"));
            assertThat(events).extracting(e -> Long.parseLong(e.id())).isSorted().doesNotHaveDuplicates();
            assertThat(events.size()).isGreaterThanOrEqualTo(2);

            JsonNode snapshot = complete.get();
            assertThat(snapshot.get("wiki").asText()).isEqualTo(wiki);
            JsonNode recent = snapshot.get("recent");
            assertThat(recent.get("botChanges").asLong()).isEqualTo(3);
            assertThat(recent.get("botShare").asDouble()).isEqualTo(0.1);
            Map<String, Long> pages = new TreeMap<>();
            recent.get("topPages").forEach(p -> pages.put(p.get("title").asText(), p.get("changes").asLong()));
            assertThat(pages).isEqualTo(expectedPages);
            assertThat(recent.get("topUsers")).hasSize(5);
            assertThat(recent.get("wikis").get(0).get("wiki").asText()).isEqualTo(wiki);
            assertThat(snapshot.get("currentMinute").get("botChanges").asLong()
                    + snapshot.get("lastMinute").get("botChanges").asLong()).isEqualTo(3);
            assertThat(snapshot.get("pipeline").get("published").asLong()).isGreaterThanOrEqualTo(30);
        }
    }

    @Test
    void shouldGiveASlowSubscriberOnlyTheLatestSnapshot() {
        AssertSubscriber<MetricsSnapshot> slow = hub.subscribe(null).subscribe().withSubscriber(AssertSubscriber.create(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> slow.getItems().size() == 1);
        long first = slow.getItems().get(0).sequence();
        // While it requests nothing, the feed goes on (observed through a second subscriber).
        AssertSubscriber<MetricsSnapshot> watcher = hub.subscribe(null).subscribe().withSubscriber(AssertSubscriber.create(Long.MAX_VALUE));
        await().atMost(Duration.ofSeconds(30)).until(() -> !watcher.getItems().isEmpty()
                && watcher.getItems().get(watcher.getItems().size() - 1).sequence() >= first + 5);
        slow.request(1);
        await().atMost(Duration.ofSeconds(30)).until(() -> slow.getItems().size() == 2);
        assertThat(slow.getItems().get(1).sequence()).as("skipped to a recent snapshot, not the next one")
                .isGreaterThanOrEqualTo(first + 5);
        slow.cancel();
        watcher.cancel();
    }

    @Test
    void shouldKeepServingOtherSubscribersWhileOneIsStalled() throws Exception {
        try (Socket stalled = new Socket()) {
            stalled.setReceiveBufferSize(1024);
            stalled.connect(new java.net.InetSocketAddress(RestAssured.baseURI.replace("http://", ""), RestAssured.port));
            OutputStream out = stalled.getOutputStream();
            out.write(("GET /metrics/stream HTTP/1.1\r\nHost: localhost\r\nAccept: text/event-stream\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // The stalled socket never reads; a healthy client still receives a snapshot per interval.
            try (SseTestClient healthy = new SseTestClient(streamUrl)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> healthy.events().size() >= 15);
                List<Long> ids = healthy.events().stream().map(e -> Long.parseLong(e.id())).toList();
                for (int i = 1; i < ids.size(); i++) {
                    assertThat(ids.get(i)).as("no snapshot skipped for a client that keeps up").isEqualTo(ids.get(i - 1) + 1);
                }
            }
        }
    }

    @Test
    void shouldServeHundredsOfSubscribersAndRefuseOneBeyondTheCap() {
        Vertx vertx = Vertx.vertx();
        HttpClient http = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(maxSubscribers + 10)
                .setDefaultHost("localhost").setDefaultPort(RestAssured.port));
        AtomicInteger withSnapshot = new AtomicInteger();
        try {
            int before = hub.subscribers();
            int open = maxSubscribers - before;
            for (int i = 0; i < open; i++) {
                http.request(HttpMethod.GET, "/metrics/stream").compose(req -> req.send()).onSuccess(resp -> {
                    AtomicInteger seen = new AtomicInteger();
                    resp.handler(buffer -> {
                        if (buffer.toString().contains("event:snapshot") || buffer.toString().contains("event: snapshot")) {
                            if (seen.incrementAndGet() == 2) {
                                withSnapshot.incrementAndGet();
                            }
                        }
                    });
                });
            }
            await().atMost(Duration.ofSeconds(90)).until(() -> withSnapshot.get() == open);
            assertThat(hub.subscribers()).isEqualTo(maxSubscribers);

            RestAssured.given().accept("text/event-stream").get("/metrics/stream")
                    .then().statusCode(503)
                    .contentType("application/problem+json")
                    .header("Retry-After", "5");
        } finally {
            http.close();
            vertx.close();
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> hub.subscribers() == 0);
    }

    @Test
    void shouldAddTheDashboardViewOnlyToSubscribersThatAskForIt() {
        String wiki = "dashboardwiki";
        long now = Instant.now().getEpochSecond();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            lines.add(DeadLetterTest.event("dashboard-" + System.nanoTime() + "-" + i, wiki, now)
                    .replace("\"title\":\"Dead letters\"", "\"title\":\"Page " + (i % 3) + "\""));
        }
        try (SseTestClient plain = new SseTestClient(streamUrl + "?wiki=" + wiki);
                SseTestClient dashboard = new SseTestClient(streamUrl + "?view=dashboard&wiki=" + wiki)) {
            TopicReader.produce(WikimediaPipelineTest.TOPIC, lines);
            await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
                JsonNode view = dashboard.last().data().get("dashboard");
                assertThat(view.get("history")).hasSize(1);
                assertThat(view.get("history").get(0).get("changes").asLong()).isEqualTo(12);
                assertThat(view.get("topPages").findValuesAsText("title")).containsExactlyInAnyOrder("Page 0", "Page 1", "Page 2");
                assertThat(view.get("namespaces").get(0).get("changes").asLong()).isEqualTo(12);
                assertThat(plain.last().data().get("recent").get("changes").asLong()).isEqualTo(12);
            });
            assertThat(plain.events()).allSatisfy(e -> assertThat(e.data().has("dashboard")).isFalse());
        }
    }

    /**
     * A table the rankings read is locked (VACUUM FULL, REINDEX): their reads are cancelled after
     * {@code pulse.store.read-timeout} and the snapshots go out without the figures they give, instead of
     * the feed falling silent until the lock is gone. Once it is, the whole snapshot is back.
     */
    @Test
    void shouldKeepStreamingThePipelineWhileATableTheRankingsReadIsLocked() throws Exception {
        String wiki = "lockedwiki";
        long now = Instant.now().getEpochSecond();
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            lines.add(DeadLetterTest.event("locked-" + System.nanoTime() + "-" + i, wiki, now));
        }
        TopicReader.produce(WikimediaPipelineTest.TOPIC, lines);
        await().atMost(Duration.ofSeconds(60)).until(() -> StoredAggregates.scalar(
                "SELECT coalesce(sum(changes), 0) FROM wiki_edit_counts WHERE wiki = ?", wiki) == 12);

        try (Connection maintenance = StoredAggregates.connect()) {
            maintenance.setAutoCommit(false);
            try (Statement s = maintenance.createStatement()) {
                s.execute("LOCK TABLE page_edit_counts IN ACCESS EXCLUSIVE MODE");
            }
            try (SseTestClient client = new SseTestClient(streamUrl + "?view=dashboard&wiki=" + wiki)) {
                await().atMost(Duration.ofSeconds(30)).until(() -> !client.events().isEmpty());
                JsonNode first = client.events().get(0).data();
                assertThat(first.get("pipeline").get("aggregated").asLong()).isPositive();
                assertThat(first.get("currentMinute").get("changes").asLong()).isEqualTo(12);
                assertThat(first.hasNonNull("recent")).as("its rankings read the locked table").isFalse();
                assertThat(first.hasNonNull("dashboard")).as("so does the dashboard view").isFalse();
                assertThat(first.get("unavailable")).as("and it says so, for both").extracting(JsonNode::asText)
                        .containsExactly("recent", "dashboard");
            } finally {
                maintenance.rollback();
            }
        }
        try (SseTestClient client = new SseTestClient(streamUrl + "?view=dashboard&wiki=" + wiki)) {
            await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
                JsonNode last = client.last().data();
                assertThat(last.get("recent").get("changes").asLong()).isEqualTo(12);
                assertThat(last.get("dashboard").get("topPages").findValuesAsText("title")).containsExactly("Dead letters");
                assertThat(last.has("unavailable")).as("nothing left out").isFalse();
            });
        }
    }

    @Test
    void shouldRejectAnUnknownViewWithAProblem() {
        RestAssured.given().accept("text/event-stream").queryParam("view", "everything")
                .get("/metrics/stream")
                .then().statusCode(400)
                .contentType("application/problem+json");
    }

    @Test
    void shouldRejectAnInvalidWikiFilterWithAProblem() {
        RestAssured.given().accept("text/event-stream").queryParam("wiki", "en'; DROP TABLE x; --")
                .get("/metrics/stream")
                .then().statusCode(400)
                .contentType("application/problem+json");
    }
}
