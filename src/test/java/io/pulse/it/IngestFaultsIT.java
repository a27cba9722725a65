package io.pulse.it;

import static io.pulse.it.FaultFixture.counted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.pulse.ingest.PulseHeaders;
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
    void shouldStopReadingTheFeedWhileTheBrokerIsDownAndLoseNothing() throws Exception {
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
                int stalledAt = FaultFixture.awaitFeedStalled(feed, Duration.ofSeconds(3));
                assertThat(stalledAt).as("events the feed could write with the broker down")
                        .isLessThan(events.size() / 2);
                // Degraded, not unready: the API and dashboard read PostgreSQL, and a replica taken out of the
                // load balancer (every replica, with the broker away) would serve nobody.
                await().atMost(PATIENCE).until(() -> !pulse.readiness().data().get("kafka.ready").asBoolean());
                PulseProcess.Readiness ready = pulse.readiness();
                assertThat(ready.status()).isEqualTo(200);
                assertThat(ready.degraded()).isTrue();
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

    /**
     * Malformed events among the valid ones while the broker is down. Each lands in the dead-letter topic
     * once, the valid events are counted exactly, and the resume position moves past them all (a dead
     * letter holds it only until it is acknowledged). The 3 s delivery timeout below was meant to fail
     * their sends; in the runs looked at (12-07) the producer held them until the broker was back and
     * none failed: a failing dead-letter send is injected in {@code SlowDeadLetterTopicTest}.
     */
    @Test
    void shouldDeadLetterEachMalformedEventOnceWhileTheBrokerIsDown() {
        PulseInfra infra = FaultFixture.infra();
        String wiki = "dlqbrokerwiki";
        String topic = "pulse.faults.dlqbroker";
        infra.kafka().createTopic(topic, 2);
        List<String> valid = FaultFixture.events(wiki, 3000, 31);
        ExpectedAggregates expected = ExpectedAggregates.of(valid, 60);
        String marker = "dlqbroker-" + System.nanoTime();
        List<String> malformedIds = new ArrayList<>();
        List<String> stream = new ArrayList<>();
        for (int i = 0; i < valid.size(); i++) {
            String event = valid.get(i);
            stream.add(event);
            // One before the broker goes (the producer knows the topic), eleven after, spread out.
            if (i == 500 || i >= 1000 && i % 180 == 0) {
                stream.add(malformed(marker + "." + malformedIds.size() + ".", wiki, malformedIds.size(),
                        FaultFixture.timestampOf(event)));
                malformedIds.add(marker + "." + malformedIds.size() + ".");
            }
        }
        // The stream ends with one: the resume position can only reach the end once it is acknowledged.
        long lastTimestamp = FaultFixture.timestampOf(valid.get(valid.size() - 1));
        String lastId = marker + "." + malformedIds.size() + ".";
        stream.add(malformed(lastId, wiki, 2, lastTimestamp + 1));
        malformedIds.add(lastId);
        int firstPart = stream.indexOf(valid.get(1000));

        try (TestSseServer feed = new TestSseServer().start();
                PulseProcess pulse = ingesting("dlqbroker", feed, topic)
                        // Meant to fail a dead letter not acknowledged within 3 s (see above).
                        .property("mp.messaging.outgoing.wikimedia-dead-letters.delivery.timeout.ms", "3000")
                        .property("mp.messaging.outgoing.wikimedia-dead-letters.request.timeout.ms", "1000")
                        .property("mp.messaging.outgoing.wikimedia-dead-letters.linger.ms", "0")) {
            pulse.start();
            feed.append(stream.subList(0, firstPart));
            await().atMost(PATIENCE).until(() -> counted(wiki) == 1000);

            infra.kafka().stop();
            try {
                feed.append(stream.subList(firstPart, stream.size()));
                // Until the ingest stops reading (held reads) or the feed has sent everything: in either case
                // the dead letters of what was read wait for the broker, longer than their delivery timeout.
                int stalledAt = FaultFixture.awaitFeedStalled(feed, Duration.ofSeconds(5));
                assertThat(stalledAt).as("events the feed sent while the broker was down, malformed ones among them")
                        .isGreaterThan(stream.indexOf(valid.get(1081)));
            } finally {
                infra.kafka().start();
            }

            FaultFixture.awaitCounted(wiki, valid.size());
            FaultFixture.assertExactTotals(expected, wiki);
            FaultFixture.assertPublishedOnce(topic, expected.eventIds);
            await().atMost(PATIENCE).untilAsserted(() -> assertThat(deadLettered(malformedIds)).isEqualTo(once(malformedIds)));
            // The resume position passed the last event (a dead letter), and nothing is dead-lettered twice later.
            String last = FaultFixture.sseIdOf(stream.get(stream.size() - 1));
            await().atMost(PATIENCE).until(() -> last.equals(FaultFixture.persistedEventId()));
            assertThat(deadLettered(malformedIds)).isEqualTo(once(malformedIds));
            assertThat(pulse.logText()).doesNotContain("Wikimedia ingest stopped");
        }
    }

    /** A malformed event of one of three kinds, each identified by {@code id} in its data. */
    private static String malformed(String id, String wiki, int kind, long timestamp) {
        return switch (kind % 3) {
            case 0 -> "this is not json " + id;
            case 1 -> "{\"meta\":{\"id\":\"" + id + "\",\"domain\":\"" + wiki + ".example.org\"},\"comment\":\"" + id
                    + "\"}"; // no type
            default -> FaultFixture.event(wiki, id, "edit", 0, "Page 1", "User 1", false, timestamp, 10, 20)
                    .replace("\"bot\":false", "\"bot\":\"yes\"");
        };
    }

    /** How many ingest dead letters hold each id, read from the dead-letter topic. */
    private static Map<String, Long> deadLettered(List<String> ids) {
        Map<String, Long> out = new TreeMap<>();
        TopicReader.readAll(DeadLetterTest.DLQ).stream()
                .filter(r -> r.value() != null && "ingest".equals(TopicReader.header(r, PulseHeaders.STAGE)))
                .forEach(r -> ids.stream().filter(r.value()::contains).forEach(id -> out.merge(id, 1L, Long::sum)));
        return out;
    }

    private static Map<String, Long> once(List<String> ids) {
        Map<String, Long> out = new TreeMap<>();
        ids.forEach(id -> out.put(id, 1L));
        return out;
    }

    private static PulseProcess ingesting(String name, TestSseServer feed, String topic) {
        return FaultFixture.ingesting(name, feed, topic, name + "-group");
    }
}
