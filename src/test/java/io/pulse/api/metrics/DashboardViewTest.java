package io.pulse.api.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pulse.store.SnapshotQueries.TypeCount;

class DashboardViewTest {

    static final Instant T0 = Instant.parse("2023-07-29T07:51:00Z");
    static final Instant T1 = Instant.parse("2023-07-29T07:52:00Z");

    @Test
    void shouldFoldTypeCountsIntoOneMinutePerWindowOldestFirst() {
        List<MetricsSnapshot.Minute> history = DashboardView.history(List.of(
                new TypeCount(T1, "new", 2, 1),
                new TypeCount(T0, "edit", 10, 3),
                new TypeCount(T1, "edit", 5, 0),
                new TypeCount(T0, "log", 1, 1)));

        assertThat(history).containsExactly(
                new MetricsSnapshot.Minute(T0, 11, 4, Map.of("edit", 10L, "log", 1L)),
                new MetricsSnapshot.Minute(T1, 7, 1, Map.of("edit", 5L, "new", 2L)));
    }

    @Test
    void shouldAnchorTheViewNoFurtherThanTheClocksWindow() {
        long minute = 60_000;
        long now = T1.toEpochMilli() + 30_000;
        // A change stamped 40 minutes ahead has the newest window: the view stays one window past the clock's.
        assertThat(DashboardView.anchor(T1.plusSeconds(40 * 60), now, minute)).isEqualTo(T1.plusSeconds(60));
        // The current window, the next (this replica's clock a little behind), and an old one (a replay of a
        // recording), are kept as they are.
        assertThat(DashboardView.anchor(T1, now, minute)).isEqualTo(T1);
        assertThat(DashboardView.anchor(T1.plusSeconds(60), now, minute)).isEqualTo(T1.plusSeconds(60));
        assertThat(DashboardView.anchor(T0.minusSeconds(86_400 * 365), now, minute)).isEqualTo(T0.minusSeconds(86_400 * 365));
    }

    @Test
    void shouldGiveNoMinutesWithoutCounts() {
        assertThat(DashboardView.history(List.of())).isEmpty();
    }
}
