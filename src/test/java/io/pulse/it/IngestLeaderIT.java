package io.pulse.it;

import static io.pulse.it.FaultFixture.counted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.serialization.StringSerializer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two replicas run with the same settings, the ingest enabled on both, as a Kubernetes Deployment
 * scaled to two runs them: one is elected to read the feed, each event is published and counted once,
 * and when the leader dies the other takes over from the persisted position, still exactly once.
 */
class IngestLeaderIT {

    static final Duration PATIENCE = Duration.ofSeconds(120);

    @BeforeAll
    static void infra() {
        FaultFixture.infra();
        FaultFixture.forgetIngestPosition();
    }

    @Test
    void shouldReadTheFeedFromOneReplicaAndHandOverWhenItDies() throws Exception {
        String wiki = "leaderwiki";
        String topic = "pulse.faults.leader";
        FaultFixture.infra().kafka().createTopic(topic, 2);
        List<String> events = FaultFixture.events(wiki, 3000, 31);
        ExpectedAggregates expected = ExpectedAggregates.of(events, 60);

        try (TestSseServer feed = new TestSseServer().start();
                PulseProcess a = replica("leader-a", feed, topic);
                PulseProcess b = replica("leader-b", feed, topic)) {
            a.start();
            b.start();
            await().atMost(PATIENCE).until(() -> leaders(a, b) == 1);
            PulseProcess follower = leads(a) ? b : a;
            await().atMost(PATIENCE).untilAsserted(() -> {
                PulseProcess.Readiness readiness = follower.readiness();
                assertThat(readiness.data().get("ingest.leader").asBoolean()).isFalse();
                assertThat(readiness.degraded()).as("not degraded by a feed it does not read").isFalse();
            });
            feed.append(events.subList(0, 1000));
            FaultFixture.awaitCounted(wiki, 1000);

            PulseProcess leader = leads(a) ? a : b;
            PulseProcess other = leader == a ? b : a;
            leader.kill();
            feed.append(events.subList(1000, 2000)); // sent while the leader is dead
            await().atMost(PATIENCE).until(() -> leads(other));
            await().atMost(PATIENCE).until(() -> counted(wiki) == 2000);

            // The killed replica comes back as a follower: the feed stays with the new leader.
            leader.start().awaitReady(PATIENCE);
            feed.append(events.subList(2000, events.size()));
            FaultFixture.awaitCounted(wiki, events.size());
            await().atMost(PATIENCE).until(() -> leaders(a, b) == 1);

            FaultFixture.assertExactTotals(expected, wiki);
            FaultFixture.assertPublishedOnce(topic, expected.eventIds);
        }
    }

    /**
     * A replica joining (scale-out, a rolling update) leaves the feed where it is: the leader keeps
     * partition 0 (sticky assignment) and is never stopped, so the feed does not pause. With the eager
     * assignment used until 12-05, every join stopped and restarted the leader's ingest, and could move it.
     */
    @Test
    void shouldKeepTheFeedWithItsLeaderWhenAnotherReplicaJoins() throws Exception {
        FaultFixture.forgetIngestPosition();
        String wiki = "leaderjoinwiki";
        String topic = "pulse.faults.leader-join";
        String election = "pulse-ingest-leader-join";
        FaultFixture.infra().kafka().createTopic(topic, 2);
        List<String> events = FaultFixture.events(wiki, 2000, 37);
        ExpectedAggregates expected = ExpectedAggregates.of(events, 60);

        try (TestSseServer feed = new TestSseServer().start();
                PulseProcess a = replica("join-a", feed, topic, election);
                PulseProcess b = replica("join-b", feed, topic, election)) {
            a.start();
            await().atMost(PATIENCE).until(() -> leads(a));
            feed.append(events.subList(0, 1000));
            b.start().awaitReady(PATIENCE);
            await().atMost(PATIENCE).until(() -> stableMembers(election) == 2); // b has joined
            feed.append(events.subList(1000, events.size()));
            FaultFixture.awaitCounted(wiki, events.size());

            assertThat(leads(a)).isTrue();
            assertThat(leads(b)).isFalse();
            assertThat(a.logText().split("now reads the Wikimedia feed", -1)).as("elected once").hasSize(2);
            assertThat(a.logText()).doesNotContain("stopping the feed");
            FaultFixture.assertExactTotals(expected, wiki);
            FaultFixture.assertPublishedOnce(topic, expected.eventIds);
            // The leader's transactions and its producer's own metrics are on /q/metrics.
            String metrics = a.get("/q/metrics").body();
            String producer = "client_id=\"pulse-ingest-" + election + "\"";
            // A batch sent again (a retriable error) counts in both: what is left is each record once.
            assertThat(Counters.sum(metrics, "kafka_producer_record_send_total", producer)
                    - Counters.sum(metrics, "kafka_producer_record_retry_total", producer))
                    .as("its producer's count of records sent: each record in the topic, once")
                    .isEqualTo(TopicReader.readAll(topic).size());
            double committed = Counters.sum(metrics, "pulse_ingest_transactions_total", "outcome=\"committed\"");
            assertThat(committed).isPositive();
            assertThat(Counters.sum(metrics, "pulse_ingest_transaction_commit_seconds_count", "")).isEqualTo(committed);
            assertThat(Counters.sum(metrics, "pulse_ingest_transactions_total", "outcome=\"failed\"")).isZero();
        }
    }

    /**
     * A leader frozen past its session (a long pause, a partitioned host) is replaced; when it wakes up it
     * still reads the feed and publishes what its socket held, until its consumer learns it was replaced.
     * The new leader's transactions fenced it: nothing it publishes then is read, and every event is
     * counted once. Without the fencing those events were published, and counted, twice. Its stop's save is refused
     * (the successor took a newer term of the checkpoint): it saved its older position over its successor's (here it
     * saves none before it freezes, so that its stop has one to save).
     */
    @Test
    void shouldFenceALeaderThatWasReplacedWhileFrozen() throws Exception {
        FaultFixture.forgetIngestPosition();
        String wiki = "leaderzombiewiki";
        String topic = "pulse.faults.leader-zombie";
        String election = "pulse-ingest-leader-zombie";
        FaultFixture.infra().kafka().createTopic(topic, 2);
        List<String> events = FaultFixture.events(wiki, 3000, 41);
        ExpectedAggregates expected = ExpectedAggregates.of(events, 60);

        try (TestSseServer feed = new TestSseServer().start();
                PulseProcess a = replica("zombie-a", feed, topic, election)
                        .property("pulse.wikimedia.ingest.checkpoint-interval", "1h");
                PulseProcess b = replica("zombie-b", feed, topic, election)) {
            a.start();
            await().atMost(PATIENCE).until(() -> leads(a));
            b.start().awaitReady(PATIENCE);
            feed.append(events.subList(0, 1000));
            FaultFixture.awaitCounted(wiki, 1000);

            a.pause();
            String successors = FaultFixture.sseIdOf(events.get(1999));
            try {
                feed.append(events.subList(1000, 2000)); // the frozen leader's socket takes what its buffers hold
                await().atMost(PATIENCE).until(() -> leads(b));
                await().atMost(PATIENCE).until(() -> counted(wiki) == 2000);
                await().atMost(PATIENCE).until(() -> successors.equals(FaultFixture.persistedEventId()));
            } finally {
                a.resume();
            }
            await().atMost(PATIENCE).until(() -> !leads(a));
            // Its stop ends within 10 s of losing the lead (in-flight events waited for 5 s at most, then the save's 5).
            await().during(Duration.ofSeconds(12)).atMost(Duration.ofSeconds(30))
                    .until(() -> successors.equals(FaultFixture.persistedEventId()));
            feed.append(events.subList(2000, events.size()));
            FaultFixture.awaitCounted(wiki, events.size());

            FaultFixture.assertExactTotals(expected, wiki);
            FaultFixture.assertPublishedOnce(topic, expected.eventIds);
        }
    }

    /**
     * The leader fenced by a producer that was not elected (here one of the test's, taking the
     * transactional id): it stops, finds itself still elected a session later, and reads the feed again
     * from its saved position; every event is counted once.
     */
    @Test
    void shouldReadTheFeedAgainWhenFencedWithoutASuccessor() throws Exception {
        soleLeader("fenced", 43, (a, feed, events, election) -> {
            try (Producer<String, String> rogue = new KafkaProducer<>(Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, FaultFixture.infra().bootstrapServers(),
                    ProducerConfig.TRANSACTIONAL_ID_CONFIG, election), new StringSerializer(), new StringSerializer())) {
                rogue.initTransactions();
            }
            feed.append(events.subList(1000, 1500)); // sent while it is fenced, read once it reads the feed again
            await().atMost(PATIENCE).until(() -> a.logText().contains("Still the elected ingest leader after being fenced"));
            assertThat(a.logText()).contains("this one was fenced");
            return 1500;
        });
    }

    /**
     * The leader's checkpoint term taken by a replica that was not elected (here the test's own claim): its next save
     * is refused, it stops, finds itself still elected a session later, takes a newer term and reads the feed again
     * from its saved position; every event is counted once.
     */
    @Test
    void shouldReadTheFeedAgainWhenItsCheckpointTermWasTakenWithoutASuccessor() throws Exception {
        soleLeader("term", 47, (a, feed, events, election) -> {
            StoredAggregates.execute("UPDATE ingest_checkpoints SET leader_term = leader_term + 1 WHERE source = '"
                    + TestSseServer.CHECKPOINT + "'");
            feed.append(events.subList(1000, 1500)); // moves its position: the next save is refused
            await().atMost(PATIENCE).until(() -> a.logText().contains("another replica was elected to read the feed since"));
            await().atMost(PATIENCE).until(() -> a.logText().contains("Still the elected ingest leader after being fenced"));
            return 1500;
        });
    }

    /** What a test does to the sole elected replica once the feed's first 1,000 events are counted; returns how many were sent. */
    @FunctionalInterface
    private interface Meanwhile {
        int run(PulseProcess leader, TestSseServer feed, List<String> events, String election) throws Exception;
    }

    /**
     * One replica, elected alone, reads a feed of 2,000 events: {@code meanwhile} once the first 1,000 are counted,
     * then the rest; every event is counted and published once, and the last one's position is saved.
     */
    private static void soleLeader(String name, int seed, Meanwhile meanwhile) throws Exception {
        FaultFixture.forgetIngestPosition();
        String wiki = "leader" + name + "wiki";
        String topic = "pulse.faults.leader-" + name;
        String election = "pulse-ingest-leader-" + name;
        FaultFixture.infra().kafka().createTopic(topic, 2);
        List<String> events = FaultFixture.events(wiki, 2000, seed);
        ExpectedAggregates expected = ExpectedAggregates.of(events, 60);

        try (TestSseServer feed = new TestSseServer().start();
                PulseProcess a = replica(name + "-a", feed, topic, election)) {
            a.start();
            await().atMost(PATIENCE).until(() -> leads(a));
            feed.append(events.subList(0, 1000));
            FaultFixture.awaitCounted(wiki, 1000);

            int sent = meanwhile.run(a, feed, events, election);
            feed.append(events.subList(sent, events.size()));
            FaultFixture.awaitCounted(wiki, events.size());

            await().atMost(PATIENCE).until(() -> FaultFixture.sseIdOf(events.get(events.size() - 1))
                    .equals(FaultFixture.persistedEventId()));
            FaultFixture.assertExactTotals(expected, wiki);
            FaultFixture.assertPublishedOnce(topic, expected.eventIds);
        }
    }

    private static final String ELECTION_GROUP = "mp.messaging.incoming.wikimedia-ingest-leader.group.id";

    /** Members of a consumer group once it is stable (not rebalancing), else -1. */
    private static int stableMembers(String group) throws Exception {
        try (Admin admin = FaultFixture.infra().kafka().admin()) {
            ConsumerGroupDescription d = admin.describeConsumerGroups(List.of(group)).all().get(30, TimeUnit.SECONDS)
                    .get(group);
            return d.groupState() == GroupState.STABLE ? d.members().size() : -1;
        }
    }

    private static PulseProcess replica(String name, TestSseServer feed, String topic) {
        return FaultFixture.ingesting(name, feed, topic, "leader-group");
    }

    /** A replica that runs its election in a group of the test's own (also the leader's transactional id). */
    private static PulseProcess replica(String name, TestSseServer feed, String topic, String election) {
        return replica(name, feed, topic).property(ELECTION_GROUP, election);
    }

    private static int leaders(PulseProcess... replicas) {
        int n = 0;
        for (PulseProcess r : replicas) {
            n += leads(r) ? 1 : 0;
        }
        return n;
    }

    private static boolean leads(PulseProcess replica) {
        try {
            return replica.alive() && Counters.sum(replica.get("/q/metrics").body(), "pulse_ingest_leader", "") == 1;
        } catch (Exception notUpYet) {
            return false;
        }
    }
}
