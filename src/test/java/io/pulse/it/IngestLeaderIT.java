package io.pulse.it;

import static io.pulse.it.FaultFixture.counted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;

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

    private static PulseProcess replica(String name, TestSseServer feed, String topic) {
        return FaultFixture.ingesting(name, feed, topic, "leader-group");
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
