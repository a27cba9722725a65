package io.pulse.aggregate;

import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;

/**
 * Kafka work a batch needs acknowledged before its offsets commit (its alerts, its dead letters),
 * begun as soon as the batch is parsed, while the batch before it still commits. The batch's
 * transaction begins only once this is acknowledged: it rarely waits, and it never holds rows while
 * it does. Sent from inside the transaction, a slow acknowledgement (the topic's leader away: up to
 * the delivery timeout) kept rows every replica updates (a wiki's current minute) locked, and stalled
 * every replica's commits, not only this one's; waited for at the start of the transaction instead of
 * begun early, it cost a Kafka round trip per batch at 10,000 events/s (bench/README.md, 50).
 * <p>
 * A send that failed is made again when the batch's commit is retried; one that succeeded is not.
 */
final class AheadOfCommit {

    /** Nothing to send. */
    static final AheadOfCommit NOTHING = new AheadOfCommit(() -> Uni.createFrom().voidItem(),
            CompletableFuture.completedFuture(null));

    private final Supplier<Uni<Void>> send;
    /** The first attempt: what a later batch's sends wait for, to keep the batches' order. */
    private final CompletableFuture<Void> first;
    private CompletableFuture<Void> attempt; // guarded by this
    private boolean awaited; // guarded by this: a failure is sent again only once someone saw it

    private AheadOfCommit(Supplier<Uni<Void>> send, CompletableFuture<Void> first) {
        this.send = send;
        this.first = first;
        this.attempt = first;
    }

    /** Begins sending now. */
    static AheadOfCommit begin(Supplier<Uni<Void>> send) {
        return new AheadOfCommit(send, attempt(send));
    }

    /**
     * Begins sending once the previous batch's first attempt has settled, whether it succeeded or not: the
     * sends keep the batches' order as long as they succeed (a failed one is made again at its own commit).
     */
    static AheadOfCommit after(AheadOfCommit previous, Supplier<Uni<Void>> send) {
        return new AheadOfCommit(send, previous.first.handle((ignored, failure) -> null)
                .thenCompose(ignored -> attempt(send)));
    }

    /**
     * Acknowledged, or the attempt's failure; subscribed again after a failure (the caller retries the
     * batch, with back-off), it makes a new attempt.
     */
    Uni<Void> acknowledged() {
        // A copy: a subscriber that cancels (a join failing fast on the other send) cancels its copy, not
        // the attempt, which a later batch's sends wait for and a retry reuses.
        return Uni.createFrom().completionStage(() -> current().copy());
    }

    private synchronized CompletableFuture<Void> current() {
        if (awaited && attempt.isCompletedExceptionally()) {
            attempt = attempt(send);
        }
        awaited = true;
        return attempt;
    }

    private static CompletableFuture<Void> attempt(Supplier<Uni<Void>> send) {
        try {
            return send.get().subscribeAsCompletionStage();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }
}
