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
    static final int ROUNDS = 3;

    @Test
    void shouldCountExactlyOnceWhenPostgreSqlCrashesAndLosesAcknowledgedCommits() throws Exception {
        PulseInfra infra = FaultFixture.infra();
        String wiki = "pgcrashwiki";
        String topic = "pulse.faults.pg-crash";
        infra.kafka().createTopic(topic, 2);
        List<String> events = FaultFixture.events(wiki, 3000, 61);
        ExpectedAggregates expected = ExpectedAggregates.of(events, 60);
        // WAL written every 10 s instead of every 200 ms: the crash finds the last seconds' commits unwritten. Nor is it
        // flushed by autovacuum's commits (synchronous) or a checkpoint meanwhile, which made a crash lose nothing now
        // and then; should one still come between, the next round crashes again.
        StoredAggregates.execute("ALTER SYSTEM SET wal_writer_delay = '10s'");
        StoredAggregates.execute("ALTER SYSTEM SET autovacuum = off");
        StoredAggregates.execute("ALTER SYSTEM SET checkpoint_timeout = '1h'");
        StoredAggregates.execute("SELECT pg_reload_conf()");
        try (PulseProcess pulse = PulseProcess.aggregator("pg-crash").consuming(topic, "pg-crash-group")) {
            pulse.start();
            int chunk = events.size() / (ROUNDS + 1);
            int produced = 0;
            int crashes = 0;
            double reread = 0;
            while (reread == 0 && crashes < ROUNDS) {
                produced = produceAndAwait(topic, wiki, events, produced, produced + chunk);
                infra.postgres().crash();
                infra.postgres().start();
                crashes++;
                // Its next batch finds the lost commits and reads them again: counted once it is.
                produced = produceAndAwait(topic, wiki, events, produced, produced + 1);
                reread = Counters.sum(pulse.get("/q/metrics").body(), "pulse_aggregate_reread_records_total", "");
            }
            produceAndAwait(topic, wiki, events, produced, events.size());

            FaultFixture.assertExactTotals(expected, wiki);
            assertThat(reread).as("a crash lost acknowledged commits, which were read again (%d crashes)", crashes)
                    .isPositive();
        } finally {
            StoredAggregates.execute("ALTER SYSTEM RESET wal_writer_delay");
            StoredAggregates.execute("ALTER SYSTEM RESET autovacuum");
            StoredAggregates.execute("ALTER SYSTEM RESET checkpoint_timeout");
            StoredAggregates.execute("SELECT pg_reload_conf()");
        }
    }

    /** Produces events {@code from} to {@code to} and waits until every event up to {@code to} is counted. */
    private static int produceAndAwait(String topic, String wiki, List<String> events, int from, int to) {
        FaultFixture.produce(topic, events.subList(from, to));
        FaultFixture.awaitCounted(wiki, to);
        return to;
    }
}
