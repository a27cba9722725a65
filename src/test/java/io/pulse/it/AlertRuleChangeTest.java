package io.pulse.it;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.agroal.api.AgroalDataSource;
import io.pulse.alert.AlertConfig;
import io.pulse.alert.AlertRules;
import io.pulse.alert.AlertStore;
import io.pulse.alert.MassBlankingRule;
import io.pulse.alert.PageSpikeRule;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.vertx.core.json.JsonObject;

/**
 * A change to one field of a rule keeps the other fields as stored, not as this replica last read them
 * (every few seconds): behind a load balancer, two admins' changes to two fields go to two replicas.
 */
@QuarkusTest
class AlertRuleChangeTest {

    static final String RULE = "mass-blanking";

    @Inject
    AlertStore store;

    @Inject
    AlertRules rules;

    @Inject
    AgroalDataSource jdbc;

    @Inject
    ObjectMapper json;

    @Inject
    AlertConfig config;

    @AfterEach
    void restoreTheDefaults() throws Exception {
        try (var c = jdbc.getConnection(); var s = c.createStatement()) {
            s.executeUpdate("DELETE FROM alert_rules WHERE name IN ('" + RULE + "', 'page-spike')");
        }
        rules.refresh().await().atMost(Duration.ofSeconds(30));
    }

    @Test
    void shouldKeepAFieldAnotherReplicaChangedJustBefore() throws Exception {
        // A replica that has not re-read the rules since another one stored its admin's change (this
        // application's own copy is re-read every 500 ms here: too soon to be caught stale reliably).
        AlertRules replica = new AlertRules(store, json, config);
        store.saveRule(RULE, new JsonObject().put("minBytesRemoved", 7000)).await().atMost(Duration.ofSeconds(30));
        assertThat(replica.current().massBlanking().minBytesRemoved()).as("its copy").isEqualTo(5000);

        MassBlankingRule changed = (MassBlankingRule) replica.update(RULE, json.readTree("{\"minOldLength\": 600}"))
                .await().atMost(Duration.ofSeconds(30));

        assertThat(changed.minOldLength()).isEqualTo(600);
        assertThat(changed.minBytesRemoved()).isEqualTo(7000);
        JsonObject stored = store.storedRules().await().atMost(Duration.ofSeconds(30)).get(RULE);
        assertThat(stored.getLong("minBytesRemoved")).isEqualTo(7000);
        assertThat(stored.getLong("minOldLength")).isEqualTo(600);
        assertThat(replica.current().massBlanking()).isEqualTo(changed);
        // Through the API, which the application's own copy serves.
        given().header("X-API-Key", AdminKeyResource.KEY).contentType(ContentType.JSON)
                .body(Map.of("minPercentRemoved", 80)).put("/api/alerts/rules/" + RULE)
                .then().statusCode(200).body("minOldLength", equalTo(600)).body("minBytesRemoved", equalTo(7000))
                .body("minPercentRemoved", equalTo(80.0f));
    }

    /** Up to 1,440 windows were accepted before the cap of 60: such a stored rule keeps its other fields. */
    @Test
    void shouldReadAPageSpikeRuleStoredBeforeTheCapWithTheCap() throws Exception {
        store.saveRule("page-spike", new JsonObject().put("baselineWindows", 1440).put("factor", 3).put("enabled", true))
                .await().atMost(Duration.ofSeconds(30));
        AlertRules replica = new AlertRules(store, json, config);
        replica.refresh().await().atMost(Duration.ofSeconds(30));
        assertThat(replica.current().pageSpike().baselineWindows()).isEqualTo(60);
        assertThat(replica.current().pageSpike().factor()).as("the other fields are kept").isEqualTo(3.0);

        PageSpikeRule changed = (PageSpikeRule) replica.update("page-spike", json.readTree("{\"minChanges\": 30}"))
                .await().atMost(Duration.ofSeconds(30));
        assertThat(changed.factor()).isEqualTo(3.0);
        assertThat(changed.baselineWindows()).isEqualTo(60);
    }

    /**
     * A change waits a bounded time for another change of the same rule (a replica frozen in the middle of one
     * held every later change, each on a pooled connection, for as long as it was frozen), then answers 503.
     */
    @Test
    void shouldAnswerBusyWhenAnotherChangeHoldsTheRule() throws Exception {
        try (var holder = jdbc.getConnection(); var s = holder.createStatement()) {
            s.execute("SELECT pg_advisory_lock(hashtext('alert_rules:" + RULE + "'))");
            try {
                given().header("X-API-Key", AdminKeyResource.KEY).contentType(ContentType.JSON)
                        .body(Map.of("minOldLength", 600)).put("/api/alerts/rules/" + RULE)
                        .then().statusCode(503).header("Retry-After", "5").contentType("application/problem+json")
                        .body("title", equalTo("Rule change in progress"));
                assertThat(store.storedRules().await().atMost(Duration.ofSeconds(30))).doesNotContainKey(RULE);
            } finally {
                // A session lock stays with the pooled connection: given back held, it would block later tests.
                s.execute("SELECT pg_advisory_unlock(hashtext('alert_rules:" + RULE + "'))");
            }
        }
        given().header("X-API-Key", AdminKeyResource.KEY).contentType(ContentType.JSON)
                .body(Map.of("minOldLength", 600)).put("/api/alerts/rules/" + RULE)
                .then().statusCode(200).body("minOldLength", equalTo(600));
    }

    @Test
    void shouldStoreNothingForAnInvalidChange() {
        store.saveRule(RULE, new JsonObject().put("minBytesRemoved", 7000)).await().atMost(Duration.ofSeconds(30));
        given().header("X-API-Key", AdminKeyResource.KEY).contentType(ContentType.JSON)
                .body(Map.of("minPercentRemoved", 150)).put("/api/alerts/rules/" + RULE).then().statusCode(400);
        assertThat(store.storedRules().await().atMost(Duration.ofSeconds(30)).get(RULE).getMap())
                .containsExactly(Map.entry("minBytesRemoved", 7000));
    }
}
