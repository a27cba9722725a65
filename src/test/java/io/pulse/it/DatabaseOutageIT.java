package io.pulse.it;

import static io.pulse.it.FaultFixture.counted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pulse.testkit.PulseInfra;

/**
 * PostgreSQL down for 30 s in the middle of the stream. The feed keeps flowing into Kafka, the
 * aggregator backs off and retries, and readiness stays UP with {@code degraded=true}: Pulse keeps
 * its place in the load balancer and catches up by itself when the database returns. Alerts raised
 * by what arrived during the outage (a blanking, a bot surge) are raised once, when it is back.
 */
class DatabaseOutageIT {

    static final Duration OUTAGE = Duration.ofSeconds(30);
    static final Duration PATIENCE = Duration.ofSeconds(120);

    @BeforeAll
    static void infra() {
        FaultFixture.infra();
    }

    @Test
    void shouldStayReadyButDegradedWhileTheDatabaseIsDownAndCatchUpExactly() throws Exception {
        PulseInfra infra = FaultFixture.infra();
        String wiki = "outagewiki";
        String topic = "pulse.faults.outage";
        infra.kafka().createTopic(topic, 2);
        List<String> events = new ArrayList<>(FaultFixture.events(wiki, 2000, 17));
        // The first event after the database goes: an edit blanking a page, so that the first batch to
        // fail raises an alert, which waits for the database before the batch's aggregates do.
        events.set(1000, events.get(1000).replaceFirst("\"type\":\"[a-z]+\"", "\"type\":\"edit\"")
                .replaceFirst("\"length\":\\{[^}]*}", "\"length\":{\"old\":9000,\"new\":0}"));
        ExpectedAggregates expected = ExpectedAggregates.of(events, 60);
        // A bot surge on another wiki amid the events sent while the database is down: 40 bot changes and
        // 2 others in one minute, five minutes before the newest event (within the check's lookback); and a
        // minute next to it whose bot share stays below the rule's 0.9.
        String botWiki = "outagebotwiki";
        long surgeWindow = Math.floorDiv(FaultFixture.timestampOf(events.get(events.size() - 1)) - 300, 60) * 60;
        List<String> bots = new ArrayList<>();
        for (int i = 0; i < 42; i++) {
            bots.add(AlertEvents.event("outagebot-" + i, botWiki, "Item " + i, i < 40 ? "FloodBot" : "Someone", i < 40,
                    surgeWindow + i, 0, 50));
        }
        for (int i = 0; i < 45; i++) {
            bots.add(AlertEvents.event("outagebot-next-" + i, botWiki, "Item " + i, i < 35 ? "FloodBot" : "Someone",
                    i < 35, surgeWindow + 60 + i, 0, 50));
        }
        ExpectedAggregates botExpected = ExpectedAggregates.of(bots, 60);
        long expectedSurges = surgeWindows(bots, 60, 30, 0.9);
        assertThat(expectedSurges).as("surge windows in the input").isEqualTo(1);
        List<String> duringOutage = new ArrayList<>(events.subList(1000, events.size()));
        duringOutage.addAll(bots);
        duringOutage.sort(Comparator.comparingLong(FaultFixture::timestampOf)); // stable: the blanking stays first
        assertThat(duringOutage.get(0)).isEqualTo(events.get(1000));
        FaultFixture.forgetIngestPosition(); // this feed starts from its beginning

        try (TestSseServer feed = new TestSseServer().start();
                PulseProcess pulse = PulseProcess.ingesting("outage", feed.url()).consuming(topic, "outage-group")
                        .property("mp.messaging.outgoing.wikimedia-events-out.topic", topic)
                        .env("PULSE_AGGREGATE_MAX_RETRY_BACKOFF", "2s")
                        .env("PULSE_ALERT_CHECK_INTERVAL", "1s")) {
            pulse.start();
            feed.append(events.subList(0, 1000));
            await().atMost(PATIENCE).until(() -> counted(wiki) == 1000);

            infra.postgres().stop();
            try {
                feed.append(duringOutage);
                await().atMost(PATIENCE).until(() -> feed.eventsSent() >= events.size() + bots.size());
                await().atMost(PATIENCE).until(() -> pulse.readiness().degraded());
                // Waiting on purpose: the outage lasts 30 s, and readiness must stay UP all along.
                await().during(OUTAGE).atMost(OUTAGE.plusSeconds(30)).until(() -> {
                    PulseProcess.Readiness ready = pulse.readiness();
                    return ready.status() == 200 && ready.degraded();
                });
                // Backing off, not giving up: the same batch was retried again and again.
                assertThat(pulse.readiness().data().get("aggregator.consecutiveFailures").asLong()).isGreaterThan(3);
                // A query meanwhile: the database away is a 503 to retry, not a 500 and an incident.
                HttpResponse<String> top = pulse.get("/api/top/pages");
                assertThat(top.statusCode()).isEqualTo(503);
                assertThat(top.headers().firstValue("Retry-After")).hasValue("5");
                assertThat(top.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
                assertThat(top.body()).contains("Database unavailable");
                assertThat(pulse.logText()).doesNotContain("Unexpected failure serving GET /api/top/pages");
            } finally {
                infra.postgres().start();
            }

            FaultFixture.awaitCounted(wiki, events.size());
            FaultFixture.awaitCounted(botWiki, bots.size());
            await().atMost(PATIENCE).until(() -> !pulse.readiness().degraded());
            // The resume position, unsaved during the outage, is saved again.
            String last = FaultFixture.sseIdOf(events.get(events.size() - 1));
            await().atMost(PATIENCE).until(() -> last.equals(FaultFixture.persistedEventId()));
            FaultFixture.assertExactTotals(expected, wiki);
            FaultFixture.assertPublishedOnce(topic, expected.eventIds);
            assertThat(StoredAggregates.scalar("SELECT count(*) FROM alerts WHERE wiki = ? AND rule = 'mass-blanking'"
                    + " AND published_at IS NOT NULL", wiki)).as("the blanking, raised once the database was back").isEqualTo(1);
            FaultFixture.assertExactTotals(botExpected, botWiki);
            FaultFixture.assertPublishedOnce(topic, botExpected.eventIds);
            // The checks that failed while the database was down are retried: the surge is raised once it is
            // back, once, and stays raised once over the checks after it (one a second).
            String surges = "SELECT count(*) FROM alerts WHERE wiki = ? AND rule = 'bot-surge' AND published_at IS NOT NULL";
            await().atMost(PATIENCE).until(() -> StoredAggregates.scalar(surges, botWiki) >= expectedSurges);
            await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(15))
                    .until(() -> StoredAggregates.scalar(surges, botWiki) == expectedSurges);
            assertThat(StoredAggregates.text("SELECT details->>'windowStart' FROM alerts WHERE wiki = '" + botWiki
                    + "' AND rule = 'bot-surge'")).isEqualTo(java.time.Instant.ofEpochSecond(surgeWindow).toString());
            assertThat(StoredAggregates.scalar(surges, wiki)).as("no surge on the wiki whose bots are a fifth").isZero();
            // The outage's failed checks are told once, and their end (they were debug-only before).
            assertThat(pulse.logText()).contains("Could not run the alert checks").contains("Could run the alert checks again, after");
            assertThat(pulse.alive()).isTrue();
        }
    }

    /**
     * A replica dies while PostgreSQL is down: the survivor is assigned its partitions (and, the
     * assignment being eager, its own again) but cannot read where the store stands, so it reads them
     * from the earliest offset. What was already counted is skipped inside the transaction that would
     * count it again, once the database is back: exact totals.
     */
    @Test
    void shouldCountPartitionsTakenOverWhileTheDatabaseIsDownOnce() throws Exception {
        PulseInfra infra = FaultFixture.infra();
        String wiki = "takeoverwiki";
        String topic = "pulse.faults.takeover";
        String group = "takeover-group";
        infra.kafka().createTopic(topic, 4);
        List<String> events = FaultFixture.events(wiki, 4000, 29);
        ExpectedAggregates expected = ExpectedAggregates.of(events, 60);

        try (PulseProcess survivor = PulseProcess.aggregator("takeover-a").consuming(topic, group)
                .env("PULSE_AGGREGATE_MAX_RETRY_BACKOFF", "2s").launch();
                PulseProcess dying = PulseProcess.aggregator("takeover-b").consuming(topic, group).launch()) {
            survivor.awaitStarted();
            dying.awaitStarted();
            // Both members with partitions before the first events: each counts some of them.
            try (Admin admin = infra.kafka().admin()) {
                await().atMost(PATIENCE).ignoreExceptions().until(() -> {
                    ConsumerGroupDescription described = admin.describeConsumerGroups(List.of(group))
                            .describedGroups().get(group).get();
                    return described.members().size() == 2
                            && described.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
                });
            }
            FaultFixture.produce(topic, events.subList(0, 2000));
            FaultFixture.awaitCounted(wiki, 2000);
            await().atMost(PATIENCE).until(() -> dying.readiness().data().get("aggregator.committedEvents").asLong() > 0
                    && survivor.readiness().data().get("aggregator.committedEvents").asLong() > 0);

            infra.postgres().stop();
            try {
                dying.kill();
                FaultFixture.produce(topic, events.subList(2000, events.size()));
                await().atMost(PATIENCE).until(() -> survivor.logText().contains("Could not read stored offsets"));
            } finally {
                infra.postgres().start();
            }

            FaultFixture.awaitCounted(wiki, events.size());
            ConsumerGroups.awaitConsumed(group, topic, PATIENCE);
            FaultFixture.assertExactTotals(expected, wiki);
            assertThat(survivor.alive()).isTrue();
        }
    }

    /** Windows with at least {@code minBots} bot changes and a bot share of at least {@code minShare}: a plain loop. */
    private static long surgeWindows(List<String> events, long windowSeconds, long minBots, double minShare) {
        Map<Long, long[]> windows = new TreeMap<>();
        for (String event : events) {
            long[] w = windows.computeIfAbsent(Math.floorDiv(FaultFixture.timestampOf(event), windowSeconds), k -> new long[2]);
            w[0]++;
            w[1] += event.contains("\"bot\":true") ? 1 : 0;
        }
        return windows.values().stream().filter(w -> w[1] >= minBots && w[1] >= minShare * w[0]).count();
    }
}
