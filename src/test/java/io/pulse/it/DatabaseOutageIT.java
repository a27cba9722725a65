package io.pulse.it;

import static io.pulse.it.FaultFixture.counted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.pulse.testkit.PulseInfra;

/**
 * PostgreSQL down for 30 s in the middle of the stream. The feed keeps flowing into Kafka, the
 * aggregator backs off and retries, and readiness stays UP with {@code degraded=true}: Pulse keeps
 * its place in the load balancer and catches up by itself when the database returns.
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
        FaultFixture.forgetIngestPosition(); // this feed starts from its beginning

        try (TestSseServer feed = new TestSseServer().start();
                PulseProcess pulse = PulseProcess.ingesting("outage", feed.url()).consuming(topic, "outage-group")
                        .property("mp.messaging.outgoing.wikimedia-events-out.topic", topic)
                        .env("PULSE_AGGREGATE_MAX_RETRY_BACKOFF", "2s")) {
            pulse.start();
            feed.append(events.subList(0, 1000));
            await().atMost(PATIENCE).until(() -> counted(wiki) == 1000);

            infra.postgres().stop();
            try {
                feed.append(events.subList(1000, events.size()));
                await().atMost(PATIENCE).until(() -> feed.eventsSent() >= events.size());
                await().atMost(PATIENCE).until(() -> pulse.readiness().degraded());
                // Waiting on purpose: the outage lasts 30 s, and readiness must stay UP all along.
                await().during(OUTAGE).atMost(OUTAGE.plusSeconds(30)).until(() -> {
                    PulseProcess.Readiness ready = pulse.readiness();
                    return ready.status() == 200 && ready.degraded();
                });
                // Backing off, not giving up: the same batch was retried again and again.
                assertThat(pulse.readiness().data().get("aggregator.consecutiveFailures").asLong()).isGreaterThan(3);
            } finally {
                infra.postgres().start();
            }

            FaultFixture.awaitCounted(wiki, events.size());
            await().atMost(PATIENCE).until(() -> !pulse.readiness().degraded());
            // The resume position, unsaved during the outage, is saved again.
            String last = FaultFixture.sseIdOf(events.get(events.size() - 1));
            await().atMost(PATIENCE).until(() -> last.equals(FaultFixture.persistedEventId()));
            FaultFixture.assertExactTotals(expected, wiki);
            FaultFixture.assertPublishedOnce(topic, expected.eventIds);
            assertThat(StoredAggregates.scalar("SELECT count(*) FROM alerts WHERE wiki = ? AND rule = 'mass-blanking'"
                    + " AND published_at IS NOT NULL", wiki)).as("the blanking, raised once the database was back").isEqualTo(1);
            assertThat(pulse.alive()).isTrue();
        }
    }
}
