package io.pulse.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Reads and the aggregator's commits share one connection pool (16). A burst of slow reads (here every
 * read waits for a table an operator has locked) holds at most {@code pulse.store.max-concurrent-reads}
 * (8) connections; {@code max-queued-reads} (32) more wait their turn, and the rest are answered 503 at
 * once with Retry-After. The aggregator keeps the other connections and goes on counting. Before, the
 * burst took all 16 connections, and every commit waited behind it.
 */
@QuarkusTest
class ReadLimitTest {

    static final int REQUESTS = 60;
    static final String WIKI = "readlimitwiki";

    @TestHTTPResource("/api/alerts")
    URI alerts;

    @ConfigProperty(name = "pulse.store.max-concurrent-reads")
    int concurrency;

    @Test
    void shouldHoldAtMostTheReadsConnectionsAndRefuseTheReadsBeyondTheQueueWhileTheAggregatorCommits() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        try (Connection c = StoredAggregates.connect(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            s.execute("LOCK TABLE alerts IN ACCESS EXCLUSIVE MODE"); // what /api/alerts reads; batches without alerts do not write it
            try {
                for (int i = 0; i < REQUESTS; i++) {
                    responses.add(http.sendAsync(HttpRequest.newBuilder(alerts).build(), HttpResponse.BodyHandlers.ofString()));
                }
                await().atMost(Duration.ofSeconds(30)).until(() -> readsWaitingForTheLock() >= concurrency);
                await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2))
                        .until(() -> readsWaitingForTheLock() <= concurrency); // 16, the whole pool, before
                await().atMost(Duration.ofSeconds(30)).until(() -> responses.stream().anyMatch(ReadLimitTest::refused));
                HttpResponse<String> refused = responses.stream().filter(ReadLimitTest::refused).findFirst().orElseThrow().get();
                assertThat(refused.headers().firstValue("Content-Type")).hasValue(ApiProblemTest.PROBLEM_JSON);
                assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
                assertThat(refused.body()).contains("Too many reads in progress");

                // The aggregator still has connections: a change sent now is counted while the reads wait.
                TopicReader.produce(WikimediaPipelineTest.TOPIC,
                        List.of(DeadLetterTest.event("read-limit-1", WIKI, System.currentTimeMillis() / 1000)));
                await().atMost(Duration.ofSeconds(60)).until(
                        () -> StoredAggregates.scalar("SELECT coalesce(sum(changes), 0) FROM wiki_edit_counts WHERE wiki = ?", WIKI) == 1);
            } finally {
                c.rollback();
            }
        }
        CompletableFuture.allOf(responses.toArray(CompletableFuture[]::new)).get(2, TimeUnit.MINUTES);
        for (var response : responses) {
            HttpResponse<String> answer = response.get();
            if (answer.statusCode() != 200) { // served once the lock was released
                assertThat(answer.statusCode()).isEqualTo(503);
                assertThat(answer.body()).as("refused, or timed out while the lock was held")
                        .containsAnyOf("Too many reads in progress", "Query timed out");
            }
        }
        // Every turn was given back: as many reads as may run at once are served, none waits for a lost turn.
        List<CompletableFuture<HttpResponse<String>>> after = new ArrayList<>();
        for (int i = 0; i < concurrency; i++) {
            after.add(http.sendAsync(HttpRequest.newBuilder(alerts).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        for (var response : after) {
            assertThat(response.get(60, TimeUnit.SECONDS).statusCode()).isEqualTo(200);
        }
    }

    private static boolean refused(CompletableFuture<HttpResponse<String>> response) {
        HttpResponse<String> done = response.getNow(null);
        return done != null && done.statusCode() == 503 && done.body().contains("Too many reads in progress");
    }

    private static long readsWaitingForTheLock() {
        // The API's reads only: the alert checks' claim of unpublished alerts (an UPDATE) waits for the lock too.
        return StoredAggregates.scalar("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                + " AND query LIKE 'SELECT %FROM alerts%' AND query NOT LIKE '%pg_stat_activity%'");
    }
}
