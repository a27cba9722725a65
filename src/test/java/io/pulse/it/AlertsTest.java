package io.pulse.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pulse.alert.Alert;
import io.pulse.alert.AlertChannels;
import io.pulse.alert.AlertEvaluator;
import io.pulse.alert.AlertPublisher;
import io.pulse.alert.AlertRules;
import io.pulse.alert.AlertStore;
import io.pulse.source.wikimedia.ParseResult;
import io.pulse.source.wikimedia.RecentChangeParser;
import io.pulse.store.RetentionConfig;
import io.pulse.testkit.ConfigMappings;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;

/**
 * Alerts end to end: injected incidents go through Kafka and the aggregator's consumer (rules, then counts); each
 * alert is stored, published to pulse.alerts and streamed exactly once, and a replay raises nothing again.
 */
@QuarkusTest
@QuarkusTestResource(value = AdminKeyResource.class, restrictToAnnotatedClass = false)
class AlertsTest {

    static final String ALERTS_TOPIC = "pulse.alerts";
    static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/alerts/stream")
    String streamUrl;

    @Inject
    AlertPublisher publisher;

    @Inject
    AlertStore store;

    @Inject
    @Channel(AlertChannels.ALERTS_OUT)
    MutinyEmitter<String> alertsOut;

    @Inject
    ObjectMapper json;

    @Inject
    MeterRegistry registry;

    @Inject
    RetentionConfig retention;

    @Inject
    AlertRules rules;

    @Inject
    RecentChangeParser parser;

    private String watchedUserBefore;

    @BeforeEach
    void keepTheWatchedUserRule() throws Exception {
        watchedUserBefore = AlertAdminTest.rule("watched-user");
    }

    /** One application and database for every test class: the next ones watch the users they did before. */
    @AfterEach
    void restoreTheWatchedUserRule() {
        AlertAdminTest.restoreRule("watched-user", watchedUserBefore);
    }

    @Test
    void shouldRaiseEachInjectedIncidentExactlyOnceAndNothingOnReplay() throws Exception {
        String run = Long.toString(System.nanoTime() % 1_000_000_000L);
        String wiki = "alerts" + run + "wiki";
        String botWiki = "botsurge" + run + "wiki";
        String watched = "Watched tester " + run;
        long base = (Instant.now().getEpochSecond() / 60 - 2) * 60; // a whole minute, two minutes ago
        given().header("X-API-Key", AdminKeyResource.KEY).contentType(ContentType.JSON)
                .body(Map.of("users", List.of(watched), "enabled", true))
                .put("/api/alerts/rules/watched-user").then().statusCode(200).body("name", equalTo("watched-user"));

        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            lines.add(AlertEvents.event("w-" + run + "-" + i, wiki, "Watched page " + i, watched, false, base + i, 100, 120));
        }
        for (int i = 0; i < 50; i++) {
            lines.add(AlertEvents.event("s-" + run + "-" + i, wiki, "Edit war", "Editor " + (i % 7), false, base + i, 100, 101));
        }
        for (int i = 0; i < 40; i++) {
            lines.add(AlertEvents.event("b-" + run + "-" + i, botWiki, "Item " + i, "FloodBot", true, base + i, 0, 50));
        }
        lines.add(AlertEvents.event("x-" + run, wiki, "Blanked page", "Vandal " + run, false, base + 30, 10_000, 100));

        try (SseTestClient client = new SseTestClient(streamUrl)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> client.status() == 200);
            TopicReader.produce(WikimediaPipelineTest.TOPIC, lines);

            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                assertThat(stored(wiki, base)).hasSize(3);
                assertThat(stored(botWiki, base)).hasSize(1);
            });
            Map<String, JsonNode> byRule = stored(wiki, base).stream()
                    .collect(Collectors.toMap(a -> a.get("rule").asText(), Function.identity()));
            assertThat(byRule.keySet()).containsExactlyInAnyOrder("watched-user", "page-spike", "mass-blanking");
            // The wiki filter takes a domain too, like every /api endpoint's (it matched ids only: no alerts).
            assertThat(stored(wiki + ".test.org", base)).extracting(a -> a.get("id").asText())
                    .containsExactlyInAnyOrderElementsOf(byRule.values().stream().map(a -> a.get("id").asText()).toList());
            JsonNode user = byRule.get("watched-user");
            assertThat(user.get("user").asText()).isEqualTo(watched);
            assertThat(user.get("severity").asText()).isEqualTo("warning");
            assertThat(user.get("title").asText()).startsWith("Watched page");
            JsonNode spike = byRule.get("page-spike");
            assertThat(spike.get("title").asText()).isEqualTo("Edit war");
            assertThat(spike.get("details").get("changes").asLong()).isEqualTo(20);
            assertThat(spike.get("incidentStart").asText()).isNotBlank();
            JsonNode blank = byRule.get("mass-blanking");
            assertThat(blank.get("severity").asText()).isEqualTo("critical");
            assertThat(blank.get("details").get("bytesRemoved").asLong()).isEqualTo(9900);
            assertThat(blank.get("details").get("percentRemoved").asDouble()).isEqualTo(99.0);
            JsonNode surge = stored(botWiki, base).get(0);
            assertThat(surge.get("rule").asText()).isEqualTo("bot-surge");
            assertThat(surge.get("severity").asText()).isEqualTo("info");
            assertThat(surge.get("details").get("botChanges").asLong()).isBetween(30L, 40L);
            assertThat(surge.get("details").get("botShare").asDouble()).isEqualTo(1.0);

            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(streamed(client, wiki, botWiki)).hasSize(4));
            assertThat(published(wiki, botWiki)).hasSize(4).allSatisfy((id, records) -> {
                assertThat(records).as(id).hasSize(1);
                assertThat(records.get(0).key()).isEqualTo(id.substring(0, id.indexOf(':')));
            });

            // A replay of the same events (as after a restart that lost the consumer's offsets) raises nothing new.
            TopicReader.produce(WikimediaPipelineTest.TOPIC, lines);
            ConsumerGroups.awaitConsumed("pulse-aggregator", WikimediaPipelineTest.TOPIC, Duration.ofSeconds(90));
            // And a fresh evaluator (a restarted process: no memory of what it raised) finds them all stored.
            AlertEvaluator restarted = new AlertEvaluator(60_000, 1000, 1000);
            List<Alert> again = new ArrayList<>();
            for (String line : lines) {
                var change = ((ParseResult.Accepted) parser.parse(line)).change();
                again.addAll(restarted.evaluate(change, rules.current()));
            }
            assertThat(again).extracting(Alert::rule).contains("watched-user", "page-spike", "mass-blanking");
            assertThat(publisher.raise(again).await().atMost(Duration.ofSeconds(30))).as("nothing new to publish").isEmpty();
            // Nor do the bot-surge checks over the doubled windows: three run to the end after the replay was counted.
            double checks = Counters.sum("pulse_alert_checks_total", "outcome=\"ok\"");
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> Counters.sum("pulse_alert_checks_total", "outcome=\"ok\"") >= checks + 3);
            assertThat(checks).as("checks counted").isPositive();
            await().atMost(Duration.ofSeconds(17)).untilAsserted(() -> {
                assertThat(stored(wiki, base)).hasSize(3);
                assertThat(stored(botWiki, base)).hasSize(1);
                assertThat(published(wiki, botWiki)).hasSize(4).allSatisfy((id, records) -> assertThat(records).as(id).hasSize(1));
                assertThat(streamed(client, wiki, botWiki)).hasSize(4);
            });
        }
    }

    @Test
    void shouldStoreAndPublishAnAlertRaisedTwiceInOneListOnce() throws Exception {
        String run = Long.toString(System.nanoTime() % 1_000_000_000L);
        String wiki = "twice" + run + "wiki";
        long time = twoMinutesAgo();
        Alert alert = massBlanking(wiki, "Page", time);
        Alert other = massBlanking(wiki, "Other", time);

        List<Alert> published = publisher.raise(List.of(alert, other, alert)).await().atMost(Duration.ofSeconds(30));

        assertThat(published).extracting(Alert::id).containsExactly(alert.id(), other.id());
        assertThat(stored(wiki, time / 1000)).hasSize(2);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(published(wiki)).hasSize(2)
                .allSatisfy((id, records) -> assertThat(records).as(id).hasSize(1)));
    }

    /**
     * Alerts stored but never published, since Kafka refused the first raise's sends: raised again (a
     * retried batch, a replay, the next bot-surge check), the store answers them again, and they are
     * published then, each once, and marked published; after that, raising them publishes nothing.
     */
    @Test
    void shouldPublishAgainTheStoredAlertsWhosePublishingFailed() throws Exception {
        String run = Long.toString(System.nanoTime() % 1_000_000_000L);
        String wiki = "unpublished" + run + "wiki";
        long time = twoMinutesAgo();
        List<Alert> alerts = massBlankings(wiki, time, "Page", "Other", "Third");
        List<String> ids = alerts.stream().map(Alert::id).toList();
        AtomicBoolean kafkaRefuses = new AtomicBoolean(true);
        AtomicInteger refused = new AtomicInteger();
        AlertPublisher publishing = new AlertPublisher(store, refusingWhile(alertsOut, kafkaRefuses, refused), json, registry,
                retention);

        assertThatThrownBy(() -> publishing.raise(alerts).await().atMost(Duration.ofSeconds(30)))
                .hasMessageContaining("Injected");
        assertThat(refused.get()).as("the sends refused").isPositive();
        assertThat(unpublished(wiki)).as("stored, not marked published").isEqualTo(3);

        kafkaRefuses.set(false);
        List<Alert> published = publishing.raise(alerts).await().atMost(Duration.ofSeconds(30));

        assertThat(published).extracting(Alert::id).as("answered again by the store, so published").containsExactlyElementsOf(ids);
        assertThat(unpublished(wiki)).as("marked published").isZero();
        assertThat(StoredAggregates.scalar("SELECT count(*) FROM alerts WHERE wiki = ? AND published_at IS NOT NULL", wiki))
                .isEqualTo(3);
        assertThat(publishing.raise(alerts).await().atMost(Duration.ofSeconds(30))).as("published: nothing new").isEmpty();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(published(wiki))
                .containsOnlyKeys(ids).allSatisfy((id, records) -> assertThat(records).as(id).hasSize(1)));
    }

    /**
     * An alert whose send failed and that nobody raises again (a bot surge whose window no longer qualifies) stayed
     * unpublished for good: off the stream and its replays. The alert checks now publish, once, what was stored
     * over three minutes ago and never published.
     */
    @Test
    void shouldPublishAStoredAlertNobodyRaisesAgain() throws Exception {
        String run = Long.toString(System.nanoTime() % 1_000_000_000L);
        String wiki = "forgotten" + run + "wiki";
        long time = twoMinutesAgo();
        Alert alert = botSurge(wiki, time);
        String oldWiki = "forgottenlong" + run + "wiki";
        Alert old = botSurge(oldWiki, time);
        AlertPublisher refusing = new AlertPublisher(store, refusingWhile(alertsOut, new AtomicBoolean(true), new AtomicInteger()),
                json, registry, retention);
        assertThatThrownBy(() -> refusing.raise(List.of(alert, old)).await().atMost(Duration.ofSeconds(30)))
                .hasMessageContaining("Injected");
        assertThat(unpublished(wiki)).isEqualTo(1);
        age(wiki, "4 minutes");
        age(oldWiki, "2 days"); // stored before an outage of days: not streamed as new

        await().atMost(Duration.ofSeconds(30)).until(() -> unpublished(wiki) == 0);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(published(wiki))
                .containsOnlyKeys(alert.id()).allSatisfy((id, records) -> assertThat(records).as(id).hasSize(1)));
        assertThat(unpublished(oldWiki)).isEqualTo(1);
    }

    /** A claimed alert is not claimed again (by any replica) until it has been left alone as long again. */
    @Test
    void shouldClaimAnUnpublishedAlertOnceUntilItIsLeftAloneAgain() throws Exception {
        String run = Long.toString(System.nanoTime() % 1_000_000_000L);
        String wiki = "claimed" + run + "wiki";
        long time = twoMinutesAgo();
        Alert alert = massBlanking(wiki, "Page", time);
        AlertPublisher refusing = new AlertPublisher(store, refusingWhile(alertsOut, new AtomicBoolean(true), new AtomicInteger()),
                json, registry, retention);
        assertThatThrownBy(() -> refusing.raise(List.of(alert)).await().atMost(Duration.ofSeconds(30)));
        age(wiki, "2 minutes"); // untried for longer than this test's 60 s, not the checks' 3 minutes

        assertThat(store.claimUnpublished(60, 86_400, 100).await().atMost(Duration.ofSeconds(30))).extracting(Alert::id)
                .contains(alert.id());
        assertThat(store.claimUnpublished(60, 86_400, 100).await().atMost(Duration.ofSeconds(30))).extracting(Alert::id)
                .doesNotContain(alert.id());

        // A raise of it is an attempt too: a batch retrying it may still be sending it.
        Alert raisedAgain = massBlanking(wiki, "Other", time);
        assertThatThrownBy(() -> refusing.raise(List.of(raisedAgain)).await().atMost(Duration.ofSeconds(30)));
        age(wiki, "2 minutes");
        assertThatThrownBy(() -> refusing.raise(List.of(raisedAgain)).await().atMost(Duration.ofSeconds(30)));
        assertThat(store.claimUnpublished(60, 86_400, 100).await().atMost(Duration.ofSeconds(30))).extracting(Alert::id)
                .doesNotContain(raisedAgain.id());
    }

    /** Claimed alerts are published each on its own: one Kafka refuses holds back none of the others. */
    @Test
    void shouldPublishEveryClaimedAlertKafkaTakesThoughItRefusesOne() throws Exception {
        String run = Long.toString(System.nanoTime() % 1_000_000_000L);
        String wiki = "each" + run + "wiki";
        long time = twoMinutesAgo();
        List<Alert> alerts = massBlankings(wiki, time, "Taken", "Refused", "Also taken");
        List<Alert> stored = store.insert(alerts).await().atMost(Duration.ofSeconds(30));
        assertThat(stored).hasSize(3);
        MutinyEmitter<String> refusingOne = refusing(alertsOut, payload -> payload.contains("\"Refused\""), new AtomicInteger());

        assertThatThrownBy(() -> new AlertPublisher(store, refusingOne, json, registry, retention).publishEach(stored)
                .await().atMost(Duration.ofSeconds(30))).hasMessageContaining("1 of 3");

        assertThat(unpublished(wiki)).as("the refused one only").isEqualTo(1);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(published(wiki)).hasSize(2)
                .doesNotContainKey(alerts.get(1).id()));
    }

    /**
     * With retention on, an alert about a change older than it is not raised: stored, retention deleted it, and a
     * re-read of the events (a partition read from its start when its stored offsets could not be read) raised it
     * again as new, a days-old alert streamed as a live one.
     */
    @Test
    void shouldRaiseNoAlertAboutAChangeRetentionDeletes() {
        String run = Long.toString(System.nanoTime() % 1_000_000_000L);
        String wiki = "beyondretention" + run + "wiki";
        Alert old = massBlanking(wiki, "Old", twoMinutesAgo() - Duration.ofDays(2).toMillis());
        Alert recent = massBlanking(wiki, "Recent", twoMinutesAgo());
        SimpleMeterRegistry counted = new SimpleMeterRegistry();
        AlertPublisher keepingADay = new AlertPublisher(store, alertsOut, json, counted,
                ConfigMappings.of(RetentionConfig.class, Map.of("pulse.retention.windows", "1d")));

        assertThat(keepingADay.raise(List.of(old, recent)).await().atMost(Duration.ofSeconds(30)))
                .extracting(Alert::id).containsExactly(recent.id());
        assertThat(keepingADay.raise(List.of(old)).await().atMost(Duration.ofSeconds(30))).isEmpty();

        assertThat(StoredAggregates.scalar("SELECT count(*) FROM alerts WHERE wiki = ?", wiki)).isEqualTo(1);
        assertThat(counted.counter("pulse.alerts.beyond.retention").count()).isEqualTo(2);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(published(wiki)).containsOnlyKeys(recent.id()));
    }

    /** The start of the minute two minutes ago, in epoch milliseconds: a window the aggregates may hold. */
    private static long twoMinutesAgo() {
        return (Instant.now().getEpochSecond() / 60 - 2) * 60 * 1000;
    }

    /** A mass-blanking alert of {@code time} for each of {@code pages} of {@code wiki}. */
    private List<Alert> massBlankings(String wiki, long time, String... pages) {
        List<Alert> alerts = new ArrayList<>();
        for (String page : pages) {
            alerts.add(massBlanking(wiki, page, time));
        }
        return alerts;
    }

    /** A bot surge on {@code wiki} in the window of {@code time}: 40 of 41 changes by bots. */
    private Alert botSurge(String wiki, long time) {
        return Alert.raise(rules.current().botSurge(), wiki, time, wiki, null, null, "40 of 41 changes on " + wiki
                + " by bots in one window", Map.of("changes", 41, "botChanges", 40));
    }

    /** Someone blanked {@code page} of {@code wiki}: a mass-blanking alert of that time. */
    private Alert massBlanking(String wiki, String page, long time) {
        return Alert.raise(rules.current().massBlanking(), wiki + ":" + page, time, wiki, page, "Someone",
                "Someone removed 9000 bytes from " + page + " on " + wiki, Map.of("bytesRemoved", 9000));
    }

    private static void age(String wiki, String by) throws Exception {
        try (Connection db = StoredAggregates.connect();
                PreparedStatement older = db.prepareStatement("UPDATE alerts SET raised_at = now() - ?::interval WHERE wiki = ?")) {
            older.setString(1, by);
            older.setString(2, wiki);
            older.executeUpdate();
        }
    }

    /** The alerts channel's real emitter, refusing every send while {@code refuses} holds: nothing reaches Kafka then. */
    static MutinyEmitter<String> refusingWhile(MutinyEmitter<String> real, AtomicBoolean refuses, AtomicInteger refused) {
        return refusing(real, payload -> refuses.get(), refused);
    }

    /** The alerts channel's real emitter, refusing the sends whose payload {@code refuses}. */
    @SuppressWarnings("unchecked")
    static MutinyEmitter<String> refusing(MutinyEmitter<String> real, Predicate<String> refuses, AtomicInteger refused) {
        return (MutinyEmitter<String>) Proxy.newProxyInstance(MutinyEmitter.class.getClassLoader(),
                new Class<?>[] { MutinyEmitter.class }, (proxy, method, args) -> {
                    if (method.getName().equals("sendMessage") && refuses.test(((Message<?>) args[0]).getPayload().toString())) {
                        refused.incrementAndGet();
                        return Uni.createFrom().failure(new IllegalStateException("Injected: Kafka refused the alert"));
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    static long unpublished(String wiki) {
        return StoredAggregates.scalar("SELECT count(*) FROM alerts WHERE wiki = ? AND published_at IS NULL", wiki);
    }

    static List<JsonNode> stored(String wiki, long since) throws Exception {
        String body = given().queryParam("wiki", wiki).queryParam("since", Instant.ofEpochSecond(since - 600).toString())
                .get("/api/alerts").then().statusCode(200).extract().asString();
        List<JsonNode> out = new ArrayList<>();
        JSON.readTree(body).get("items").forEach(out::add);
        return out;
    }

    static List<SseTestClient.Event> streamed(SseTestClient client, String... wikis) {
        List<String> ours = List.of(wikis);
        return client.events().stream().filter(e -> "alert".equals(e.name()) && e.data().has("wiki")
                && ours.contains(e.data().get("wiki").asText())).toList();
    }

    static Map<String, List<ConsumerRecord<String, String>>> published(String... wikis) {
        List<String> ours = List.of(wikis);
        return TopicReader.readAll(ALERTS_TOPIC).stream().filter(r -> {
            try {
                JsonNode alert = JSON.readTree(r.value());
                return alert.has("wiki") && ours.contains(alert.get("wiki").asText());
            } catch (Exception e) {
                return false;
            }
        }).collect(Collectors.groupingBy(r -> {
            try {
                return JSON.readTree(r.value()).get("id").asText();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }));
    }
}
