package io.pulse.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Reading alerts and rules is public; changing a rule needs the admin key; bad input is a 400 problem. */
@QuarkusTest
class AlertAdminTest {

    static final String RULE = "/api/alerts/rules/mass-blanking";

    @Test
    void shouldRefuseAdminCallsWithoutTheKey() {
        given().contentType(ContentType.JSON).body(Map.of("minBytesRemoved", 1)).put(RULE)
                .then().statusCode(401).contentType(ApiProblemTest.PROBLEM_JSON)
                .header("WWW-Authenticate", startsWith("Bearer"))
                .body("status", equalTo(401)).body("instance", equalTo(RULE)).body("$", not(hasKey("trace")));
        given().header("X-API-Key", "wrong-" + AdminKeyResource.KEY).contentType(ContentType.JSON)
                .body(Map.of("minBytesRemoved", 1)).put(RULE).then().statusCode(401);
        given().header("Authorization", "Bearer nope").contentType(ContentType.JSON)
                .body(Map.of("minBytesRemoved", 1)).put(RULE).then().statusCode(401);
        // The key is checked before the body is read: malformed JSON without the key got a 400, which told
        // the caller what the method reads. (Another media type still gets its 415: it is refused while the
        // request is matched to a method, before any filter.)
        given().contentType(ContentType.JSON).body("{not json").put(RULE).then().statusCode(401);
        // Before the parameters' check too: filters of one priority ran in an order that changed between starts.
        given().contentType(ContentType.JSON).body(Map.of("minBytesRemoved", 1)).put(RULE + "?x=1&x=2").then().statusCode(401);
        given().get("/api/alerts/rules").then().statusCode(200)
                .body("'mass-blanking'.minBytesRemoved", equalTo(5000));
    }

    @Test
    void shouldAnswer400NamingTheInvalidField() {
        given().header("X-API-Key", AdminKeyResource.KEY).contentType(ContentType.JSON)
                .body(Map.of("minPercentRemoved", 150)).put(RULE)
                .then().statusCode(400).contentType(ApiProblemTest.PROBLEM_JSON)
                .body("parameter", equalTo("minPercentRemoved")).body("errors[0].parameter", equalTo("minPercentRemoved"));
        given().header("X-API-Key", AdminKeyResource.KEY).contentType(ContentType.JSON)
                .body(Map.of("severity", "apocalyptic")).put("/api/alerts/rules/bot-surge")
                .then().statusCode(400).body("parameter", equalTo("severity"));
        given().header("X-API-Key", AdminKeyResource.KEY).contentType(ContentType.JSON)
                .body("{\"minChanges\": \"many\"}").put("/api/alerts/rules/page-spike")
                .then().statusCode(400).body("parameter", equalTo("minChanges"));
        given().header("X-API-Key", AdminKeyResource.KEY).contentType(ContentType.JSON)
                .body("{\"users\": [\"Nul\\u0000name\"]}").put("/api/alerts/rules/watched-user")
                .then().statusCode(400).body("parameter", equalTo("users"));
        given().header("X-API-Key", AdminKeyResource.KEY).contentType(ContentType.JSON)
                .body(Map.of("enabled", true)).put("/api/alerts/rules/no-such-rule").then().statusCode(404);
        // Not one JSON object: said so, naming the body and where it went wrong; nothing stored.
        String before = given().get("/api/alerts/rules").then().statusCode(200).extract().path("'mass-blanking'").toString();
        Map<String, String> broken = Map.of("{\"minBytesRemoved\":", "it is not valid JSON",
                "{\"enabled\": false} {}", "something follows the object",
                "{\"cooldownSeconds\": 1, \"cooldownSeconds\": 60}", "a field is given twice");
        broken.forEach((body, why) -> given().header("X-API-Key", AdminKeyResource.KEY).contentType(ContentType.JSON)
                .body(body).put(RULE).then().statusCode(400).contentType(ApiProblemTest.PROBLEM_JSON)
                .body("parameter", equalTo("body")).body("errors[0].detail", containsString(why + " (line 1, column"))
                .body("errors[0].detail", not(containsString("jackson"))));
        assertThat(given().get("/api/alerts/rules").then().statusCode(200).extract().path("'mass-blanking'").toString())
                .isEqualTo(before);
        given().get("/api/alerts?severity=loud").then().statusCode(400).body("parameter", equalTo("severity"));
        given().get("/api/alerts?since=yesterday").then().statusCode(400).body("parameter", equalTo("since"));
        given().get("/api/alerts?rule=everything").then().statusCode(400).body("parameter", equalTo("rule"));
        given().get("/api/alerts?limit=0").then().statusCode(400).body("parameter", equalTo("limit"));
    }

    @Test
    void shouldApplyAValidChangeAndKeepTheOtherFields() throws Exception {
        String path = "/api/alerts/rules/bot-surge";
        String before = rule("bot-surge");
        try {
            given().header("Authorization", "Bearer " + AdminKeyResource.KEY).contentType(ContentType.JSON)
                    .body(Map.of("cooldownSeconds", 900)).put(path)
                    .then().statusCode(200).body("cooldownSeconds", equalTo(900)).body("minBotChanges", equalTo(30));
            given().get("/api/alerts/rules").then().statusCode(200).body("'bot-surge'.cooldownSeconds", equalTo(900));
        } finally {
            restoreRule("bot-surge", before); // one application and database for every test class
        }
    }

    /** A rule as {@code GET /api/alerts/rules} shows it: every field, to be put back by {@link #restoreRule}. */
    static String rule(String name) throws Exception {
        String body = given().get("/api/alerts/rules").then().statusCode(200).extract().asString();
        return AlertsTest.JSON.readTree(body).get(name).toString();
    }

    /** Puts back every field of a rule read by {@link #rule}. */
    static void restoreRule(String name, String json) {
        given().header("X-API-Key", AdminKeyResource.KEY).contentType(ContentType.JSON).body(json)
                .put("/api/alerts/rules/" + name).then().statusCode(200);
    }
}
