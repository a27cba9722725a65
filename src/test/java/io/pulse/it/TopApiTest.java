package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.pulse.it.ApiTestData.Dataset;
import io.quarkus.test.junit.QuarkusTest;

/**
 * The top-N endpoints answer the dashboard's questions exactly as a plain loop over the recordings
 * does: most changed titles, top contributors per hour, namespace breakdown, wikis and types.
 */
@QuarkusTest
class TopApiTest {

    final ApiTestData data = ApiTestData.get();

    @Test
    void shouldAnswerTheTwentyMostChangedTitlesOfTheLastThirtyMinutesOfOneDomain() {
        Dataset english = data.recentEnglish;
        Instant asked = Instant.now();

        JsonNode answer = ApiJson.get("/api/top/pages", Map.of("last", "30m", "limit", 20, "wiki", english.domain()));

        List<Map<String, Object>> expected = Expected.topPages(english.events(), "include", 20);
        assertThat(expected).hasSize(20);
        assertThat(ApiJson.withoutUrls(answer.get("items"), "title", "", domains())).isEqualTo(ApiJson.tree(expected));
        Instant from = Instant.parse(answer.get("range").get("from").asText());
        Instant to = Instant.parse(answer.get("range").get("to").asText());
        assertThat(to).isAfterOrEqualTo(asked);
        assertThat(Duration.between(from, to)).isBetween(Duration.ofMinutes(30), Duration.ofMinutes(31));
        assertThat(from.getEpochSecond() % 60).as("window-aligned").isZero();
        assertThat(answer.get("wiki").asText()).isEqualTo(english.domain());
        assertThat(answer.get("bot").asText()).isEqualTo("include");
        assertThat(answer.get("limit").asInt()).isEqualTo(20);
        assertThat(answer.get("truncated").asBoolean())
                .isEqualTo(Expected.topPages(english.events(), "include", 1000).size() > 20);
        // The wiki id selects the same pages as its domain.
        assertThat(ApiJson.get("/api/top/pages", Map.of("last", "30m", "limit", 20, "wiki", english.wiki()))
                .get("items")).isEqualTo(answer.get("items"));
    }

    @Test
    void shouldRankTheMostChangedTitlesOfAllWikisInARange() {
        Instant from = data.historyHour.minus(Duration.ofHours(1));
        Instant to = data.historyHour.plus(Duration.ofHours(1));

        JsonNode answer = ApiJson.get("/api/top/pages", Map.of("from", from.toString(), "to", to.toString(), "limit", 20));

        assertThat(ApiJson.withoutUrls(answer.get("items"), "title", "", domains()))
                .isEqualTo(ApiJson.tree(Expected.topPages(data.history(), "include", 20)));
        assertThat(answer.get("range")).isEqualTo(ApiJson.tree(Map.of("from", from.toString(), "to", to.toString())));
        assertThat(answer.get("wiki").isNull()).isTrue();

        // The same range in another offset, its + left unencoded (curl users do): it arrives as a space.
        JsonNode plus = ApiJson.get("/api/top/pages", Map.of("from", from.atOffset(ZoneOffset.ofHours(2))
                .toLocalDateTime() + " 02:00", "to", to.atOffset(ZoneOffset.ofHours(2)).toLocalDateTime() + " 02:00",
                "limit", 20));
        assertThat(plus.get("range")).isEqualTo(answer.get("range"));
        assertThat(plus.get("items")).isEqualTo(answer.get("items"));
    }

    @Test
    void shouldRankTheTopContributorsOfEachHour() {
        for (Instant hour : List.of(data.historyHour.minus(Duration.ofHours(1)), data.historyHour)) {
            Instant end = hour.plus(Duration.ofHours(1));

            JsonNode answer = ApiJson.get("/api/top/users", Map.of("from", hour.toString(), "to", end.toString(),
                    "limit", 20));

            List<Map<String, Object>> expected = Expected.topUsers(Expected.in(data.history(), hour, end), "include", 20);
            assertThat(expected).as("contributors in the hour from %s", hour).isNotEmpty();
            assertThat(ApiJson.withoutUrls(answer.get("items"), "user", "User:", domains()))
                    .isEqualTo(ApiJson.tree(expected));
        }
    }

    @Test
    void shouldSelectBotsOrHumansAmongTheContributorsExactly() {
        Map<String, Object> range = historyRange();
        for (String bot : List.of("only", "exclude")) {
            JsonNode answer = ApiJson.get("/api/top/users", with(range, "bot", bot, "limit", 100));

            assertThat(ApiJson.withoutUrls(answer.get("items"), "user", "User:", domains()))
                    .isEqualTo(ApiJson.tree(Expected.topUsers(data.history(), bot, 100)));
            assertThat(answer.get("bot").asText()).isEqualTo(bot);
        }
    }

    @Test
    void shouldBreakChangesDownByNamespace() {
        Map<String, Object> range = historyRange();

        JsonNode all = ApiJson.get("/api/namespaces", range);
        JsonNode wikidata = ApiJson.get("/api/namespaces", with(range, "wiki", data.historyWikidata.domain()));

        // Every namespace (a breakdown lists up to 100 by default: QueryParametersTest), and the answer says so.
        assertThat(all.get("items")).isEqualTo(ApiJson.tree(Expected.namespaces(data.history(), "include", 1000)));
        assertThat(all.get("truncated").asBoolean()).isFalse();
        assertThat(wikidata.get("items"))
                .isEqualTo(ApiJson.tree(Expected.namespaces(data.historyWikidata.events(), "include", 10)));
        assertThat(wikidata.get("items")).hasSize(5);
        // Asked for fewer, the answer says the list was cut.
        JsonNode three = ApiJson.get("/api/namespaces", with(range, "limit", 3));
        assertThat(three.get("items")).isEqualTo(ApiJson.tree(Expected.namespaces(data.history(), "include", 3)));
        assertThat(three.get("truncated").asBoolean()).isTrue();
    }

    @Test
    void shouldCountOnlyTheChangesABotFilterKeepsAndLeaveOutWhatTheStoreCannotSplit() {
        Map<String, Object> range = with(historyRange(), "bot", "exclude");

        JsonNode pages = ApiJson.get("/api/top/pages", with(range, "limit", 100));
        JsonNode namespaces = ApiJson.get("/api/namespaces", range);

        assertThat(ApiJson.withoutUrls(pages.get("items"), "title", "", domains()))
                .isEqualTo(ApiJson.tree(Expected.topPages(data.history(), "exclude", 100)));
        assertThat(namespaces.get("items")).isEqualTo(ApiJson.tree(Expected.namespaces(data.history(), "exclude", 100)));
        assertThat(pages.get("items").get(0).get("bytes_added").isNull()).isTrue();
    }

    @Test
    void shouldRankWikisAndChangeTypes() {
        Map<String, Object> range = historyRange();
        Map<String, String> domains = domains();

        for (String bot : List.of("include", "only")) {
            assertThat(ApiJson.get("/api/wikis", with(range, "bot", bot)).get("items"))
                    .isEqualTo(ApiJson.tree(Expected.wikis(data.history(), domains, bot, 10)));
            assertThat(ApiJson.get("/api/types", with(range, "bot", bot)).get("items"))
                    .isEqualTo(ApiJson.tree(Expected.types(data.history(), bot, 10)));
        }
    }

    @Test
    void shouldDefaultToTheLastHourAndTenItems() {
        Dataset wikidata = data.recentWikidata;

        JsonNode answer = ApiJson.get("/api/top/users", Map.of("wiki", wikidata.wiki()));

        assertThat(ApiJson.withoutUrls(answer.get("items"), "user", "User:", domains()))
                .isEqualTo(ApiJson.tree(Expected.topUsers(wikidata.events(), "include", 10)));
        assertThat(answer.get("limit").asInt()).isEqualTo(10);
        assertThat(answer.get("truncated").asBoolean())
                .isEqualTo(Expected.topUsers(wikidata.events(), "include", 1000).size() > 10);
        Duration covered = Duration.between(Instant.parse(answer.get("range").get("from").asText()),
                Instant.parse(answer.get("range").get("to").asText()));
        assertThat(covered).isBetween(Duration.ofHours(1), Duration.ofMinutes(61));
    }

    @Test
    void shouldFindNothingForAWikiWithoutData() {
        JsonNode answer = ApiJson.get("/api/top/pages", Map.of("wiki", "nowiki" + data.run, "last", "24h"));

        assertThat(answer.get("items")).isEmpty();
    }

    private Map<String, Object> historyRange() {
        return Map.of("from", data.historyHour.minus(Duration.ofHours(1)).toString(),
                "to", data.historyHour.plus(Duration.ofHours(1)).toString());
    }

    private Map<String, String> domains() {
        return Map.of(data.recentEnglish.wiki(), data.recentEnglish.domain(),
                data.recentWikidata.wiki(), data.recentWikidata.domain(),
                data.historyEnglish.wiki(), data.historyEnglish.domain(),
                data.historyWikidata.wiki(), data.historyWikidata.domain());
    }

    static Map<String, Object> with(Map<String, Object> base, Object... more) {
        Map<String, Object> out = new java.util.LinkedHashMap<>(base);
        for (int i = 0; i < more.length; i += 2) {
            out.put((String) more[i], more[i + 1]);
        }
        return out;
    }
}
