package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.pulse.alert.Alert;
import io.pulse.alert.AlertPublisher;
import io.pulse.alert.AlertStore;
import io.pulse.alert.Severity;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A stream that reconnects with the last id it received ({@code Last-Event-ID}, as EventSource does)
 * first gets the alerts published meanwhile, then the live ones, each once; without the header, or
 * with one that is not a sequence, it is live, from a position it can resume from.
 */
@QuarkusTest
@QuarkusTestResource(value = AdminKeyResource.class, restrictToAnnotatedClass = false)
class AlertStreamReplayTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @TestHTTPResource("/alerts/stream")
    String streamUrl;

    @Inject
    AlertPublisher publisher;

    @Inject
    AlertStore store;

    /**
     * Sequences are taken when alerts are stored, not when they are published: an alert whose send was
     * retried, or another replica's, is published after one with a higher sequence. A browser that
     * received the higher one and reconnected asked for "after it", and never got the other.
     */
    @Test
    void shouldReplayAnAlertPublishedAfterTheLastOneReceivedThoughStoredBeforeIt() {
        String wiki = "late" + System.nanoTime() % 1_000_000_000L + "wiki";
        List<Alert> stored = storeTwo(wiki);
        Alert first = stored.get(0);
        Alert second = stored.get(1);
        assertThat(first.sequence()).isLessThan(second.sequence());
        store.markPublished(List.of(second.id())).await().atMost(WAIT); // received by the browser, which then drops
        store.markPublished(List.of(first.id())).await().atMost(WAIT); // published later, while it was away

        try (SseTestClient resumed = new SseTestClient(streamUrl, Map.of("Last-Event-ID", second.sequence().toString()))) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(ids(resumed, wiki)).containsExactly(first.id()));
        }
    }

    /**
     * An alert raised twice (two replicas' checks, a batch retried) is marked published twice: the second mark moved
     * its publication time past alerts published in between, and a browser resuming after it never got them.
     */
    @Test
    void shouldKeepAnAlertsFirstPublicationTimeWhenItIsMarkedAgain() {
        String wiki = "again" + System.nanoTime() % 1_000_000_000L + "wiki";
        List<Alert> stored = storeTwo(wiki);
        Alert first = stored.get(0);
        Alert second = stored.get(1);
        store.markPublished(List.of(second.id())).await().atMost(WAIT); // received by the browser, which then drops
        store.markPublished(List.of(first.id())).await().atMost(WAIT); // published while it was away
        store.markPublished(List.of(second.id())).await().atMost(WAIT); // raised again, published again

        assertThat(store.publishedAfter(second.sequence(), 100).await().atMost(WAIT)).extracting(Alert::id)
                .contains(first.id());
    }

    /**
     * A browser gets an alert once Kafka acknowledged it, which can be before it is marked published. Resuming from
     * such an alert compared publication times with nothing (NULL), so an alert of a lower sequence published
     * meanwhile (another replica's, a retried send) was never replayed.
     */
    @Test
    void shouldReplayWhatWasPublishedSinceAnAlertNotYetMarkedPublished() {
        String wiki = "unmarked" + System.nanoTime() % 1_000_000_000L + "wiki";
        List<Alert> stored = storeTwo(wiki);
        Alert first = stored.get(0);
        Alert second = stored.get(1); // received by the browser, not yet marked published, when it drops
        store.markPublished(List.of(first.id())).await().atMost(WAIT); // published while it was away

        assertThat(store.publishedAfter(second.sequence(), 100).await().atMost(WAIT)).extracting(Alert::id)
                .contains(first.id());
    }

    /**
     * Two replicas (or a claim and a raise) sending the same stored alert each counted it in
     * {@code pulse_alerts_raised_total}: one alert, counted twice. The call that marks it published counts it.
     */
    @Test
    void shouldCountAnAlertSentTwiceOnce() {
        String rule = "count-once-" + System.nanoTime();
        Instant incident = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        Alert stored = store.insert(List.of(new Alert(rule + ":k@" + incident, rule, Severity.WARNING, "k", "enwiki",
                "Counted", "Tester", incident, Instant.now(), "sent twice", Map.of(), null, null))).await().atMost(WAIT).get(0);

        publisher.publishEach(List.of(stored)).await().atMost(WAIT);
        publisher.publishEach(List.of(stored)).await().atMost(WAIT); // another replica's send of the same alert

        assertThat(Counters.sum("pulse_alerts_raised_total", "rule=\"" + rule + "\"")).isEqualTo(1.0);
    }

    /**
     * No alert for a while: the stream still sends a heartbeat every {@code stream-heartbeat} (1 s in tests), so that
     * proxies do not close it as idle. It sent nothing at all at first, then comments, which a page cannot see: it
     * could not tell a quiet stream from a dead one. A heartbeat names its interval and carries no id, so it does not
     * move where a reconnect resumes.
     */
    @Test
    void shouldKeepAQuietStreamAliveWithHeartbeatsAPageSees() {
        try (SseTestClient quiet = new SseTestClient(streamUrl)) {
            await().atMost(WAIT).until(() -> heartbeats(quiet).size() >= 2);
            assertThat(quiet.status()).isEqualTo(200);
            assertThat(heartbeats(quiet)).allSatisfy(beat -> assertThat(beat.data().get("intervalMs").asLong()).isEqualTo(1000));
            List<SseTestClient.Event> events = quiet.events();
            for (int i = 0; i < events.size(); i++) {
                if ("heartbeat".equals(events.get(i).name())) {
                    assertThat(events.get(i).id()).as("the id a reconnect sends, as before the heartbeat")
                            .isEqualTo(i == 0 ? null : events.get(i - 1).id());
                }
            }
            assertThat(events).extracting(SseTestClient.Event::name).contains("position");
        }
    }

    private static List<SseTestClient.Event> heartbeats(SseTestClient client) {
        return client.events().stream().filter(e -> "heartbeat".equals(e.name())).toList();
    }

    @Test
    void shouldReplayWhatAReconnectingStreamMissedThenGoOnLive() {
        String wiki = "replay" + System.nanoTime() % 1_000_000_000L + "wiki";
        try (SseTestClient witness = new SseTestClient(streamUrl)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> witness.status() == 200);
            Alert seen = raise(wiki, "Seen before the disconnect");
            Alert missed1 = raise(wiki, "Missed 1");
            Alert missed2 = raise(wiki, "Missed 2");
            // Only once they have gone through the stream do the later clients connect: else they would see them live.
            await().atMost(WAIT).untilAsserted(() -> assertThat(ids(witness, wiki))
                    .containsExactly(seen.id(), missed1.id(), missed2.id()));

            try (SseTestClient resumed = new SseTestClient(streamUrl, Map.of("Last-Event-ID", seen.sequence().toString()));
                    SseTestClient fresh = new SseTestClient(streamUrl);
                    SseTestClient foreign = new SseTestClient(streamUrl, Map.of("Last-Event-ID", "not-a-sequence"))) {
                await().atMost(Duration.ofSeconds(10)).until(() -> resumed.status() == 200 && fresh.status() == 200
                        && foreign.status() == 200);
                await().atMost(WAIT).untilAsserted(() -> assertThat(ids(resumed, wiki)).containsExactly(missed1.id(), missed2.id()));
                Alert live = raise(wiki, "Live");

                await().atMost(WAIT).untilAsserted(() -> {
                    assertThat(ids(resumed, wiki)).containsExactly(missed1.id(), missed2.id(), live.id());
                    assertThat(ids(fresh, wiki)).containsExactly(live.id());
                    assertThat(ids(foreign, wiki)).containsExactly(live.id());
                    assertThat(ids(witness, wiki)).containsExactly(seen.id(), missed1.id(), missed2.id(), live.id());
                });
                assertThat(AlertsTest.streamed(resumed, wiki)).extracting(SseTestClient.Event::id)
                        .containsExactly(missed1.sequence().toString(), missed2.sequence().toString(), live.sequence().toString());
            }
        }
    }

    /**
     * A page that has received no alert yet (a quiet system) reconnected without an id, live only: what was raised
     * while it was away never came. The stream opened without one starts with its position, and resumes from it.
     */
    @Test
    void shouldResumeAStreamThatReceivedNoAlertFromWhereItStarted() {
        String wiki = "quiet" + System.nanoTime() % 1_000_000_000L + "wiki";
        // Another wiki's: were it delivered live late, it would not be taken for a replay of this one's.
        Alert before = raise(wiki + "before", "Raised before it opened");
        String position;
        try (SseTestClient first = new SseTestClient(streamUrl)) {
            await().atMost(WAIT).until(() -> first.events().stream().anyMatch(e -> "position".equals(e.name())));
            SseTestClient.Event start = first.events().stream().filter(e -> !"heartbeat".equals(e.name())).findFirst().get();
            assertThat(start.name()).as("before any alert").isEqualTo("position");
            position = start.id();
            assertThat(start.data().get("sequence").asText()).isEqualTo(position);
            // Past the alert published before: a resume from it does not replay that one. (Its sequence may be lower
            // than the alert's: another test's leftover alert, published meanwhile by the unpublished-alert check.)
            assertThat(store.publishedAfter(Long.parseLong(position), 1000).await().atMost(WAIT))
                    .as("after the alert published before").extracting(Alert::id).doesNotContain(before.id());
        }
        Alert raisedWhileAway = raise(wiki, "Raised while away");
        assertThat(raisedWhileAway.sequence()).isGreaterThan(Long.parseLong(position));

        try (SseTestClient resumed = new SseTestClient(streamUrl, Map.of("Last-Event-ID", position))) {
            await().atMost(WAIT).untilAsserted(() -> assertThat(ids(resumed, wiki)).containsExactly(raisedWhileAway.id()));
            assertThat(resumed.events()).extracting(SseTestClient.Event::name).as("resumed: no position of its own")
                    .doesNotContain("position");
        }
    }

    /**
     * The position read refused or timed out while the database is there (the alerts table locked here; the reads'
     * queue full alike): the stream ends, cleanly, to be opened again. It went on live without a position, so a page that
     * then lost its connection reopened without an id, and missed what other replicas raised meanwhile.
     */
    @Test
    void shouldEndAStreamWhosePositionCouldNotBeRead() throws Exception {
        try (Connection c = StoredAggregates.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("LOCK TABLE alerts IN ACCESS EXCLUSIVE MODE");
            try (SseTestClient stream = new SseTestClient(streamUrl)) {
                await().atMost(WAIT).until(stream::ended); // after the read timeout (3 s here)
                assertThat(stream.events()).extracting(SseTestClient.Event::name).doesNotContain("position");
                // Closed as a response ends: reset, the web layer logged an ERROR with the stack trace of a case it
                // was told to expect.
                assertThat(stream.endedCleanly()).isTrue();
            } finally {
                c.rollback();
            }
        }
        try (SseTestClient again = new SseTestClient(streamUrl)) {
            await().atMost(WAIT).until(() -> again.events().stream().anyMatch(e -> "position".equals(e.name())));
        }
    }

    /** Two alerts of the wiki, stored (not published) in this order: the first has the lower sequence. */
    private List<Alert> storeTwo(String wiki) {
        return store.insert(List.of(alert(wiki, "Stored first"), alert(wiki, "Stored second"))).await().atMost(WAIT);
    }

    private static Alert alert(String wiki, String title) {
        Instant incident = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        String key = wiki + ":" + title;
        return new Alert("watched-user:" + key + "@" + incident, "watched-user", Severity.WARNING, key, wiki, title,
                "Tester", incident, Instant.now(), "an edit by a watched user", Map.of("user", "Tester"), null, null);
    }

    private Alert raise(String wiki, String title) {
        List<Alert> published = publisher.raise(List.of(alert(wiki, title))).await().atMost(WAIT);
        assertThat(published).as("new, so published").hasSize(1);
        return published.get(0);
    }

    private static List<String> ids(SseTestClient client, String wiki) {
        return AlertsTest.streamed(client, wiki).stream().map(e -> e.data().get("id").asText()).toList();
    }
}
