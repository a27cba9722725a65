package io.pulse.it;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.producer.ProducerInterceptor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;

/**
 * A slow topic, as a producer sees it when the topic's leader is away: once {@link #hold()} is called,
 * the producer's acknowledgements wait until {@link #release()} (this runs on the producer's network
 * thread, so every later acknowledgement of that producer waits too). Kafka instantiates it by name
 * ({@code interceptor.classes}), hence the static state.
 */
public class HeldAcknowledgements implements ProducerInterceptor<Object, Object> {

    private static volatile CountDownLatch released = new CountDownLatch(0);
    private static final AtomicInteger WAITING = new AtomicInteger();
    private static final StringBuffer SENT = new StringBuffer();

    public static void hold() {
        released = new CountDownLatch(1);
    }

    public static void release() {
        released.countDown();
    }

    /** Whether an acknowledgement is being held now. */
    public static boolean holding() {
        return WAITING.get() > 0;
    }

    /** Whether a record holding this text was sent (its value as a string). */
    public static boolean sent(String text) {
        return SENT.indexOf(text) >= 0;
    }

    @Override
    public ProducerRecord<Object, Object> onSend(ProducerRecord<Object, Object> record) {
        Object value = record.value();
        if (value instanceof String s) {
            SENT.append(s).append('\n');
        } else if (value instanceof byte[] b) {
            SENT.append(new String(b, StandardCharsets.UTF_8)).append('\n');
        }
        return record;
    }

    @Override
    public void onAcknowledgement(RecordMetadata metadata, Exception exception) {
        CountDownLatch latch = released;
        if (latch.getCount() == 0) {
            return;
        }
        WAITING.incrementAndGet();
        try {
            latch.await(120, TimeUnit.SECONDS); // bounded: a failed test must not hang the producer's close
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            WAITING.decrementAndGet();
        }
    }

    @Override
    public void close() {
    }

    @Override
    public void configure(Map<String, ?> configs) {
    }
}
