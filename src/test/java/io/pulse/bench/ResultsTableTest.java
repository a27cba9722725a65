package io.pulse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

class ResultsTableTest {

    @Test
    void aPartialRunNamesWhatDidNotRunInsteadOfReportingAMismatch() {
        Map<String, Object> latencyOnly = new HashMap<>(Map.of("events", 1_000_000, "latency_1000_commit_ms", Map.of("p99", 69),
                "latency_10000_commit_ms", Map.of("p99", 155), "startup_to_ready_s", 7.0));

        String table = String.join("\n", new ResultsTable(latencyOnly).render());

        assertThat(table).doesNotContain("MISMATCH").doesNotContain("null events/s")
                .contains("latency @10000/s data line → committed")
                .containsPattern("totals check +not made")
                .containsPattern("not run \\(--only\\) +aggregate, ingest");
    }

    @Test
    void eventsSentAndNeverPublishedAreShownBesideTheLatenciesTheyDistort() {
        Map<String, Object> run = new HashMap<>(Map.of("latency_1000_commit_ms", Map.of("p99", 69),
                "latency_10000_commit_ms", Map.of("p99", 722), "latency_10000_missing_events", "6355 of 450000 missing: 0-6354 (6355)"));

        List<String> table = new ResultsTable(run).render();

        assertThat(table).anyMatch(l -> l.contains("EVENTS SENT AND NOT IN KAFKA") && l.contains("0-6354 (6355)"))
                .filteredOn(l -> l.contains("EVENTS SENT AND NOT IN KAFKA")).hasSize(1);
    }

    @Test
    void aFullRunReportsTheTotalsCheck() {
        Map<String, Object> full = new HashMap<>(Map.of("aggregator_events_per_s", 40_000, "ingest_events_per_s", 30_000,
                "latency_1000_commit_ms", Map.of("p99", 69), "latency_10000_commit_ms", Map.of("p99", 155),
                "check_committed_changes", 999_011, "check_expected_changes", 999_011, "check_ok", true));
        Map<String, Object> wrong = new HashMap<>(full);
        wrong.put("check_committed_changes", 999_010);
        wrong.put("check_ok", false);

        List<String> ok = new ResultsTable(full).render();
        List<String> mismatch = new ResultsTable(wrong).render();

        assertThat(ok).anyMatch(l -> l.matches("\\s+totals check\\s+999011 = 999011\\s+OK"))
                .noneMatch(l -> l.contains("not run"));
        assertThat(mismatch).anyMatch(l -> l.matches("\\s+totals check\\s+999010 = 999011\\s+MISMATCH"));
    }

    @Test
    void theRestartsInARowReportTheirMedianAndSlowestBesideEachStart() {
        Map<String, Object> run = new HashMap<>(Map.of("events", 1_000_000, "startup_with_archive_to_ready_s", 1.69,
                "startup_with_archive_runs_s", List.of(1.8, 2.1, 1.7, 1.9, 1.75),
                "startup_with_archive_median_s", 1.8, "startup_with_archive_slowest_s", 2.1));

        assertThat(new ResultsTable(run).render())
                .anyMatch(l -> l.matches("\\s+5 restarts more: median / slowest\\s+1\\.8 s / 2\\.1 s\\s+each: \\[1\\.8, 2\\.1, 1\\.7, 1\\.9, 1\\.75\\] s"));
    }

    @Test
    void restartsWithoutTheBuildsArchiveAreNotReportedAsWithIt() {
        Map<String, Object> profiled = new HashMap<>(Map.of("events", 1_000_000, "startup_no_archive_runs_s",
                List.of(4.1, 4.3, 4.2), "startup_no_archive_median_s", 4.2, "startup_no_archive_slowest_s", 4.3));

        assertThat(new ResultsTable(profiled).render())
                .anyMatch(l -> l.matches("\\s+3 restarts more, no class-data archive: median / slowest\\s+4\\.2 s / 4\\.3 s.*"))
                .noneMatch(l -> l.contains("restarts more: median"));
    }

    @Test
    void aFirstStartSaysWhenItHadNoArchiveAndTheStartWithoutOneIsShownApart() {
        Map<String, Object> without = new HashMap<>(Map.of("events", 1_000_000, "startup_to_ready_s", 5.1,
                "startup_quarkus_reported_s", 4.6, "startup_first_with_archive", false));
        Map<String, Object> with = new HashMap<>(Map.of("events", 1_000_000, "startup_to_ready_s", 2.1,
                "startup_quarkus_reported_s", 1.9, "startup_first_with_archive", true,
                "startup_without_archive_to_ready_s", 4.9, "startup_without_archive_quarkus_reported_s", 4.4));

        assertThat(new ResultsTable(without).render())
                .anyMatch(l -> l.matches("\\s+start-up to ready, first start\\s+5\\.1 s\\s+no class-data archive; Quarkus reports 4\\.6 s"));
        assertThat(new ResultsTable(with).render())
                .anyMatch(l -> l.matches("\\s+start-up to ready, first start\\s+2\\.1 s\\s+Quarkus reports 1\\.9 s"))
                .anyMatch(l -> l.matches("\\s+a restart without the archive, for comparison\\s+4\\.9 s\\s+Quarkus reports 4\\.4 s"));
    }
}
