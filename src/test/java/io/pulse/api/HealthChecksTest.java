package io.pulse.api;

import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import java.time.Duration;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * The channels' liveness is still checked (a channel failed for good asks for a restart), and their readiness
 * is part of the pipeline's check, as data: Quarkus' own messaging checks are off (PipelineHealthCheck).
 */
@QuarkusTest
class HealthChecksTest {

    @Test
    void shouldCheckTheChannelsLivenessAndReportTheirReadinessInThePipelineCheck() {
        given().get("/q/health/started").then().statusCode(200); // the startup probe of docs/kubernetes.yaml
        given().get("/q/health/live").then().statusCode(200)
                .body("checks.name", hasItem("pulse-messaging"))
                .body("checks.find { it.name == 'pulse-messaging' }.status", equalTo("UP"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> given().get("/q/health/ready").then().statusCode(200)
                .body("checks.find { it.name == 'pulse-pipeline' }.data.'kafka.ready'", equalTo(true))
                .body("checks.name", not(hasItem(containsString("Reactive Messaging")))));
    }
}
