package io.pulse.ingest;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TimeoutException;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;

/**
 * Sends through a transactional producer whose {@code transactional.id} every candidate for the ingest
 * shares, so that a newly elected leader fences the one it replaces: its {@code initTransactions}
 * aborts the deposed leader's open transaction, and the deposed leader's next commit fails instead
 * of publishing what the new leader publishes too. Read-committed consumers (the aggregator, the
 * ingest's own read-back) never see the aborted records.
 * <p>
 * Records join the open transaction as they are sent; it is committed every {@code commitInterval}.
 * A record counts as sent only once its transaction has committed: its success is reported then
 * (an abort reports it failed, and {@link KafkaBatchSender} sends it again). Everything that touches
 * the producer runs on one thread of its own, so sends never interleave with a commit.
 */
public final class TransactionalSending<K, V> implements KafkaBatchSender.SendingThread<K, V>, AutoCloseable {

    /** Another producer with the same transactional id took over: this one must not publish again. */
    public static final class FencedException extends KafkaException {
        FencedException(Throwable cause) {
            super("Fenced: another producer took the transactional id (" + cause + ")", cause);
        }
    }

    private static final Logger LOG = Logger.getLogger(TransactionalSending.class);

    private final Supplier<Producer<K, V>> factory;
    private final Runnable onFenced;
    private final TransactionObserver<K, V> observer;
    private final ScheduledExecutorService thread;
    // Only on the sending thread:
    private Producer<K, V> producer;
    private boolean open;
    /** A commit timed out: it is retried as it is, and nothing is sent until it completes. */
    private volatile boolean committing;
    private long transaction;
    /** When the commit now completing began: a commit that timed out is timed from its first try. */
    private long commitStartedNanos;
    private boolean fenced;
    // Also from the producer's I/O thread (callbacks), so guarded by this:
    private final List<Pending> pending = new ArrayList<>();
    private Exception abortCause;
    /** Transactions up to this one are settled: a success reported later came after its abort. */
    private long settledUpTo;

    /** A success reported once its transaction is settled. */
    private record Pending(long transaction, Callback callback, RecordMetadata metadata) {
    }

    /**
     * @param factory  makes a producer with the shared {@code transactional.id}; called again after a failure
     * @param onFenced told once, on a thread of its own, when another producer took over
     * @param observer  told of each producer and transaction, on the sending thread (metrics)
     */
    public TransactionalSending(Supplier<Producer<K, V>> factory, Duration commitInterval, Runnable onFenced,
            TransactionObserver<K, V> observer) {
        this.factory = factory;
        this.onFenced = onFenced;
        this.observer = observer;
        this.thread = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pulse-ingest-transactions");
            t.setDaemon(true);
            return t;
        });
        long interval = commitInterval.toMillis();
        thread.scheduleWithFixedDelay(this::commitSafely, interval, interval, TimeUnit.MILLISECONDS);
    }

    @Override
    public Uni<Void> run(Consumer<KafkaBatchSender.Sink<K, V>> task) {
        return onThread(() -> {
            ready();
            long current = transaction;
            task.accept((record, callback) -> send(record, callback, current));
        });
    }

    /**
     * Makes the producer now, before anything is read: its {@code initTransactions} fences the previous
     * holder of the id, so that what Kafka holds from it is final before the ingest reads it back.
     */
    public Uni<Void> fencePredecessor() {
        return onThread(this::ready);
    }

    /** Whether a commit that timed out is being retried (for tests). */
    boolean retryingCommit() {
        return committing;
    }

    private Uni<Void> onThread(Runnable work) {
        return Uni.createFrom().emitter(emitter -> thread.execute(() -> {
            try {
                work.run();
                emitter.complete(null);
            } catch (Throwable t) {
                emitter.fail(t);
            }
        }));
    }

    /** Commits what is open and closes the producer: the records sent so far are published. */
    @Override
    public void close() {
        if (thread.isShutdown()) {
            return;
        }
        thread.execute(() -> {
            commitIfOpen();
            discardProducer();
        });
        thread.shutdown();
        try {
            if (!thread.awaitTermination(30, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    private void send(ProducerRecord<K, V> record, Callback callback, long inTransaction) {
        // One outcome per record: a transactional send can throw after it appended the record, whose
        // callback then comes too (Kafka checks the transaction's state after the append).
        AtomicBoolean reported = new AtomicBoolean();
        Callback once = (metadata, error) -> {
            if (reported.compareAndSet(false, true)) {
                callback.onCompletion(metadata, error);
            }
        };
        try {
            producer.send(record, (metadata, error) -> outcome(once, inTransaction, metadata, error));
        } catch (RuntimeException e) {
            // Appended or not, the transaction may hold it: aborted, so that it is published once, when sent again.
            synchronized (this) {
                if (abortCause == null) {
                    abortCause = e;
                }
            }
            once.onCompletion(null, e);
        }
    }

    private void outcome(Callback callback, long inTransaction, RecordMetadata metadata, Exception error) {
        synchronized (this) {
            if (inTransaction <= settledUpTo) {
                // Its transaction failed already (a commit has every record's outcome before it returns).
                error = new KafkaException("Its transaction was aborted", error);
            } else if (error == null) {
                pending.add(new Pending(inTransaction, callback, metadata));
                return;
            } else if (abortCause == null) {
                // The first failure spoils the transaction: it is aborted before anything else is sent.
                abortCause = error;
            } else {
                // The producer fails the rest of a spoiled transaction with the first one's error (a
                // record too large, say): theirs is only the abort, and they are sent again.
                error = new KafkaException("Aborted with its transaction after: " + abortCause, error);
            }
        }
        callback.onCompletion(null, error);
    }

    /** A producer with its transaction open, whatever happened before; throws while that cannot be. */
    private void ready() {
        if (fenced) {
            throw new FencedException(new IllegalStateException("fenced earlier"));
        }
        if (committing) {
            throw new KafkaException("The previous transaction's commit is still completing");
        }
        Exception spoiled;
        synchronized (this) {
            spoiled = abortCause;
        }
        if (spoiled != null && open) {
            abort(spoiled);
        }
        if (fenced) {
            throw new FencedException(new IllegalStateException("fenced while aborting"));
        }
        if (producer == null) {
            Producer<K, V> created = factory.get();
            try {
                created.initTransactions(); // fences the previous holder of the id, aborting its open transaction
            } catch (RuntimeException e) {
                created.close(Duration.ZERO);
                throw fencedOr(e);
            }
            producer = created;
            observer.producerOpened(created);
        }
        if (!open) {
            synchronized (this) {
                abortCause = null;
            }
            try {
                producer.beginTransaction();
            } catch (RuntimeException e) {
                failed(notTheRecords("begun", e));
                throw e;
            }
            open = true;
            transaction++;
        }
    }

    /** A scheduled task that throws is never run again: no error may stop the commits. */
    private void commitSafely() {
        try {
            commitIfOpen();
        } catch (RuntimeException e) {
            LOG.errorf(e, "Committing the ingest's Kafka transaction failed unexpectedly");
        }
    }

    private void commitIfOpen() {
        if (!open) {
            return;
        }
        Exception spoiled;
        synchronized (this) {
            spoiled = abortCause;
        }
        if (spoiled != null && !committing) {
            abort(spoiled);
            return;
        }
        long committed = transaction;
        if (!committing) {
            commitStartedNanos = System.nanoTime();
        }
        try {
            producer.commitTransaction();
            committing = false;
            open = false;
            observer.committed(System.nanoTime() - commitStartedNanos);
            settle(committed, null);
        } catch (TimeoutException e) {
            // The commit may still complete: retried as it is (the producer allows that), never given up,
            // since its records may be published already.
            committing = true;
            LOG.warnf("Committing the ingest's Kafka transaction timed out; trying again: %s", e.toString());
        } catch (RuntimeException e) {
            committing = false;
            LOG.warnf("Committing the ingest's Kafka transaction failed; its records are sent again: %s", e.toString());
            RuntimeException cause = notTheRecords("committed", e);
            if (cause instanceof FencedException) {
                failed(cause);
            } else {
                // Usually a send that failed during the commit's flush (the callback had not come yet): the
                // producer can go on once the transaction is aborted, as after any failed send.
                abort(cause);
            }
        }
    }

    /** A transaction's failure is not its records' own (a record too large fails them all): they are sent again. */
    private static RuntimeException notTheRecords(String what, RuntimeException e) {
        RuntimeException cause = fencedOr(e);
        return cause instanceof FencedException ? cause : new KafkaException("Transaction not " + what + ": " + e, e);
    }

    private void abort(Exception cause) {
        long aborted = transaction;
        try {
            producer.abortTransaction();
            open = false;
            observer.aborted();
            settle(aborted, new KafkaException("Transaction aborted after: " + cause, cause));
        } catch (RuntimeException e) {
            failed(notTheRecords("aborted", e));
        }
    }

    /** The producer cannot go on: its transaction's records are reported failed, and a new producer is made on the next send. */
    private void failed(RuntimeException cause) {
        open = false;
        observer.failed();
        settle(transaction, cause);
        discardProducer();
        if (cause instanceof FencedException && !fenced) {
            fenced = true;
            LOG.warn("The ingest's Kafka producer was fenced: another producer took its transactional id");
            new Thread(onFenced, "pulse-ingest-fenced").start();
        }
    }

    private void settle(long upTo, Exception error) {
        List<Pending> settled = new ArrayList<>();
        synchronized (this) {
            settledUpTo = Math.max(settledUpTo, upTo);
            pending.removeIf(p -> p.transaction() <= upTo && settled.add(p));
        }
        for (Pending p : settled) {
            p.callback().onCompletion(error == null ? p.metadata() : null, error);
        }
    }

    private void discardProducer() {
        if (producer != null) {
            observer.producerClosed(producer);
            try {
                producer.close(Duration.ZERO);
            } catch (RuntimeException e) {
                LOG.debugf("Closing the ingest's Kafka producer: %s", e);
            }
            producer = null;
        }
    }

    private static RuntimeException fencedOr(RuntimeException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ProducerFencedException || t instanceof InvalidProducerEpochException) {
                return new FencedException(t);
            }
        }
        return e;
    }
}
