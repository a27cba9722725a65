package io.pulse.aggregate;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;

import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

/**
 * Two stages, in order: each batch is folded on a worker thread while the previous batch commits,
 * then committed once that one has. {@link #submit} answers when the next batch may be handed over
 * (this one folded, the previous one committed): one batch committing and one folded, never more.
 * The fold runs off the event loop so that the commit's round trips are not kept waiting behind it
 * (bench/README.md, 31). A failed commit or fold fails every later batch: nothing commits out of order.
 */
final class CommitPipeline {

    private static final Logger LOG = Logger.getLogger(CommitPipeline.class);

    private final Executor worker;
    /** The last batch's commit (the caller submits one batch at a time). */
    private volatile CompletableFuture<Void> committing = CompletableFuture.completedFuture(null);

    CommitPipeline(Executor worker) {
        this.worker = worker;
    }

    <T> Uni<Void> submit(Supplier<T> fold, Function<T, Uni<?>> commit) {
        CompletableFuture<T> folded = foldOnWorker(fold);
        CompletableFuture<Void> previous = committing;
        CompletableFuture<Void> done = new CompletableFuture<>();
        committing = done;
        Uni.createFrom().completionStage(folded.thenCombine(previous, (ready, ignored) -> ready))
                .chain(commit)
                .subscribe().with(ignored -> done.complete(null), failure -> {
                    LOG.errorf(failure, "A batch was not committed; the batches after it will not be either");
                    done.completeExceptionally(failure);
                });
        return Uni.createFrom().completionStage(CompletableFuture.allOf(folded, previous));
    }

    private <T> CompletableFuture<T> foldOnWorker(Supplier<T> fold) {
        try {
            return CompletableFuture.supplyAsync(fold, worker);
        } catch (RejectedExecutionException stopped) {
            // The worker pool is gone (the application is stopping): fold here rather than fail the batch.
            CompletableFuture<T> folded = new CompletableFuture<>();
            try {
                folded.complete(fold.get());
            } catch (RuntimeException e) {
                folded.completeExceptionally(e);
            }
            return folded;
        }
    }
}
