package io.pulse.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The benchmark's figures as one readable table. A phase left out ({@code --only}) is named as not run
 * rather than printed as empty figures: its totals check in particular must not read as a mismatch.
 */
final class ResultsTable {

    private final Map<String, Object> r;
    private final List<String> lines = new ArrayList<>();

    ResultsTable(Map<String, Object> results) {
        this.r = results;
    }

    void print() {
        System.out.println();
        render().forEach(System.out::println);
    }

    List<String> render() {
        lines.clear();
        lines.add(String.format("Pulse benchmark — %s events (%s malformed, %s late), %s", r.get("events"), r.get("malformed"),
                r.get("late"), r.get("machine")));
        List<String> notRun = new ArrayList<>();
        if (ran("aggregator_events_per_s")) {
            row("raw producer (acks=all)", r.get("raw_producer_events_per_s") + " events/s", "");
            row("plain consumer", r.get("plain_consumer_events_per_s") + " events/s", "physical limit");
            row("consumer + Jackson parse", r.get("parsing_consumer_events_per_s") + " events/s",
                    ran("parsing_consumer_after_drain_events_per_s")
                            ? "again after the drain: " + r.get("parsing_consumer_after_drain_events_per_s") + " events/s"
                            : "");
            row("Pulse aggregator → PostgreSQL", r.get("aggregator_events_per_s") + " events/s",
                    "ratio to the faster parsing consumer " + r.get("aggregator_ratio_to_parsing_consumer"));
            row("  second half (warm JVM)", r.get("aggregator_second_half_events_per_s") + " events/s", "");
            row("  restart: new events counted after", r.get("restart_new_events_counted_after_s") + " s",
                    "from ready; spike baselines rebuilt from " + r.get("restart_warm_up_page_counts")
                            + " stored page counts in " + r.get("restart_rebuild_ms") + " ms");
        } else {
            notRun.add("aggregate");
        }
        if (ran("ingest_events_per_s")) {
            row("Pulse SSE ingest → Kafka", r.get("ingest_events_per_s") + " events/s",
                    "ratio to raw producer " + r.get("ingest_ratio_to_raw_producer"));
            row("  second half (warm JVM)", r.get("ingest_second_half_events_per_s") + " events/s", "");
        } else {
            notRun.add("ingest");
        }
        boolean latencyRan = false;
        for (String rate : new String[] { "1000", "10000" }) {
            if (!ran("latency_" + rate + "_commit_ms")) {
                continue;
            }
            latencyRan = true;
            row("latency @" + rate + "/s data line → committed", String.valueOf(r.get("latency_" + rate + "_commit_ms")), "ms");
            row("latency @" + rate + "/s data line → snapshot", String.valueOf(r.get("latency_" + rate + "_snapshot_ms")), "ms");
            row("peak RSS / heap @" + rate + "/s", r.get("latency_" + rate + "_peak_rss_mb") + " MB / "
                    + r.get("latency_" + rate + "_peak_heap_mb") + " MB", "");
            row("  backlog when the load stopped", String.valueOf(r.get("latency_" + rate + "_backlog_at_end")), "events");
            if (ran("latency_" + rate + "_missing_events")) {
                // The latencies map the k-th record to the k-th event sent: with events missing they are off.
                row("  EVENTS SENT AND NOT IN KAFKA", String.valueOf(r.get("latency_" + rate + "_missing_events")),
                        "by index sent: the latencies above are not to be trusted");
            }
            row("  generator's worst lag behind schedule", String.valueOf(r.get("latency_" + rate + "_generator_worst_lag_ms")),
                    "ms (counted in the latencies)");
        }
        if (!latencyRan) {
            notRun.add("latency");
        }
        if (ran("aggregate_peak_rss_mb")) {
            row("peak RSS / heap while draining", r.get("aggregate_peak_rss_mb") + " MB / " + r.get("aggregate_peak_heap_mb") + " MB", "");
        }
        for (String phase : new String[] { "aggregate", "restart", "ingest", "latency_1000", "latency_10000" }) {
            if (ran(phase + "_cpu")) {
                row("CPU cores busy during " + phase.replace("_", " @"), String.valueOf(r.get(phase + "_cpu")), "");
            }
        }
        if (ran("startup_to_ready_s")) {
            row("start-up to ready, first start", r.get("startup_to_ready_s") + " s",
                    (Boolean.FALSE.equals(r.get("startup_first_with_archive")) ? "no class-data archive; " : "")
                            + "Quarkus reports " + r.get("startup_quarkus_reported_s") + " s");
        }
        if (ran("startup_with_archive_to_ready_s")) {
            row("  restart with the class-data archive", r.get("startup_with_archive_to_ready_s") + " s",
                    "Quarkus reports " + r.get("startup_with_archive_quarkus_reported_s") + " s");
        }
        if (ran("startup_no_archive_to_ready_s")) {
            row("  restart, no class-data archive", r.get("startup_no_archive_to_ready_s") + " s",
                    "Quarkus reports " + r.get("startup_no_archive_quarkus_reported_s") + " s");
        }
        for (String key : new String[] { "startup_with_archive", "startup_no_archive" }) {
            if (ran(key + "_runs_s")) {
                row("  " + ((List<?>) r.get(key + "_runs_s")).size() + " restarts more" + (key.endsWith("no_archive")
                        ? ", no class-data archive" : "") + ": median / slowest",
                        r.get(key + "_median_s") + " s / " + r.get(key + "_slowest_s") + " s", "each: " + r.get(key + "_runs_s") + " s");
            }
        }
        if (ran("startup_without_archive_to_ready_s")) {
            row("  a restart without the archive, for comparison", r.get("startup_without_archive_to_ready_s") + " s",
                    "Quarkus reports " + r.get("startup_without_archive_quarkus_reported_s") + " s");
        }
        if (ran("check_ok")) {
            row("totals check", r.get("check_committed_changes") + " = " + r.get("check_expected_changes"),
                    Boolean.TRUE.equals(r.get("check_ok")) ? "OK" : "MISMATCH");
        } else {
            row("totals check", "not made", "the drain (aggregate) did not run");
        }
        if (!notRun.isEmpty()) {
            row("not run (--only)", String.join(", ", notRun), "");
        }
        return List.copyOf(lines);
    }

    private boolean ran(String key) {
        return r.get(key) != null;
    }

    private void row(String what, String value, String note) {
        lines.add(String.format("  %-42s %-34s %s", what, value, note).stripTrailing());
    }
}
