package io.pulse.it;

import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * A producer that cannot send some records for a while: values holding {@link #refuse(String, int) the text
 * given} fail to serialize that many times, so their sends fail before they reach the broker, then go through.
 * Kafka instantiates it by name ({@code value.serializer}), hence the static state.
 */
public class RefusingSerializer extends StringSerializer {

    private static volatile String refused = "\u0000none";
    private static final AtomicInteger LEFT = new AtomicInteger();
    private static final AtomicInteger REFUSALS = new AtomicInteger();

    public static void refuse(String text, int times) {
        REFUSALS.set(0);
        LEFT.set(times);
        refused = text;
    }

    /** How many sends were refused since {@link #refuse}. */
    public static int refusals() {
        return REFUSALS.get();
    }

    @Override
    public byte[] serialize(String topic, String data) {
        if (data != null && data.contains(refused) && LEFT.getAndDecrement() > 0) {
            REFUSALS.incrementAndGet();
            throw new SerializationException("refused for the test: " + refused);
        }
        return super.serialize(topic, data);
    }
}
