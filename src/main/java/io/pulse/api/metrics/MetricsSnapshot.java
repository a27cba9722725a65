package io.pulse.api.metrics;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.pulse.store.TopItems;

/**
 * One live view of the whole stream. Times of the "minute" and "recent" figures are event times,
 * relative to the newest event aggregated (a replay of an old recording shows its own minutes).
 * Every figure comes from PostgreSQL and Kafka, not from this replica's memory, so all replicas
 * serve the same totals.
 */
public record MetricsSnapshot(
        long sequence,
        Instant generatedAt,
        String wiki,
        Pipeline pipeline,
        EventTime eventTime,
        Minute currentMinute,
        Minute lastMinute,
        Recent recent,
        @JsonInclude(JsonInclude.Include.NON_NULL) Dashboard dashboard,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> unavailable) {

    /** The part {@code recent} of {@link #unavailable}. */
    public static final String RECENT = "recent";
    /** The part {@code dashboard} of {@link #unavailable}. */
    public static final String DASHBOARD = "dashboard";

    /**
     * The snapshot without the dashboard view (what {@code /metrics/stream} sends by default).
     * {@code unavailable} names the parts left out because they could not be read this time (a locked
     * table, a read timed out), as opposed to absent because there is nothing to show.
     */
    public MetricsSnapshot(long sequence, Instant generatedAt, String wiki, Pipeline pipeline, EventTime eventTime,
            Minute currentMinute, Minute lastMinute, Recent recent) {
        this(sequence, generatedAt, wiki, pipeline, eventTime, currentMinute, lastMinute, recent, null, List.of());
    }

    public MetricsSnapshot withDashboard(Dashboard view) {
        return new MetricsSnapshot(sequence, generatedAt, wiki, pipeline, eventTime, currentMinute, lastMinute, recent, view,
                unavailable);
    }

    /** The same snapshot, saying that {@code part} could not be read. */
    public MetricsSnapshot without(String part) {
        List<String> parts = new ArrayList<>(unavailable);
        parts.add(part);
        return new MetricsSnapshot(sequence, generatedAt, wiki, pipeline, eventTime, currentMinute, lastMinute, recent, dashboard,
                List.copyOf(parts));
    }

    /** The same snapshot under another number (the hub numbers only what it emits, so ids never skip). */
    public MetricsSnapshot withSequence(long number) {
        return new MetricsSnapshot(number, generatedAt, wiki, pipeline, eventTime, currentMinute, lastMinute, recent, dashboard,
                unavailable);
    }

    /**
     * Throughput and backlog of the whole pipeline (not filtered by wiki). {@code ingestedPerSecond} is null while
     * the events topic cannot be read (the broker away): unknown, not 0.
     */
    public record Pipeline(Double ingestedPerSecond, double aggregatedPerSecond, Long published, long aggregated,
            Long consumerLag, Long deadLetters) {
    }

    /** The newest event time aggregated and the watermark (oldest partition's newest time minus the lateness). */
    public record EventTime(Instant newest, Instant watermark) {
    }

    /** One event-time window: changes by type, and how many were by bots. */
    public record Minute(Instant start, long changes, long botChanges, Map<String, Long> byType) {
    }

    /** The last {@code recentWindows} windows up to the newest. */
    public record Recent(Instant from, Instant to, long changes, long botChanges, double botShare, long lateEvents,
            List<WikiCount> wikis, List<PageCount> topPages, List<UserCount> topUsers) {
    }

    public record WikiCount(String wiki, long changes, long botChanges) {
    }

    public record PageCount(String wiki, String title, long changes) {
    }

    public record UserCount(String wiki, String user, boolean bot, long changes) {
    }

    /**
     * The dashboard view ({@code ?view=dashboard}), anchored at the newest window of the selected wiki(s):
     * one {@link Minute} per window with changes in the last {@code historyWindows}, and the rankings of
     * the last {@code rankingWindows} (the same rows as {@code /api/top/*} for [rankFrom, rankTo)).
     */
    public record Dashboard(Instant newestWindow, Instant historyFrom, List<Minute> history, Instant rankFrom,
            Instant rankTo, List<TopItems.Page> topPages, List<TopItems.User> topUsers,
            List<TopItems.Namespace> namespaces, List<TopItems.Wiki> wikis) {
    }
}
