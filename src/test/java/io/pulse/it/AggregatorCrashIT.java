package io.pulse.it;

import static io.pulse.it.FaultFixture.counted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.IntStream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The aggregator as a real process, crashed and stopped mid-stream: whatever the moment, PostgreSQL
 * ends up with exactly the totals of the input. Small polls make many transactions, so a kill
 * lands between, or inside, one of them.
 */
class AggregatorCrashIT {

    static final int PARTITIONS = 4;
    static final String SMALL_POLLS = "25";
    static final Duration PATIENCE = Duration.ofSeconds(120);

    @BeforeAll
    static void infra() {
        FaultFixture.infra();
    }

    @Test
    void shouldCountExactlyOnceWhenKilledWithSigkillAtRandomPointsAndRestarted() {
        String wiki = "crashwiki";
        String topic = "pulse.faults.crash";
        FaultFixture.infra().kafka().createTopic(topic, PARTITIONS);
        List<String> events = FaultFixture.events(wiki, 8000, 7);
        ExpectedAggregates expected = ExpectedAggregates.of(events, 60);
        FaultFixture.produce(topic, events);

        // Seeded kill points, sorted: each run is killed after a little more has been committed.
        Random random = new Random(20261123);
        int[] killAt = IntStream.generate(() -> 500 + random.nextInt(events.size() - 1000)).limit(3).sorted().toArray();
        List<Long> countedAtKill = new ArrayList<>();
        try (PulseProcess aggregator = PulseProcess.aggregator("crash").consuming(topic, "crash-group")
                .property("mp.messaging.incoming.wikimedia-events-in.max.poll.records", SMALL_POLLS)) {
            for (int threshold : killAt) {
                aggregator.start();
                await().atMost(PATIENCE).pollInterval(Duration.ofMillis(20)).until(() -> counted(wiki) >= threshold);
                aggregator.kill();
                countedAtKill.add(counted(wiki));
            }
            aggregator.start();
            FaultFixture.awaitCounted(wiki, events.size());
            FaultFixture.assertExactTotals(expected, wiki);
            // Each restart rebuilt the alert rules' state from what the killed runs had stored.
            assertThat(aggregator.logText()).containsPattern("spike baselines rebuilt from [1-9]\\d* stored page counts");
        }
        assertThat(countedAtKill).as("kills at %s landed mid-stream", Arrays.toString(killAt))
                .anyMatch(n -> n < events.size());
    }

    @Test
    void shouldLetTheSurvivorTakeOverTheKilledReplicasPartitions() throws Exception {
        String wiki = "failoverwiki";
        String topic = "pulse.faults.failover";
        String group = "failover-group";
        FaultFixture.infra().kafka().createTopic(topic, PARTITIONS);
        List<String> events = FaultFixture.events(wiki, 8000, 11);
        ExpectedAggregates expected = ExpectedAggregates.of(events, 60);

        try (PulseProcess survivor = PulseProcess.aggregator("survivor").consuming(topic, group)
                .property("mp.messaging.incoming.wikimedia-events-in.max.poll.records", SMALL_POLLS);
                PulseProcess victim = PulseProcess.aggregator("victim").consuming(topic, group)
                        .property("mp.messaging.incoming.wikimedia-events-in.max.poll.records", SMALL_POLLS)) {
            survivor.launch();
            victim.launch().awaitStarted();
            survivor.awaitStarted();
            awaitMembers(group, 2);
            FaultFixture.produce(topic, events);
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(20))
                    .until(() -> victim.readiness().data().get("aggregator.committedEvents").asLong() >= 500);
            victim.kill();
            long atKill = counted(wiki);

            FaultFixture.awaitCounted(wiki, events.size());
            FaultFixture.assertExactTotals(expected, wiki);
            assertThat(atKill).as("the victim died mid-stream").isLessThan(events.size());
            assertThat(ownerOfAllPartitions(group)).as("the survivor took over every partition").isTrue();
        }
    }

    @Test
    void shouldDrainOnSigtermWithoutErrorsAndResumeExactly() {
        String wiki = "sigtermwiki";
        String topic = "pulse.faults.sigterm";
        FaultFixture.infra().kafka().createTopic(topic, PARTITIONS);
        List<String> events = FaultFixture.events(wiki, 6000, 13);
        ExpectedAggregates expected = ExpectedAggregates.of(events, 60);
        FaultFixture.produce(topic, events);

        try (PulseProcess aggregator = PulseProcess.aggregator("sigterm").consuming(topic, "sigterm-group")
                .property("mp.messaging.incoming.wikimedia-events-in.max.poll.records", SMALL_POLLS)) {
            aggregator.start();
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(20)).until(() -> counted(wiki) >= 1000);
            int exit = aggregator.terminate();
            long atStop = counted(wiki);
            assertThat(atStop).as("stopped mid-stream").isLessThan(events.size());
            // SIGTERM is an orderly stop: 143 (128 + 15) or 0, the JVM's own codes for it.
            assertThat(exit).isIn(0, 143);
            assertThat(aggregator.errorLines()).as("a graceful stop logs no error").isEmpty();
            assertThat(aggregator.logText()).contains("stopped in")
                    // A consumer still retrying a batch against the closed database pool held the stop
                    // until SmallRye's close timeout; the offsets in PostgreSQL make waiting unnecessary.
                    .doesNotContain("SRMSG18245")
                    .doesNotContain("Pool closed");

            aggregator.start();
            FaultFixture.awaitCounted(wiki, events.size());
            FaultFixture.assertExactTotals(expected, wiki);
        }
    }

    private static boolean ownerOfAllPartitions(String group) throws Exception {
        try (Admin admin = FaultFixture.infra().kafka().admin()) {
            ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
            return g.members().size() == 1
                    && g.members().iterator().next().assignment().topicPartitions().size() == PARTITIONS;
        }
    }

    private static void awaitMembers(String group, int members) {
        try (Admin admin = FaultFixture.infra().kafka().admin()) {
            await().atMost(PATIENCE).ignoreExceptions().until(() -> {
                ConsumerGroupDescription g = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get();
                return g.members().size() == members
                        && g.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
            });
        }
    }
}
