package io.pulse.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.hamcrest.Matchers.startsWith;

import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import io.pulse.api.problem.Problem;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;

/**
 * Every bad request is a 400 RFC 9457 problem naming the parameter; unknown paths and methods and
 * unexpected failures are problems too, and none of them shows a stack trace or an exception.
 */
@QuarkusTest
class ApiProblemTest {

    static final String PROBLEM_JSON = "application/problem+json";

    @TestHTTPResource("/")
    String baseUrl;

    static Stream<Arguments> badRequests() {
        String top = "/api/top/users";
        String pages = "/api/top/pages";
        String series = "/api/timeseries";
        String activity = "/api/users/Ss112/activity";
        return Stream.of(
                Arguments.of(top + "?limit=0", "limit"),
                Arguments.of(top + "?limit=101", "limit"),
                Arguments.of(top + "?limit=abc", "limit"),
                Arguments.of(pages + "?limit=-5", "limit"),
                Arguments.of("/api/namespaces?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z", "from"),
                Arguments.of("/api/wikis?from=2026-01-01T00:00:00Z&to=2026-01-01T00:00:00Z", "from"),
                Arguments.of("/api/types?from=2026-01-01T00:00:00Z", "to"),
                Arguments.of(top + "?to=2026-01-01T00:00:00Z", "from"),
                Arguments.of(top + "?last=1h&from=2026-01-01T00:00:00Z&to=2026-01-01T01:00:00Z", "last"),
                Arguments.of(top + "?from=yesterday&to=2026-01-01T00:00:00Z", "from"),
                Arguments.of(top + "?from=2026-01-01T00:00:00Z&to=2026-13-01T00:00:00Z", "to"),
                Arguments.of(top + "?from=2026-01-01T00:00:00&to=2026-01-01T01:00:00", "from"),
                Arguments.of(top + "?last=15", "last"),
                Arguments.of(top + "?last=15x", "last"),
                Arguments.of(top + "?last=0m", "last"),
                Arguments.of(top + "?last=-15m", "last"),
                Arguments.of(top + "?last=32d", "last"),
                Arguments.of(top + "?from=2026-01-01T00:00:00Z&to=2026-02-15T00:00:00Z", "from"),
                Arguments.of(top + "?wiki=x' OR '1'='1", "wiki"),
                Arguments.of(top + "?wiki=EnWiki", "wiki"),
                Arguments.of(top + "?wiki=" + "a".repeat(65), "wiki"),
                Arguments.of(top + "?bot=maybe", "bot"),
                Arguments.of(series + "?metric=edits", "metric"),
                Arguments.of(series + "?step=2m30s", "step"),
                Arguments.of(series + "?step=90s", "step"),
                Arguments.of(series + "?step=fortnight", "step"),
                Arguments.of(series + "?step=40d", "step"),
                Arguments.of(series + "?step=1m&last=31d", "step"),
                Arguments.of(series + "?by=page", "by"),
                Arguments.of(series + "?metric=distinct_users&by=type", "by"),
                Arguments.of(series + "?metric=bytes_added&by=bot", "by"),
                Arguments.of(series + "?metric=bytes_removed&bot=exclude", "bot"),
                Arguments.of(series + "?wiki=en.wikipedia.org'--", "wiki"),
                Arguments.of(activity + "?limit=1001", "limit"),
                Arguments.of(activity + "?last=1y", "last"),
                Arguments.of(activity + "?wiki=../etc", "wiki"),
                Arguments.of("/api/users/x' OR '1'<'2/activity", "user"),
                Arguments.of("/api/users/%7Bname%7D/activity", "user"),
                Arguments.of("/api/users/a%23b/activity", "user"),
                Arguments.of("/api/users/a%01b/activity", "user"),
                Arguments.of("/api/users/%20/activity", "user"),
                Arguments.of("/api/users/" + "u".repeat(256) + "/activity", "user"),
                // Parses as an instant (year 1,000,000,000), which no date-time column holds: was a 500.
                Arguments.of("/api/alerts?since=%2B999999999-12-31T23:59:59-18:00", "since"),
                Arguments.of("/api/alerts?since=%2B10000-01-01T00:00:00Z", "since"),
                // Given twice: the first value was used, the other dropped unsaid (two wikis read as one).
                Arguments.of(top + "?limit=5&limit=500", "limit"),
                Arguments.of(pages + "?wiki=enwiki&wiki=dewiki", "wiki"),
                Arguments.of(series + "?bot=exclude&bot=include", "bot"),
                Arguments.of("/api/alerts?limit=5&limit=5", "limit"),
                // Empty: handed to the method as absent, it was answered with the default (the last hour, every wiki).
                Arguments.of(top + "?from=&to=", "from"),
                Arguments.of(pages + "?wiki=", "wiki"),
                Arguments.of(series + "?step=", "step"),
                Arguments.of(activity + "?limit=", "limit"),
                Arguments.of("/api/alerts?rule=", "rule"));
    }

    @Test
    void shouldRefuseAStreamParameterGivenTwice() {
        for (String stream : new String[] { "/metrics/stream", "/alerts/stream" }) {
            // Not RestAssured: a stream answered 200 sends keep-alives, and its read would never end.
            try (SseTestClient client = new SseTestClient(baseUrl + stream.substring(1) + "?wiki=enwiki&wiki=dewiki")) {
                await().atMost(Duration.ofSeconds(30)).until(client::ended);
                assertThat(client.status()).as(stream).isEqualTo(400);
                assertThat(client.contentType()).as(stream).startsWith(PROBLEM_JSON);
            }
        }
    }

    @ParameterizedTest(name = "{0} -> 400 on {1}")
    @MethodSource("badRequests")
    void shouldAnswerABadParameterWithAProblemNamingIt(String pathAndQuery, String parameter) {
        problem(given().urlEncodingEnabled(!pathAndQuery.contains("%")).when()
                .get(pathAndQuery), 400)
                .body("type", equalTo(Problem.INVALID_PARAMETER))
                .body("title", equalTo("Invalid request parameter"))
                .body("parameter", equalTo(parameter))
                .body("errors.parameter", hasItem(parameter))
                .body("instance", startsWith("/api/"));
    }

    /** A page's empty filter box: every wiki, on /api/alerts as on the streams; the other /api queries refuse it. */
    @Test
    void shouldTakeAnEmptyWikiOfTheAlertsAsEveryWiki() {
        given().get("/api/alerts?wiki=&limit=1").then().statusCode(200).body("wiki", nullValue()).body("limit", equalTo(1));
    }

    @Test
    void shouldListEveryInvalidParameterInOneProblem() {
        problem(given().queryParam("limit", "0").queryParam("bot", "all").queryParam("wiki", "A B")
                .get("/api/top/pages"), 400)
                .body("errors", hasSize(3))
                .body("errors.parameter", containsInAnyOrder("limit", "bot", "wiki"))
                .body("detail", containsString("3 parameters"));
    }

    @Test
    void shouldAnswerAnUnknownPathWithANotFoundProblem() {
        problem(given().get("/api/no-such-thing"), 404).body("type", equalTo("about:blank"))
                .body("title", equalTo("Not Found"));
    }

    /**
     * A URI that java.net.URI refuses (a malformed percent-escape, a character RFC 2396 does not allow) is answered
     * by Quarkus' HTTP layer before any route: a 400 without a body (README, "Limits"), never a 500 or a dropped
     * connection. A route of ours cannot give it a problem body: only the JVM-wide -Dvertx.disableURIValidation
     * would let it through, to every route, undecoded.
     */
    @ParameterizedTest
    @ValueSource(strings = { "/api/top/users?wiki=%zz", "/api/top/users?wiki=en%", "/api/top/us%zzers",
            "/api/top/users?wiki=e|n" })
    void shouldRefuseAUriThatIsNotOneWithABadRequest(String pathAndQuery) throws Exception {
        // Sent over a plain socket: HTTP clients (RestAssured's, the JDK's) refuse to send such a URI at all.
        URI base = URI.create(baseUrl);
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + pathAndQuery + " HTTP/1.1\r\nHost: localhost\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response).startsWith("HTTP/1.1 400 ").doesNotContain("Exception").doesNotContain("\tat ");
        }
        given().get("/api/top/users?wiki=enwiki").then().statusCode(200); // and the next request is served
    }

    @Test
    void shouldAnswerAnUnsupportedMethodWithAProblem() {
        problem(given().post("/api/top/users"), 405).body("title", equalTo("Method Not Allowed"));
    }

    @Test
    void shouldHideTheCauseOfAnUnexpectedFailure() {
        for (String path : new String[] { "/test-only/failure/thrown", "/test-only/failure/failed-uni" }) {
            String body = problem(given().get(path), 500).body("detail", containsString("incident"))
                    .extract().asString();
            assertThat(body).doesNotContain(FailingTestResource.SECRET);
        }
    }

    /**
     * A read that runs longer than {@code pulse.store.read-timeout} (3 s in tests), here because an
     * operator holds a lock on the table it reads, is cancelled by PostgreSQL and answered 503; the
     * connections it held serve the next requests. Before, such a request hung as long as the lock did.
     */
    @Test
    void shouldCancelAReadThatRunsLongerThanTheTimeoutAndServeTheNextOne() throws Exception {
        try (Connection c = StoredAggregates.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("LOCK TABLE user_edit_counts, alerts IN ACCESS EXCLUSIVE MODE");
            try {
                for (String path : new String[] { "/api/top/users", "/api/users/Someone/activity", "/api/alerts" }) {
                    problem(given().get(path), 503).body("title", equalTo("Query timed out"))
                            .body("detail", containsString("3000 ms")).body("instance", equalTo(path));
                }
            } finally {
                c.rollback();
            }
        }
        // Enough requests to go through every pooled connection: none is left inside the cancelled transaction.
        for (int i = 0; i < 40; i++) {
            given().get(i % 3 == 0 ? "/api/top/users" : i % 3 == 1 ? "/api/users/Someone/activity" : "/api/alerts")
                    .then().statusCode(200);
        }
    }

    /**
     * A read whose database backend stops answering (a frozen server: here the backend is sent SIGSTOP while it
     * waits for a lock) never meets PostgreSQL's own timeout. The request is answered 503 once 5 s past the
     * read timeout have passed (8 s in tests); before, it waited as long as the freeze.
     */
    @Test
    void shouldAnswerAReadTheDatabaseStopsAnswering() throws Exception {
        long pid = 0;
        try (Connection c = StoredAggregates.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("LOCK TABLE page_edit_counts IN ACCESS EXCLUSIVE MODE");
            long locker;
            try (java.sql.ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                locker = rs.getLong(1);
            }
            java.util.concurrent.CompletableFuture<io.restassured.response.Response> answer = java.util.concurrent.CompletableFuture
                    .supplyAsync(() -> given().get("/api/top/pages"));
            try (Connection w = StoredAggregates.connect(); Statement watch = w.createStatement()) {
                pid = org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> {
                    // The request's read, waiting for this lock: not another read of the table (a dashboard's).
                    try (java.sql.ResultSet rs = watch.executeQuery("SELECT pid FROM pg_stat_activity WHERE"
                            + " application_name = 'pulse' AND " + locker + " = ANY (pg_blocking_pids(pid))"
                            + " AND query LIKE '%max(x.namespace)%'")) {
                        return rs.next() ? rs.getLong(1) : 0L;
                    }
                }, p -> p > 0);
                signal("STOP", pid);
                c.rollback(); // the lock goes; the frozen backend cannot take it

                io.restassured.response.Response response = answer.get(30, java.util.concurrent.TimeUnit.SECONDS);
                problem(response, 503).body("title", equalTo("Database unavailable")).body("instance", equalTo("/api/top/pages"));
                assertThat(response.getHeader("Retry-After")).isNotBlank();
            }
        } finally {
            if (pid > 0) {
                signal("CONT", pid);
            }
        }
        // Thawed, the backend answers and its connection serves the next requests.
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .untilAsserted(() -> given().get("/api/top/pages").then().statusCode(200));
    }

    private static void signal(String signal, long pid) throws Exception {
        assertThat(new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start().waitFor()).isZero();
    }

    @Test
    void shouldDocumentTheApiWithOpenApi() {
        given().queryParam("format", "json").get("/q/openapi").then().statusCode(200)
                .body("info.title", equalTo("Pulse API"))
                .body("info.description", containsString("RFC 9457"))
                .body("paths", hasKey("/api/top/users"))
                .body("paths", hasKey("/api/top/pages"))
                .body("paths", hasKey("/api/namespaces"))
                .body("paths", hasKey("/api/wikis"))
                .body("paths", hasKey("/api/types"))
                .body("paths", hasKey("/api/timeseries"))
                .body("paths", hasKey("/api/users/{user}/activity"))
                .body("paths.'/api/top/users'.get.parameters.name", hasItem("limit"))
                .body("paths.'/api/top/users'.get.responses.'400'.content", hasKey(PROBLEM_JSON))
                .body("paths.'/api/timeseries'.get.description", containsString("omitted"));
        given().get("/q/swagger-ui/").then().statusCode(200);
    }

    private static ValidatableResponse problem(io.restassured.response.Response response, int status) {
        ValidatableResponse then = response.then().statusCode(status).contentType(PROBLEM_JSON)
                .body("status", equalTo(status))
                .body("title", notNullValue())
                .body("detail", notNullValue())
                .body("instance", notNullValue());
        String body = response.asString();
        assertThat(body).doesNotContain("at io.").doesNotContain("Exception").doesNotContain("\tat ");
        return then.body("type", notNullValue());
    }
}
