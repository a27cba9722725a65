package io.pulse.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

import io.pulse.aggregate.ConsumedRecord;
import io.pulse.aggregate.ResumePoints;
import io.pulse.source.wikimedia.ParseResult;
import io.pulse.source.wikimedia.RecentChange;

class WarmUpTest {

    static final TopicPartition P0 = new TopicPartition("t", 0);
    static final TopicPartition P1 = new TopicPartition("t", 1);

    @Test
    void shouldSeekBackOnlyWhereTheWarmUpStartsBeforeTheStoredOffset() {
        Map<TopicPartition, Long> stored = new HashMap<>();
        stored.put(P0, 500L);
        stored.put(P1, 20L);
        Map<TopicPartition, OffsetAndTimestamp> atStart = new HashMap<>();
        atStart.put(P0, new OffsetAndTimestamp(120, 1L));
        atStart.put(P1, new OffsetAndTimestamp(25, 1L)); // the span starts after the stored offset
        assertThat(WarmUp.warmUpStarts(stored, atStart)).containsExactly(Map.entry(P0, 120L));
        assertThat(WarmUp.warmUpStarts(stored, null)).as("no record in the span").isEmpty();
    }

    @Test
    void shouldRebuildTheBaselineDuringWarmUpWithoutRaising() {
        AlertPartitions partitions = new AlertPartitions(60_000, 100);
        ResumePoints resumePoints = new ResumePoints();
        resumePoints.assigned(0, 151L);
        RuleSet rules = AlertEvaluatorTest.RULES;
        long t0 = AlertEvaluatorTest.T0;
        // Offsets 0..149: a busy page, 15 changes a minute for 10 minutes, and at 150 a blanking that the
        // previous owner raised: all re-read for warm-up, below the stored offset.
        List<ConsumedRecord> warmUp = new ArrayList<>();
        for (int minute = 0; minute < 10; minute++) {
            for (int i = 0; i < 15; i++) {
                warmUp.add(record(warmUp.size(), change(t0 + minute * 60_000L + i, 1)));
            }
        }
        warmUp.add(record(150, change(t0 + 599_000L, -9_000)));
        assertThat(PerChangeAlerts.evaluate(warmUp, rules, partitions, resumePoints)).as("raised by the previous owner").isEmpty();

        // From the stored offset on: 25 changes in a minute is no spike against the rebuilt baseline of 15...
        List<ConsumedRecord> next = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            next.add(record(151 + i, change(t0 + 600_000L + i, 1)));
        }
        assertThat(PerChangeAlerts.evaluate(next, rules, partitions, resumePoints)).isEmpty();
        // ...whereas a fresh assignment without stored offsets has no baseline: the same 25 are a spike, and
        // the blanking is raised again (its id is the same: the store de-duplicates it).
        partitions.assigned(0);
        resumePoints.assigned(0, null);
        assertThat(PerChangeAlerts.evaluate(warmUp.subList(150, 151), rules, partitions, resumePoints))
                .extracting(Alert::rule).containsExactly(MassBlankingRule.NAME);
        assertThat(PerChangeAlerts.evaluate(next, rules, partitions, resumePoints))
                .extracting(Alert::rule).containsExactly(PageSpikeRule.NAME);
    }

    static ConsumedRecord record(long offset, RecentChange change) {
        return new ConsumedRecord(0, offset, change.partitionKey(), (byte[]) null, new ParseResult.Accepted(change));
    }

    static RecentChange change(long timeMs, long delta) {
        return AlertEvaluatorTest.change("Busy page", "Someone", timeMs, delta);
    }
}
