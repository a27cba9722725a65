package io.pulse.bench;

import java.util.Map;

/** The benchmark's figures as one readable table. */
final class ResultsTable {

    private final Map<String, Object> r;

    ResultsTable(Map<String, Object> results) {
        this.r = results;
    }

    void print() {
        System.out.println();
        System.out.printf("Pulse benchmark — %s events (%s malformed, %s late), %s%n", r.get("events"), r.get("malformed"),
                r.get("late"), r.get("machine"));
        row("raw producer (acks=all)", r.get("raw_producer_events_per_s") + " events/s", "");
        row("plain consumer", r.get("plain_consumer_events_per_s") + " events/s", "physical limit");
        row("consumer + Jackson parse", r.get("parsing_consumer_events_per_s") + " events/s",
                r.containsKey("parsing_consumer_after_drain_events_per_s")
                        ? "again after the drain: " + r.get("parsing_consumer_after_drain_events_per_s") + " events/s"
                        : "");
        row("Pulse aggregator → PostgreSQL", r.get("aggregator_events_per_s") + " events/s",
                "ratio to the faster parsing consumer " + r.get("aggregator_ratio_to_parsing_consumer"));
        row("  second half (warm JVM)", r.get("aggregator_second_half_events_per_s") + " events/s", "");
        row("  restart: new events counted after", r.get("restart_new_events_counted_after_s") + " s",
                "from ready; spike baselines rebuilt from " + r.get("restart_warm_up_page_counts") + " stored page counts in "
                        + r.get("restart_rebuild_ms") + " ms");
        row("Pulse SSE ingest → Kafka", r.get("ingest_events_per_s") + " events/s",
                "ratio to raw producer " + r.get("ingest_ratio_to_raw_producer"));
        row("  second half (warm JVM)", r.get("ingest_second_half_events_per_s") + " events/s", "");
        for (String rate : new String[] { "1000", "10000" }) {
            row("latency @" + rate + "/s data line → committed", String.valueOf(r.get("latency_" + rate + "_commit_ms")), "ms");
            row("latency @" + rate + "/s data line → snapshot", String.valueOf(r.get("latency_" + rate + "_snapshot_ms")), "ms");
            row("peak RSS / heap @" + rate + "/s", r.get("latency_" + rate + "_peak_rss_mb") + " MB / "
                    + r.get("latency_" + rate + "_peak_heap_mb") + " MB", "");
            row("  backlog when the load stopped", String.valueOf(r.get("latency_" + rate + "_backlog_at_end")), "events");
        }
        row("peak RSS / heap while draining", r.get("aggregate_peak_rss_mb") + " MB / " + r.get("aggregate_peak_heap_mb") + " MB", "");
        for (String phase : new String[] { "aggregate", "restart", "ingest", "latency_1000", "latency_10000" }) {
            if (r.get(phase + "_cpu") != null) {
                row("CPU cores busy during " + phase.replace("_", " @"), String.valueOf(r.get(phase + "_cpu")), "");
            }
        }
        row("start-up to ready, first start", r.get("startup_to_ready_s") + " s", "Quarkus reports " + r.get("startup_quarkus_reported_s") + " s");
        row("  restart with its class-data archive", r.get("startup_with_archive_to_ready_s") + " s",
                "Quarkus reports " + r.get("startup_with_archive_quarkus_reported_s") + " s");
        row("totals check", r.get("check_committed_changes") + " = " + r.get("check_expected_changes"),
                Boolean.TRUE.equals(r.get("check_ok")) ? "OK" : "MISMATCH");
    }

    private static void row(String what, String value, String note) {
        System.out.printf("  %-42s %-34s %s%n", what, value, note);
    }
}
