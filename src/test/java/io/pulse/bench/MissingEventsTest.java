package io.pulse.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class MissingEventsTest {

    @Test
    void shouldReadTheGeneratorsEventIdAsTheIngestPublishesIt() {
        List<EventGenerator.Event> events = new ArrayList<>();
        new EventGenerator(7, EventGenerator.wholeMinutesBefore(600), 1000).generate(2000, events::add);
        EventGenerator.Event valid = events.stream().filter(e -> !e.malformed()).findFirst().orElseThrow();

        assertThat(MissingEvents.idOf(valid.json())).isEqualTo("7-" + events.indexOf(valid));
        assertThat(MissingEvents.idOf("not json at all")).isNull();
    }

    @Test
    void shouldNameTheRangesOfEventsNeverPublishedInSendingOrder() {
        String[] sent = IntStream.range(0, 20).mapToObj(i -> "e" + i).toArray(String[]::new);
        List<String> published = IntStream.range(0, 20).filter(i -> i > 5 && i != 9 && i < 18).mapToObj(i -> "e" + i).toList();

        List<long[]> ranges = MissingEvents.ranges(sent, published);

        assertThat(ranges).containsExactly(new long[] { 0, 5 }, new long[] { 9, 9 }, new long[] { 18, 19 });
        assertThat(MissingEvents.describe(ranges, sent.length)).isEqualTo("9 of 20 missing: 0-5 (6), 9-9 (1), 18-19 (2)");
        assertThat(MissingEvents.ranges(sent, List.of(sent))).isEmpty();
    }

    @Test
    void shouldShowTheFirstRangesAndCountTheRest() {
        String[] sent = IntStream.range(0, 20).mapToObj(i -> "e" + i).toArray(String[]::new);
        List<String> everyOther = IntStream.range(0, 20).filter(i -> i % 2 == 0).mapToObj(i -> "e" + i).toList();

        assertThat(MissingEvents.describe(MissingEvents.ranges(sent, everyOther), sent.length))
                .isEqualTo("10 of 20 missing: 1-1 (1), 3-3 (1), 5-5 (1), 7-7 (1), 9-9 (1), and 5 ranges more");
    }
}
