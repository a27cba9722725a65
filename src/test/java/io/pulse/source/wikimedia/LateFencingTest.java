package io.pulse.source.wikimedia;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;

/**
 * A run's producer fenced calls back on a thread of its own, which may run late: after that run was stopped (its
 * leadership revoked) and the next one started. That late call stopped the run reading the feed now.
 */
@QuarkusTest
class LateFencingTest {

    @Inject
    WikimediaIngest ingest;

    @Test
    void shouldLeaveTheNextRunReadingWhenAnEarlierRunsFencingComesLate() {
        await().atMost(Duration.ofSeconds(60)).until(ingest::running);
        Runnable earlier = ingest.fencedCallback();
        ingest.stop();
        ingest.start();

        earlier.run();

        assertThat(ingest.running()).isTrue();
    }

    @Test
    void shouldStopTheRunItsFencingIsFor() {
        await().atMost(Duration.ofSeconds(60)).until(ingest::running);
        try {
            ingest.fencedCallback().run();

            assertThat(ingest.running()).isFalse();
        } finally {
            ingest.start(); // as the election's recheck does, after a session
        }
    }
}
