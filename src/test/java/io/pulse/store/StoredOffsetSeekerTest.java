package io.pulse.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.pulse.aggregate.AccountedOffsets;

/**
 * What a replica knows of a partition survives a new assignment (lost commits stay visible), but not
 * the partition's topic being deleted and created again: its offsets started over, below what was known.
 */
class StoredOffsetSeekerTest {

    private static final String TOPIC = "pulse.wikimedia.recentchange";

    @Test
    void shouldForgetWhatWasKnownOfAPartitionThatNowEndsBelowIt() {
        AccountedOffsets known = new AccountedOffsets(null, new SimpleMeterRegistry());
        known.assigned(0, 1500); // counted up to 1500
        known.assigned(1, 1500);
        MockConsumer<String, byte[]> consumer = new MockConsumer<>("earliest");
        consumer.updateEndOffsets(Map.of(new TopicPartition(TOPIC, 0), 40L, // created again: 40 records so far
                new TopicPartition(TOPIC, 1), 1800L)); // the same topic, further on

        StoredOffsetSeeker.forgetRecreated(consumer, TOPIC, List.of(0, 1), known);
        known.assigned(0, 0); // nothing stored for the new topic
        known.assigned(1, 900); // lost commits: 900-1500 are read again

        assertThat(known.known(0)).isEqualTo(0);
        assertThat(known.known(1)).isEqualTo(1500);
    }
}
