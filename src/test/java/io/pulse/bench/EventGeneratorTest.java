package io.pulse.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/** The benchmark's events have the mix the issue asks for, counted by reading them back as JSON. */
class EventGeneratorTest {

    static final int N = 200_000;

    @Test
    void shouldGenerateTheAskedMixAndTheSameEventsForTheSameSeed() throws Exception {
        ObjectMapper json = new ObjectMapper();
        List<EventGenerator.Event> events = new ArrayList<>();
        new EventGenerator(42, 1_700_000_040_000L, 1000).generate(N, events::add);
        int bots = 0;
        int oldSchema = 0;
        int late = 0;
        int malformed = 0;
        int parsed = 0;
        Map<String, Integer> perWiki = new HashMap<>();
        for (EventGenerator.Event e : events) {
            JsonNode node;
            try {
                node = json.readTree(e.json());
            } catch (Exception notJson) {
                malformed++;
                continue;
            }
            if (!node.path("bot").isBoolean() || !node.has("wiki")) {
                malformed++;
                continue;
            }
            parsed++;
            bots += node.get("bot").asBoolean() ? 1 : 0;
            oldSchema += node.has("$schema") ? 0 : 1;
            late += e.late() ? 1 : 0;
            perWiki.merge(node.get("wiki").asText(), 1, Integer::sum);
        }
        assertThat(malformed).as("malformed, as flagged").isEqualTo((int) events.stream().filter(EventGenerator.Event::malformed).count())
                .isBetween(N / 2000, N / 500);
        assertThat((double) bots / parsed).as("bot share").isCloseTo(0.15, within(0.01));
        assertThat((double) oldSchema / parsed).as("old schema generation").isCloseTo(0.30, within(0.01));
        assertThat((double) late / parsed).as("late").isCloseTo(0.005, within(0.002));
        assertThat(perWiki.size()).as("wikis").isBetween(800, 903);
        assertThat(perWiki.get("wikidatawiki")).isGreaterThan(perWiki.get("commonswiki"));
        assertThat(perWiki.get("commonswiki")).isGreaterThan(perWiki.get("enwiki"));
        assertThat((double) perWiki.get("enwiki") / parsed).as("enwiki").isCloseTo(0.12, within(0.01));

        List<EventGenerator.Event> again = new ArrayList<>();
        new EventGenerator(42, 1_700_000_040_000L, 1000).generate(1000, again::add);
        assertThat(again).isEqualTo(events.subList(0, 1000));
    }
}
