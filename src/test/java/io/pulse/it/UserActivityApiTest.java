package io.pulse.it;

import static io.pulse.it.TopApiTest.with;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;

/** The recent activity of one user: totals and windows, as a plain loop over the recording gives them. */
@QuarkusTest
class UserActivityApiTest {

    final ApiTestData data = ApiTestData.get();

    @Test
    void shouldShowTheRecentActivityOfOneUserWindowByWindow() {
        String user = "Artix Kreiger 2";
        List<Expected.Event> events = of(data.recentWikidata.events(), user);

        JsonNode answer = activity(user, Map.of("last", "1h", "wiki", data.recentWikidata.domain()));

        assertThat(answer.get("user").asText()).isEqualTo(user);
        assertThat(answer.get("totals")).isEqualTo(ApiJson.tree(totals(events)));
        assertThat(answer.get("windows")).isEqualTo(ApiJson.tree(windows(events)));
        assertThat(answer.get("windows").size()).as("windows with activity").isGreaterThan(3);
    }

    @Test
    void shouldReadUnderscoresAsSpacesAndListOnlyTheNewestWindowsAsked() {
        List<Expected.Event> events = of(data.recentWikidata.events(), "Artix Kreiger 2");

        JsonNode answer = activity("Artix_Kreiger_2", Map.of("wiki", data.recentWikidata.wiki(), "limit", 2));

        assertThat(answer.get("user").asText()).isEqualTo("Artix Kreiger 2");
        assertThat(answer.get("totals")).as("totals cover the whole range").isEqualTo(ApiJson.tree(totals(events)));
        assertThat(answer.get("windows")).isEqualTo(ApiJson.tree(windows(events).subList(0, 2)));
    }

    /**
     * MediaWiki writes a user name with its first letter upper case, and reads runs of underscores or
     * spaces as one: asked for as typed in lower case, the user had no activity at all.
     */
    @Test
    void shouldReadTheUserNameAsMediaWikiWritesIt() {
        List<Expected.Event> events = of(data.recentWikidata.events(), "Artix Kreiger 2");

        JsonNode answer = activity("artix__Kreiger 2", Map.of("last", "1h", "wiki", data.recentWikidata.wiki()));

        assertThat(answer.get("user").asText()).isEqualTo("Artix Kreiger 2");
        assertThat(answer.get("totals")).isEqualTo(ApiJson.tree(totals(events)));
        assertThat(events).as("the user has activity").isNotEmpty();
        // A name MediaWiki allows, though it reads as SQL: a parameter, so no activity, not every user's.
        JsonNode injected = activity("x' OR '1'='1", Map.of("last", "1h"));
        assertThat(injected.get("totals").get("changes").asLong()).isZero();
    }

    @Test
    void shouldFindAUserWithReservedUrlCharactersAcrossWikisOfARange() {
        String user = "&beer&love";
        Map<String, Object> range = Map.of("from", data.historyHour.minus(Duration.ofHours(1)).toString(),
                "to", data.historyHour.plus(Duration.ofHours(1)).toString());
        List<Expected.Event> events = of(data.history(), user);

        JsonNode answer = activity(user, with(range, "bot", "include"));

        assertThat(answer.get("totals")).isEqualTo(ApiJson.tree(totals(events)));
        assertThat(answer.get("windows")).isEqualTo(ApiJson.tree(windows(events)));
        assertThat(answer.get("wiki").isNull()).isTrue();
    }

    /**
     * The framework read a raw ";" in the path as the start of matrix parameters and dropped the rest: a user
     * "Artix Kreiger 2;x" (MediaWiki allows ";") was answered with the totals of "Artix Kreiger 2".
     */
    @Test
    void shouldReadARawSemicolonAsPartOfTheUserName() {
        assertThat(of(data.recentWikidata.events(), "Artix Kreiger 2")).as("the user has activity").isNotEmpty();
        for (String segment : List.of("Artix_Kreiger_2;x", "Artix_Kreiger_2%3Bx")) {
            JsonNode answer = ApiJson.tree(given().urlEncodingEnabled(false)
                    .get("/api/users/" + segment + "/activity?last=1h")
                    .then().statusCode(200).extract().asString());

            assertThat(answer.get("user").asText()).as(segment).isEqualTo("Artix Kreiger 2;x");
            assertThat(answer.get("totals").get("changes").asLong()).as(segment).isZero();
        }
    }

    @Test
    void shouldAnswerAUserWithoutActivityWithZeroTotals() {
        JsonNode answer = activity("Nobody " + data.run, Map.of("last", "24h"));

        assertThat(answer.get("totals")).isEqualTo(ApiJson.tree(totals(List.of())));
        assertThat(answer.get("windows")).isEmpty();
    }

    private static JsonNode activity(String user, Map<String, ?> query) {
        return ApiJson.tree(given().pathParam("user", user).queryParams(query).get("/api/users/{user}/activity")
                .then().statusCode(200).contentType("application/json").extract().asString());
    }

    private static List<Expected.Event> of(List<Expected.Event> events, String user) {
        return events.stream().filter(e -> user.equals(e.user())).toList();
    }

    private static Map<String, Object> totals(List<Expected.Event> events) {
        Expected.Sums s = new Expected.Sums();
        events.forEach(e -> s.add(e, true));
        long windows = events.stream().map(e -> e.wiki() + "@" + e.window()).distinct().count();
        return Expected.item("changes", s.changes, "bytes_added", s.added, "bytes_removed", s.removed,
                "new_pages", s.newPages, "windows", windows, "bot", s.bot);
    }

    /** Per (wiki, window), newest window first, then by wiki. */
    private static List<Map<String, Object>> windows(List<Expected.Event> events) {
        Map<List<Object>, Expected.Sums> rows = new TreeMap<>(Comparator
                .comparing((List<Object> k) -> -(Long) k.get(0)).thenComparing(k -> (String) k.get(1)));
        events.forEach(e -> rows.computeIfAbsent(List.of(e.window(), e.wiki()), k -> new Expected.Sums()).add(e, true));
        return rows.entrySet().stream().map(r -> {
            long start = (Long) r.getKey().get(0);
            Expected.Sums s = r.getValue();
            return Expected.item("wiki", r.getKey().get(1), "window_start", Instant.ofEpochSecond(start).toString(),
                    "window_end", Instant.ofEpochSecond(start + Expected.WINDOW).toString(), "bot", s.bot,
                    "changes", s.changes, "bytes_added", s.added, "bytes_removed", s.removed, "new_pages", s.newPages);
        }).collect(Collectors.toList());
    }
}
