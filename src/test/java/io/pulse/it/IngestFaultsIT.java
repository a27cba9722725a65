package io.pulse.it;

import static io.pulse.it.FaultFixture.counted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.pulse.testkit.LocalKafka;
import io.pulse.testkit.PulseInfra;

/**
 * The ingest as a real process, feed → Kafka → PostgreSQL, while the broker restarts and while the
 * process itself is killed or stopped: every event reaches Kafka once (by {@code meta.id}) and is
 * counted once.
 */
class IngestFaultsIT {

    static final Duration PATIENCE = Duration.ofSeconds(120);

    @BeforeAll
    static void infra() {
        FaultFixture.infra();
    }

    @BeforeEach
    void forgetOtherFeeds() {
        FaultFixture.forgetIngestPosition(); // each test's feed starts from its beginning
    }

    @Test
    void shouldLoseAndDoubleNothingWhenTheBrokerRestartsMidStream() {
        PulseInfra infra = FaultFixture.infra();
        String wiki = "brokerwiki";
        String topic = "pulse.faults.broker";
        infra.kafka().createTopic(topic, 2);
        List<String> events = FaultFixture.events(wiki, 3000, 19);
        ExpectedAggregates expected = ExpectedAggregates.of(events, 60);

        try (TestSseServer feed = new TestSseServer().start();
                PulseProcess pulse = ingesting("broker", feed, topic)) {
            pulse.start();
            feed.append(events.subList(0, 1000));
            await().atMost(PATIENCE).until(() -> counted(wiki) == 1000);

            feed.append(events.subList(1000, events.size())); // in flight while the broker goes away
            infra.kafka().restart();

            FaultFixture.awaitCounted(wiki, events.size());
            FaultFixture.assertExactTotals(expected, wiki);
            FaultFixture.assertPublishedOnce(topic, expected.eventIds);
        }
    }

    @Test
    void shouldStopReadingTheFeedWhileTheBrokerIsDownAndLoseNothing() {
        PulseInfra infra = FaultFixture.infra();
        String wiki = "backpressurewiki";
        String topic = "pulse.faults.backpressure";
        infra.kafka().createTopic(topic, 2);
        List<String> events = FaultFixture.events(wiki, 100_000, 29); // ~35 MB: far more than the socket buffers hold
        ExpectedAggregates expected = ExpectedAggregates.of(events, 60);

        try (TestSseServer feed = new TestSseServer().start();
                PulseProcess pulse = ingesting("backpressure", feed, topic)
                        .property("pulse.wikimedia.ingest.max-in-flight", "4")) {
            pulse.start();
            feed.append(events.subList(0, 1000));
            await().atMost(PATIENCE).until(() -> counted(wiki) == 1000);

            infra.kafka().stop();
            try {
                feed.append(events.subList(1000, events.size()));
                // Unacknowledged reads hold the socket: the feed can write only what the buffers on the way take.
                int[] previous = { -1 };
                await().atMost(PATIENCE).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    int sent = feed.eventsSent();
                    boolean still = sent == previous[0];
                    previous[0] = sent;
                    return still;
                });
                int stalledAt = feed.eventsSent();
                await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                        .until(() -> feed.eventsSent() == stalledAt);
                assertThat(stalledAt).as("events the feed could write with the broker down")
                        .isLessThan(events.size() / 2);
            } finally {
                infra.kafka().start();
            }

            FaultFixture.awaitCounted(wiki, events.size());
            FaultFixture.assertExactTotals(expected, wiki);
            FaultFixture.assertPublishedOnce(topic, expected.eventIds);
        }
    }

    /**
     * A start whose read-back of the events topic fails (the broker not there yet) retries it, and the
     * ingest starts once the broker answers. Before, the retry re-subscribed on an event loop, where the
     * checkpoint's load is refused: it failed for good and nothing was ever read from the feed.
     */
    @Test
    void shouldStartTheIngestOnceTheBrokerAnswersItsReadBack() {
        String wiki = "readbackwiki";
        String topic = "pulse.faults.readback";
        List<String> events = FaultFixture.events(wiki, 500, 53);
        ExpectedAggregates expected = ExpectedAggregates.of(events, 60);

        try (LocalKafka kafka = LocalKafka.throwaway().start();
                TestSseServer feed = new TestSseServer().start();
                PulseProcess pulse = ingesting("readback", feed, topic)
                        .env("KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrapServers())
                        // Without the election the ingest starts with the service, broker or not.
                        .env("PULSE_WIKIMEDIA_INGEST_LEADER_ELECTION", "false")
                        .property("pulse.wikimedia.ingest.read-back-timeout", "3s")) {
            kafka.stop();
            pulse.start();
            await().atMost(PATIENCE).until(() -> pulse.logText().contains("Cannot read back the events topic yet"));
            kafka.start();
            feed.append(events);

            FaultFixture.awaitCounted(wiki, events.size());
            FaultFixture.assertExactTotals(expected, wiki);
            assertThat(pulse.logText()).doesNotContain("must not be called on an event loop");
        }
    }

    @Test
    void shouldResumeFromThePersistedEventIdAfterAKillAndAfterAStop() throws Exception {
        String wiki = "resumewiki";
        String topic = "pulse.faults.resume";
        FaultFixture.infra().kafka().createTopic(topic, 2);
        List<String> events = FaultFixture.events(wiki, 3000, 23);
        ExpectedAggregates expected = ExpectedAggregates.of(events, 60);

        try (TestSseServer feed = new TestSseServer().start();
                PulseProcess pulse = ingesting("resume", feed, topic)) {
            pulse.start();
            feed.append(events.subList(0, 1000));
            await().atMost(PATIENCE).until(() -> counted(wiki) == 1000);
            pulse.kill();
            String persisted = FaultFixture.persistedEventId();
            feed.append(events.subList(1000, 2000)); // published while Pulse is down

            int connections = feed.connections().size();
            pulse.start();
            await().atMost(PATIENCE).until(() -> feed.connections().size() > connections);
            assertThat(feed.connections().get(connections).lastEventId()).as("resumed from the persisted id")
                    .isEqualTo(persisted);
            await().atMost(PATIENCE).until(() -> counted(wiki) == 2000);

            // A graceful stop persists the final position: the next run resumes at the last event sent.
            assertThat(pulse.terminate()).isIn(0, 143);
            assertThat(pulse.errorLines()).isEmpty();
            String last = FaultFixture.sseIdOf(events.get(1999));
            assertThat(FaultFixture.persistedEventId()).isEqualTo(last);
            feed.append(events.subList(2000, events.size()));
            int beforeThird = feed.connections().size();
            pulse.start();
            await().atMost(PATIENCE).until(() -> feed.connections().size() > beforeThird);
            assertThat(feed.connections().get(beforeThird).lastEventId()).isEqualTo(last);

            FaultFixture.awaitCounted(wiki, events.size());
            FaultFixture.assertExactTotals(expected, wiki);
            FaultFixture.assertPublishedOnce(topic, expected.eventIds);
        }
    }

    private static PulseProcess ingesting(String name, TestSseServer feed, String topic) {
        return FaultFixture.ingesting(name, feed, topic, name + "-group");
    }
}
