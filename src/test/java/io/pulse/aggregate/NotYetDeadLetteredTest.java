package io.pulse.aggregate;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.pulse.it.CommittedOffsets;
import io.pulse.source.wikimedia.ParseResult;
import io.pulse.source.wikimedia.RecentChange;

/**
 * Which of a batch's rejected records get a dead letter before its transaction: all of those at or past
 * the offset this replica knows the store accounts for, none below it (their dead letters were
 * acknowledged before the commit that stored them), and all when nothing is known.
 */
class NotYetDeadLetteredTest {

    @Test
    void shouldSendTheRejectsAtOrPastTheKnownOffsetOfTheirPartitionOnly() {
        List<ConsumedRecord> records = new ArrayList<>();
        for (int partition = 0; partition < 3; partition++) {
            for (long offset = 0; offset < 10; offset++) {
                records.add(offset % 2 == 0 ? rejected(partition, offset) : accepted(partition, offset));
            }
        }
        // Partition 0 stored up to 6, partition 1 unknown (-1: its stored offset could not be read), 2 fresh (0).
        CommittedOffsets known = new CommittedOffsets((from, to) -> List.of());
        known.committed.putAll(Map.of(0, 6L, 1, -1L, 2, 0L));

        List<String> sent = RecentChangeAggregator.notYetDeadLettered(records, known).stream()
                .map(r -> r.partition() + ":" + r.offset()).toList();

        List<String> expected = new ArrayList<>();
        for (ConsumedRecord r : records) { // a plain loop over the same rule
            long from = r.partition() == 0 ? 6 : -1;
            if (r.parsed() instanceof ParseResult.Rejected && r.offset() >= from) {
                expected.add(r.partition() + ":" + r.offset());
            }
        }
        assertThat(sent).isEqualTo(expected).contains("0:6", "0:8", "1:0", "2:0").doesNotContain("0:4", "0:0", "0:7");
    }

    private static ConsumedRecord rejected(int partition, long offset) {
        return new ConsumedRecord(partition, offset, null, "{\"truncated\"", new ParseResult.Rejected("malformed JSON"));
    }

    private static ConsumedRecord accepted(int partition, long offset) {
        RecentChange c = new RecentChange("id-" + offset, "en.wikipedia.org", "enwiki", "edit", 0, "Page", "User", false,
                1_700_000_000_000L + offset, 10, null);
        return new ConsumedRecord(partition, offset, c.partitionKey(), "{}", new ParseResult.Accepted(c));
    }
}
