package io.pulse.ingest;

import org.apache.kafka.clients.producer.Producer;

/** What {@link TransactionalSending} does, as it happens: for its metrics. Called on its sending thread. */
public interface TransactionObserver<K, V> {

    /** A producer took the transactional id (its predecessor fenced) and is ready. */
    void producerOpened(Producer<K, V> producer);

    /** The producer is closed: after a failure (a new one is made on the next send), or at the end. */
    void producerClosed(Producer<K, V> producer);

    /** A transaction committed: its records are published. */
    void committed(long nanos);

    /** A send failed and spoiled the transaction: aborted, its other records sent again. */
    void aborted();

    /** Beginning, committing or aborting failed (fenced included): the producer is replaced and the records sent again. */
    void failed();
}
