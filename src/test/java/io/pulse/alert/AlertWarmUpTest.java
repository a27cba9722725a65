package io.pulse.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import io.pulse.source.wikimedia.RecentChange;

class AlertWarmUpTest {

    static final TopicPartition P0 = new TopicPartition("t", 0);
    static final TopicPartition P1 = new TopicPartition("t", 1);
    static final TopicPartition P2 = new TopicPartition("t", 2);

    @Test
    void shouldSeekBackOnlyWhereTheWarmUpStartsBeforeTheCommittedOffset() {
        Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
        committed.put(P0, new OffsetAndMetadata(500));
        committed.put(P1, new OffsetAndMetadata(20));
        committed.put(P2, null); // never committed: read from the start, raising everything
        Map<TopicPartition, OffsetAndTimestamp> atStart = new HashMap<>();
        atStart.put(P0, new OffsetAndTimestamp(120, 1L));
        atStart.put(P1, new OffsetAndTimestamp(25, 1L)); // the span starts after the committed offset
        atStart.put(P2, new OffsetAndTimestamp(0, 1L));
        assertThat(AlertWarmUp.warmUpStarts(committed, atStart)).containsExactly(Map.entry(P0, 120L));
    }

    @Test
    void shouldRebuildTheBaselineDuringWarmUpWithoutRaising() {
        AlertPartitions partitions = new AlertPartitions(60_000, 100);
        partitions.assigned(0, 200L);
        RuleSet rules = AlertEvaluatorTest.RULES;
        long t0 = AlertEvaluatorTest.T0;
        // Offsets 0..149: a busy page, 15 changes a minute for 10 minutes, re-read for warm-up.
        int offset = 0;
        for (int minute = 0; minute < 10; minute++) {
            for (int i = 0; i < 15; i++, offset++) {
                var alerts = partitions.evaluator(0).evaluate(change(t0 + minute * 60_000L + i), rules);
                assertThat(partitions.raises(0, offset)).isFalse();
                assertThat(alerts).isEmpty();
            }
        }
        // After the committed offset: 25 changes is no spike against the rebuilt baseline of 15.
        for (int i = 0; i < 25; i++) {
            assertThat(partitions.evaluator(0).evaluate(change(t0 + 600_000L + i), rules)).isEmpty();
        }
        assertThat(partitions.raises(0, 200)).isTrue();
        partitions.assigned(0, null);
        assertThat(partitions.raises(0, 0)).as("a fresh assignment without commits raises at once").isTrue();
    }

    static RecentChange change(long timeMs) {
        return AlertEvaluatorTest.change("Busy page", "Someone", timeMs, 1);
    }
}
