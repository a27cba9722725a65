package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.pulse.testkit.PulseInfra;

/**
 * PostgreSQL crashes while the aggregator commits asynchronously (its default): the commits it had
 * acknowledged but not yet written are gone after recovery, while the aggregator's consumer has read
 * past their records. They are read again and counted once: exact totals.
 */
class PostgresCrashIT {

    static final Duration PATIENCE = Duration.ofSeconds(120);

    @Test
    void shouldCountExactlyOnceWhenPostgreSqlCrashesAndLosesAcknowledgedCommits() throws Exception {
        PulseInfra infra = FaultFixture.infra();
        String wiki = "pgcrashwiki";
        String topic = "pulse.faults.pg-crash";
        infra.kafka().createTopic(topic, 2);
        List<String> events = FaultFixture.events(wiki, 3000, 61);
        ExpectedAggregates expected = ExpectedAggregates.of(events, 60);
        // WAL written every 10 s instead of every 200 ms: the crash finds the last seconds' commits unwritten.
        StoredAggregates.execute("ALTER SYSTEM SET wal_writer_delay = '10s'");
        StoredAggregates.execute("SELECT pg_reload_conf()");
        try (PulseProcess pulse = PulseProcess.aggregator("pg-crash").consuming(topic, "pg-crash-group")) {
            pulse.start();
            FaultFixture.produce(topic, events.subList(0, 1500));
            FaultFixture.awaitCounted(wiki, 1500);

            infra.postgres().crash();
            infra.postgres().start();
            FaultFixture.produce(topic, events.subList(1500, events.size()));

            FaultFixture.awaitCounted(wiki, events.size());
            FaultFixture.assertExactTotals(expected, wiki);
            assertThat(Counters.sum(pulse.get("/q/metrics").body(), "pulse_aggregate_reread_records_total", ""))
                    .as("the crash lost acknowledged commits, which were read again").isPositive();
        } finally {
            StoredAggregates.execute("ALTER SYSTEM RESET wal_writer_delay");
            StoredAggregates.execute("SELECT pg_reload_conf()");
        }
    }
}
