package io.pulse.api;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The dashboard's files are checked again on each load: kept for a day (Quarkus' default), a browser could run
 * the old app.js for up to a day after an upgrade, beside a new index.html or stream.js.
 */
@QuarkusTest
class DashboardFilesTest {

    @ParameterizedTest
    @ValueSource(strings = { "/", "/dashboard/app.js", "/dashboard/stream.js", "/dashboard/shared-source.js",
            "/dashboard/stream-worker.js", "/dashboard/silence.js", "/dashboard/alerts.js", "/dashboard/dashboard.css" })
    void shouldHaveBrowsersCheckTheirCopyBeforeUsingIt(String path) {
        Response response = given().get(path);
        assertThat(response.getStatusCode()).isEqualTo(200);
        assertThat(response.getHeader("Cache-Control")).contains("max-age=0");

        // Checking a copy costs a 304, not the file.
        given().header("If-Modified-Since", response.getHeader("Last-Modified")).get(path).then().statusCode(304);
    }
}
