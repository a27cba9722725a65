package io.pulse.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.helpers.test.UniAssertSubscriber;

/** The aggregator's two stages: folds overlap the previous commit, commits stay in order. */
class CommitPipelineTest {

    private final ExecutorService worker = Executors.newFixedThreadPool(4);
    private final CommitPipeline pipeline = new CommitPipeline(worker);

    @AfterEach
    void stop() {
        worker.shutdownNow();
    }

    @Test
    void shouldFoldTheNextBatchWhileThePreviousOneCommitsAndCommitItOnlyAfter() {
        CompletableFuture<Void> firstCommit = new CompletableFuture<>();
        AtomicBoolean secondFolded = new AtomicBoolean();
        AtomicBoolean secondCommitted = new AtomicBoolean();

        UniAssertSubscriber<Void> first = pipeline.submit(() -> 1, n -> Uni.createFrom().completionStage(firstCommit))
                .subscribe().withSubscriber(UniAssertSubscriber.create());
        first.awaitItem(); // folded, nothing before it: the next batch may come while it commits
        UniAssertSubscriber<Void> second = pipeline.submit(() -> {
            secondFolded.set(true);
            return 2;
        }, n -> Uni.createFrom().voidItem().invoke(() -> secondCommitted.set(true)))
                .subscribe().withSubscriber(UniAssertSubscriber.create());

        await().atMost(Duration.ofSeconds(10)).untilTrue(secondFolded);
        assertThat(secondCommitted).as("waits for the first commit").isFalse();
        second.assertNotTerminated(); // no third batch while the first commits

        firstCommit.complete(null);
        second.awaitItem();
        await().atMost(Duration.ofSeconds(10)).untilTrue(secondCommitted);
    }

    @Test
    void shouldCommitEveryBatchInOrderWhateverEachStageTakes() {
        List<Integer> folds = Collections.synchronizedList(new ArrayList<>());
        List<Integer> commits = Collections.synchronizedList(new ArrayList<>());
        Random random = new Random(7);
        // Driven as SmallRye drives the consumer: the next batch once the last submission answered.
        for (int i = 0; i < 200; i++) {
            int batch = i;
            long commitMs = 1 + random.nextInt(3);
            pipeline.submit(() -> {
                folds.add(batch);
                return batch;
            }, n -> Uni.createFrom().item(n).onItem().delayIt().by(Duration.ofMillis(commitMs)).invoke(commits::add))
                    .await().atMost(Duration.ofSeconds(10));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> commits.size() == 200);

        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            expected.add(i);
        }
        assertThat(folds).isEqualTo(expected);
        assertThat(commits).isEqualTo(expected);
    }

    @Test
    void shouldNotCommitAnythingAfterAFailedCommit() {
        AtomicBoolean secondCommitted = new AtomicBoolean();
        pipeline.submit(() -> 1, n -> Uni.createFrom().failure(new IllegalStateException("injected")))
                .await().atMost(Duration.ofSeconds(10));

        UniAssertSubscriber<Void> second = pipeline.submit(() -> 2,
                n -> Uni.createFrom().voidItem().invoke(() -> secondCommitted.set(true)))
                .subscribe().withSubscriber(UniAssertSubscriber.create());

        second.awaitFailure().assertFailedWith(IllegalStateException.class, "injected");
        assertThat(secondCommitted).isFalse();
    }

    @Test
    void shouldFoldOnTheCallingThreadOnceTheWorkerPoolRefusesWork() {
        CommitPipeline stopping = new CommitPipeline(task -> {
            throw new RejectedExecutionException("worker pool shut down");
        });
        List<Integer> commits = Collections.synchronizedList(new ArrayList<>());

        stopping.submit(() -> 1, n -> Uni.createFrom().item(n).invoke(commits::add)).await().atMost(Duration.ofSeconds(10));
        stopping.submit(() -> 2, n -> Uni.createFrom().item(n).invoke(commits::add)).await().atMost(Duration.ofSeconds(10));

        await().atMost(Duration.ofSeconds(10)).until(() -> commits.size() == 2);
        assertThat(commits).containsExactly(1, 2);
    }

    @Test
    void shouldFailTheBatchWhoseFoldFails() {
        AtomicBoolean committed = new AtomicBoolean();
        UniAssertSubscriber<Void> batch = pipeline.<Integer>submit(() -> {
            throw new IllegalArgumentException("injected");
        }, n -> Uni.createFrom().voidItem().invoke(() -> committed.set(true)))
                .subscribe().withSubscriber(UniAssertSubscriber.create());

        batch.awaitFailure().assertFailedWith(IllegalArgumentException.class, "injected");
        assertThat(committed).isFalse();
    }
}
