package io.pulse.it;

import static io.pulse.it.TopApiTest.with;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;

/** Time series for charts, exact at every step, compared with plain loops over the recordings. */
@QuarkusTest
class TimeseriesApiTest {

    final ApiTestData data = ApiTestData.get();

    @Test
    void shouldChartChangesPerMinuteOverAllWikis() {
        JsonNode answer = ApiJson.get("/api/timeseries", with(historyRange(), "metric", "changes", "step", "1m"));

        assertThat(answer.get("series")).isEqualTo(series(Expected.series(data.history(), 60, "changes", null, "include")));
        assertThat(answer.get("series").get(0).get("points").size()).as("minutes with data").isGreaterThan(5);
        assertThat(answer.get("metric").asText()).isEqualTo("changes");
        assertThat(answer.get("step").asText()).isEqualTo("1m");
        assertThat(answer.get("by").asText()).isEqualTo("none");
    }

    @Test
    void shouldCountDistinctUsersOverTheUnionOfTheWindowsOfEachStep() {
        for (String step : List.of("5m", "1h")) {
            long seconds = Duration.parse("PT" + step.toUpperCase()).toSeconds();

            JsonNode answer = ApiJson.get("/api/timeseries", with(historyRange(), "metric", "distinct_users", "step", step));

            var expected = Expected.series(data.history(), seconds, "distinct_users", null, "include");
            assertThat(answer.get("series")).isEqualTo(series(expected));
            // The test tells a union from a sum: summing per-window counts would give more.
            long union = expected.get("all").values().stream().mapToLong(Long::longValue).sum();
            long sumOfWindows = Expected.series(data.history(), 60, "distinct_users", null, "include").get("all")
                    .values().stream().mapToLong(Long::longValue).sum();
            assertThat(union).as("users at step %s", step).isLessThan(sumOfWindows);
        }
    }

    @Test
    void shouldCountDistinctBotsOrHumansPerStep() {
        for (String bot : List.of("only", "exclude")) {
            JsonNode answer = ApiJson.get("/api/timeseries",
                    with(historyRange(), "metric", "distinct_users", "step", "5m", "bot", bot));

            assertThat(answer.get("series")).as("bot=%s", bot)
                    .isEqualTo(series(Expected.series(data.history(), 300, "distinct_users", null, bot)));
        }
    }

    @Test
    void shouldSplitChangesPerTypeAndIntoBotsAndHumansForStackedCharts() {
        Map<String, Object> wikidata = with(historyRange(), "wiki", data.historyWikidata.wiki(), "step", "5m");
        List<Expected.Event> events = data.historyWikidata.events();

        JsonNode byType = ApiJson.get("/api/timeseries", with(wikidata, "by", "type"));
        JsonNode byBot = ApiJson.get("/api/timeseries", with(wikidata, "by", "bot"));
        JsonNode bytesByType = ApiJson.get("/api/timeseries", with(wikidata, "by", "type", "metric", "bytes_added"));

        assertThat(byType.get("series")).isEqualTo(series(Expected.series(events, 300, "changes", "type", "include")));
        assertThat(byType.get("series").findValuesAsText("name")).containsExactly("edit", "log", "new");
        assertThat(byBot.get("series")).isEqualTo(series(Expected.series(events, 300, "changes", "bot", "include")));
        assertThat(bytesByType.get("series"))
                .isEqualTo(series(Expected.series(events, 300, "bytes_added", "type", "include")));
    }

    @Test
    void shouldSumBytesAndNewPagesPerStep() {
        Map<String, Object> wikidata = with(historyRange(), "wiki", data.historyWikidata.domain(), "step", "5m");
        for (String metric : List.of("bytes_added", "bytes_removed", "new_pages")) {
            JsonNode answer = ApiJson.get("/api/timeseries", with(wikidata, "metric", metric));

            assertThat(answer.get("series")).as(metric)
                    .isEqualTo(series(Expected.series(data.historyWikidata.events(), 300, metric, null, "include")));
        }
    }

    @Test
    void shouldCountOnlyBotChangesWhenAsked() {
        JsonNode answer = ApiJson.get("/api/timeseries", with(historyRange(), "bot", "only", "step", "1h"));

        assertThat(answer.get("series")).isEqualTo(series(Expected.series(data.history(), 3600, "changes", null, "only")));
        assertThat(answer.get("range")).isEqualTo(ApiJson.tree(Map.of(
                "from", data.historyHour.minus(Duration.ofHours(1)).toString(),
                "to", data.historyHour.plus(Duration.ofHours(1)).toString())));
    }

    @Test
    void shouldWidenTheRangeToWholeStepsAndDefaultToChangesPerWindowOfTheLastHour() {
        Instant from = data.historyHour.minus(Duration.ofMinutes(7));
        JsonNode widened = ApiJson.get("/api/timeseries", Map.of("from", from.toString(), "to",
                data.historyHour.plus(Duration.ofMinutes(1)).toString(), "step", "1h", "wiki", data.historyEnglish.wiki()));
        JsonNode recent = ApiJson.get("/api/timeseries", Map.of("wiki", data.recentEnglish.domain()));

        assertThat(widened.get("range").get("from").asText())
                .isEqualTo(data.historyHour.minus(Duration.ofHours(1)).toString());
        assertThat(widened.get("range").get("to").asText()).isEqualTo(data.historyHour.plus(Duration.ofHours(1)).toString());
        assertThat(widened.get("series")).isEqualTo(series(Expected.series(data.historyEnglish.events(), 3600,
                "changes", null, "include")));
        assertThat(recent.get("step").asText()).isEqualTo("1m");
        assertThat(recent.get("series")).isEqualTo(series(Expected.series(data.recentEnglish.events(), 60, "changes",
                null, "include")));
    }

    private Map<String, Object> historyRange() {
        return Map.of("from", data.historyHour.minus(Duration.ofHours(1)).toString(),
                "to", data.historyHour.plus(Duration.ofHours(1)).toString());
    }

    /** The JSON the API gives for these series: [{name, points: [{start, value}]}], names in order. */
    private static JsonNode series(Map<String, Map<Long, Long>> expected) {
        assertThat(expected).as("the expected series hold data").isNotEmpty();
        List<Map<String, Object>> out = new ArrayList<>();
        expected.forEach((name, points) -> out.add(Expected.item("name", name, "points", points.entrySet().stream()
                .map(p -> Expected.item("start", Instant.ofEpochSecond(p.getKey()).toString(), "value", p.getValue()))
                .toList())));
        return ApiJson.tree(out);
    }
}
