package io.pulse.ingest;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.stream.IntStream;

import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.jboss.logging.Logger;

import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * Sends the records of one read with a single hand-off to the producer's sending thread, instead of
 * a message, an emitter chain and a thread hand-off per record: those were a quarter of the event
 * loops' time at 10,000 events/s (bench/README.md). Each record's acknowledgement is reported as it
 * arrives. A record the producer gives up on is sent again after a back-off, as often as it takes:
 * the idempotent producer already waits out a broker outage ({@code delivery.timeout.ms}), so this
 * is rare, and giving up would lose the event. A record Kafka will never take as it is (larger than
 * the producer's {@code max.request.size} or the topic's {@code max.message.bytes}) is not sent again
 * but handed back, for the caller to dead-letter: sending it again would stall every read after it.
 */
public final class KafkaBatchSender<K, V> {

    /**
     * Runs a task with the producer on a thread of its own: {@code send} can block (waiting for
     * metadata, or for room in a full buffer), so never on an event loop. In the service it is the
     * elected leader's {@link TransactionalSending}, or without the election the SmallRye channel's
     * sending thread ({@code KafkaProducer::runOnSendingThread}).
     */
    @FunctionalInterface
    public interface SendingThread<K, V> {
        Uni<Void> run(Consumer<Sink<K, V>> task);
    }

    /** Where a record goes: a producer's {@code send}, or a transaction's ({@link TransactionalSending}). */
    @FunctionalInterface
    public interface Sink<K, V> {
        void send(ProducerRecord<K, V> record, Callback callback);

        static <K, V> Sink<K, V> of(Producer<K, V> producer) {
            return producer::send;
        }
    }

    /** Told of each record's acknowledgement, on the producer's I/O thread: keep it short. */
    @FunctionalInterface
    public interface Acknowledgement {
        void acknowledged(int index, RecordMetadata metadata);
    }

    /** A record Kafka refused for good, by its index in the list sent. */
    public record Refused(int index, Throwable error) {
    }

    private static final Logger LOG = Logger.getLogger(KafkaBatchSender.class);

    private final SendingThread<K, V> sendingThread;
    private final Duration initialBackoff;
    private final Duration maxBackoff;

    public KafkaBatchSender(SendingThread<K, V> sendingThread, Duration initialBackoff, Duration maxBackoff) {
        this.sendingThread = sendingThread;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
    }

    /**
     * Completes once every record is acknowledged or refused for good, back on the caller's Vert.x
     * context (if any) so that what follows runs where it started.
     *
     * @return the records refused for good (usually none), in no particular order
     */
    public Uni<List<Refused>> send(List<ProducerRecord<K, V>> records, Acknowledgement acknowledgement) {
        if (records.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        // Each attempt sends what the previous one could not: Mutiny's retry re-subscribes, with its back-off.
        AtomicReference<int[]> pending = new AtomicReference<>(IntStream.range(0, records.size()).toArray());
        ConcurrentLinkedQueue<Refused> refused = new ConcurrentLinkedQueue<>();
        Uni<List<Refused>> sent = Uni.createFrom().deferred(() -> sendOnce(records, pending.get(), acknowledgement, refused))
                .invoke(outcome -> {
                    if (outcome.failed().length > 0) {
                        pending.set(outcome.failed());
                        throw new NotAllSent(outcome.failed().length, records.size(), outcome.cause());
                    }
                })
                .onFailure().invoke(f -> LOG.warnf("%s; retrying", f.getMessage()))
                .onFailure().retry().withBackOff(initialBackoff, maxBackoff).indefinitely()
                .map(outcome -> List.copyOf(refused));
        Context context = Vertx.currentContext();
        return context == null ? sent : sent.emitOn(task -> context.runOnContext(ignored -> task.run()));
    }

    /** Whether Kafka would refuse the record again, whatever the wait: its size, not the broker's state. */
    static boolean refusedForGood(Throwable error) {
        return error instanceof RecordTooLargeException;
    }

    private static final class NotAllSent extends RuntimeException {
        NotAllSent(int failed, int records, Throwable cause) {
            super("Publishing " + failed + " of " + records + " records to Kafka failed: " + cause, cause);
        }
    }

    private record Outcome(int[] failed, Throwable cause) {
    }

    private Uni<Outcome> sendOnce(List<ProducerRecord<K, V>> records, int[] indices, Acknowledgement acknowledgement,
            ConcurrentLinkedQueue<Refused> refused) {
        return Uni.createFrom().emitter(emitter -> {
            Round round = new Round(indices.length, emitter, refused);
            sendingThread.run(kafka -> {
                for (int index : indices) {
                    try {
                        kafka.send(records.get(index), (metadata, error) -> {
                            if (error == null) {
                                acknowledgement.acknowledged(index, metadata);
                                round.settled();
                            } else {
                                round.failed(index, error);
                            }
                        });
                    } catch (RuntimeException e) {
                        // Not accepted at all: closed producer, unserializable record, buffer full past max.block.ms.
                        round.failed(index, e);
                    }
                }
            }).subscribe().with(done -> {
            }, failure -> round.failedAll(indices, failure));
        });
    }

    /** The acknowledgements of one attempt: completes the attempt when the last one arrives. */
    private static final class Round {
        private final AtomicInteger outstanding;
        private final UniEmitter<? super Outcome> emitter;
        private final ConcurrentLinkedQueue<Integer> failed = new ConcurrentLinkedQueue<>();
        private final AtomicReference<Throwable> cause = new AtomicReference<>();
        private final ConcurrentLinkedQueue<Refused> refused;

        Round(int records, UniEmitter<? super Outcome> emitter, ConcurrentLinkedQueue<Refused> refused) {
            this.outstanding = new AtomicInteger(records);
            this.emitter = emitter;
            this.refused = refused;
        }

        void settled() {
            if (outstanding.decrementAndGet() == 0) {
                emitter.complete(new Outcome(failed.stream().mapToInt(Integer::intValue).sorted().toArray(),
                        cause.get()));
            }
        }

        void failed(int index, Throwable error) {
            if (refusedForGood(error)) {
                refused.add(new Refused(index, error));
            } else {
                failed.add(index);
                cause.compareAndSet(null, error);
            }
            settled();
        }

        /** The hand-off itself failed: none of the records was sent (those already settled stay so). */
        void failedAll(int[] indices, Throwable error) {
            if (outstanding.get() == indices.length) {
                for (int index : indices) {
                    failed(index, error);
                }
            }
        }
    }
}
