package io.pulse.aggregate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import io.smallrye.mutiny.Uni;

/** A batch's Kafka work, begun before its transaction: sent again only after a failure, and in the batches' order. */
class AheadOfCommitTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Test
    void shouldSendOnceWhenAcknowledgedHoweverOftenTheCommitAsks() {
        AtomicInteger sends = new AtomicInteger();
        AheadOfCommit ahead = AheadOfCommit.begin(() -> Uni.createFrom().voidItem().invoke(sends::incrementAndGet));

        ahead.acknowledged().await().atMost(WAIT);
        ahead.acknowledged().await().atMost(WAIT); // a retried transaction

        assertThat(sends).hasValue(1);
    }

    @Test
    void shouldSendAgainWhenTheCommitIsRetriedAfterAFailedSend() {
        AtomicInteger sends = new AtomicInteger();
        AheadOfCommit ahead = AheadOfCommit.begin(() -> sends.incrementAndGet() == 1
                ? Uni.createFrom().failure(new IllegalStateException("not acknowledged"))
                : Uni.createFrom().voidItem());

        assertThatThrownBy(() -> ahead.acknowledged().await().atMost(WAIT)).hasMessage("not acknowledged");
        ahead.acknowledged().await().atMost(WAIT);
        ahead.acknowledged().await().atMost(WAIT);

        assertThat(sends).hasValue(2);
    }

    @Test
    void shouldTreatASendThatThrowsAsAFailedOne() {
        AtomicInteger sends = new AtomicInteger();
        AheadOfCommit ahead = AheadOfCommit.begin(() -> {
            if (sends.incrementAndGet() == 1) {
                throw new IllegalStateException("emitter closed");
            }
            return Uni.createFrom().voidItem();
        });

        assertThatThrownBy(() -> ahead.acknowledged().await().atMost(WAIT)).hasMessage("emitter closed");
        ahead.acknowledged().await().atMost(WAIT);
        assertThat(sends).hasValue(2);
    }

    /**
     * The commit waits for both sends and fails as soon as one fails, cancelling its wait for the other:
     * that must not cancel the other send itself. It did, and the next batch's alerts then went before
     * this batch's, which were sent a second time.
     */
    @Test
    void shouldNotCancelASendWhenTheCommitStopsWaitingForIt() {
        CompletableFuture<Void> alertsAcknowledged = new CompletableFuture<>();
        AtomicInteger alertSends = new AtomicInteger();
        AtomicInteger nextSends = new AtomicInteger();
        AheadOfCommit alerts = AheadOfCommit.begin(() -> {
            alertSends.incrementAndGet();
            return Uni.createFrom().completionStage(alertsAcknowledged);
        });
        AheadOfCommit deadLetters = AheadOfCommit.begin(() -> Uni.createFrom().failure(new IllegalStateException("not acknowledged")));
        AheadOfCommit nextAlerts = AheadOfCommit.after(alerts, () -> Uni.createFrom().voidItem().invoke(nextSends::incrementAndGet));

        assertThatThrownBy(() -> Uni.join().all(alerts.acknowledged(), deadLetters.acknowledged()).andFailFast()
                .await().atMost(WAIT)).hasMessageContaining("not acknowledged");
        assertThat(nextSends).as("this batch's alerts are not acknowledged yet").hasValue(0);

        alertsAcknowledged.complete(null);
        alerts.acknowledged().await().atMost(WAIT); // the retried commit
        nextAlerts.acknowledged().await().atMost(WAIT);
        assertThat(alertSends).hasValue(1);
        assertThat(nextSends).hasValue(1);
    }

    @Test
    void shouldBeginTheNextBatchsSendOnlyOnceThePreviousOneSettled() {
        CompletableFuture<Void> firstAcknowledged = new CompletableFuture<>();
        AtomicInteger secondSends = new AtomicInteger();
        AheadOfCommit first = AheadOfCommit.begin(() -> Uni.createFrom().completionStage(firstAcknowledged));
        AheadOfCommit second = AheadOfCommit.after(first, () -> Uni.createFrom().voidItem().invoke(secondSends::incrementAndGet));
        AheadOfCommit third = AheadOfCommit.after(second, () -> Uni.createFrom().voidItem());

        assertThat(secondSends).as("the first batch's alerts are not acknowledged yet").hasValue(0);

        firstAcknowledged.completeExceptionally(new IllegalStateException("failed: retried at its own commit"));
        second.acknowledged().await().atMost(WAIT);
        third.acknowledged().await().atMost(WAIT);
        assertThat(secondSends).hasValue(1);
    }
}
