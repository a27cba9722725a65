package io.pulse.source.wikimedia;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;

/**
 * A fenced leader rechecks, after a session, whether it still leads, and reads the feed again if so.
 * That recheck must not start the feed just after the replica stepped down: here the step-down comes
 * while the recheck is between seeing "leading" and starting the feed. It used to stop the feed
 * (already stopped) and let the recheck start it, so a replica that no longer led read the feed.
 */
class IngestLeadershipTest {

    private static final List<TopicPartition> TOKEN = List.of(new TopicPartition("pulse.ingest.leader", 0));

    /** A stopped feed whose first "running?" answer waits until the test lets it go. */
    private static final class PausingFeed implements IngestLeadership.Feed {
        final CountDownLatch asked = new CountDownLatch(1);
        final CountDownLatch answer = new CountDownLatch(1);
        final AtomicInteger starts = new AtomicInteger();
        volatile boolean running;
        private final AtomicInteger questions = new AtomicInteger();

        @Override
        public synchronized void start() {
            starts.incrementAndGet();
            running = true;
        }

        @Override
        public synchronized void stop() {
            running = false;
        }

        @Override
        public boolean running() {
            if (questions.incrementAndGet() == 1) {
                asked.countDown();
                try {
                    answer.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return running;
        }
    }

    /** A recheck that comes once the application is stopping (its timer is not cancelled) leaves the feed stopped. */
    @Test
    void shouldNotReadTheFeedAgainOnceTheApplicationStops() {
        PausingFeed feed = new PausingFeed();
        feed.answer.countDown();
        IngestLeadership leadership = new IngestLeadership(feed, true, new SimpleMeterRegistry(), 10);
        leadership.onStart(new StartupEvent());
        leadership.onPartitionsAssigned(null, TOKEN);
        feed.stop(); // fenced

        leadership.onShutdown(new ShutdownEvent());
        leadership.recheck();

        assertThat(feed.running).isFalse();
        assertThat(feed.starts).hasValue(1);
    }

    @Test
    void shouldNotReadTheFeedAfterSteppingDownWhileAFencedRecheckRuns() throws Exception {
        PausingFeed feed = new PausingFeed();
        IngestLeadership leadership = new IngestLeadership(feed, true, new SimpleMeterRegistry(), 10);
        leadership.onStart(new StartupEvent());
        leadership.onPartitionsAssigned(null, TOKEN);
        assertThat(feed.running).isTrue();
        feed.stop(); // fenced: another producer took the transactional id

        leadership.onFenced(new WikimediaIngest.Fenced()); // rechecks after 15 ms
        assertThat(feed.asked.await(30, TimeUnit.SECONDS)).isTrue();
        Thread revoke = new Thread(() -> leadership.onPartitionsRevoked(null, TOKEN));
        revoke.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> revoke.getState() == Thread.State.BLOCKED
                || revoke.getState() == Thread.State.TERMINATED);
        feed.answer.countDown();
        await().atMost(Duration.ofSeconds(30)).until(() -> feed.starts.get() == 2); // it saw this replica lead
        revoke.join(30_000);

        assertThat(revoke.isAlive()).isFalse();
        assertThat(feed.running).as("a replica that stepped down reads the feed").isFalse();
    }
}
