package io.pulse.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.pulse.api.problem.InvalidParametersException;
import io.pulse.api.problem.ParameterError;

class RuleJsonTest {

    static final ObjectMapper JSON = new ObjectMapper();

    static Rule apply(Rule current, String body) throws Exception {
        return RuleJson.apply(current, JSON.readTree(body));
    }

    @Test
    void shouldChangeOnlyTheFieldsGiven() throws Exception {
        Rule updated = apply(AlertEvaluatorTest.RULES.pageSpike(), "{\"minChanges\": 50, \"severity\": \"critical\"}");
        assertThat(updated).isEqualTo(new PageSpikeRule(true, Severity.CRITICAL, 600, 50, 5, 10));
        WatchedUserRule watched = (WatchedUserRule) apply(AlertEvaluatorTest.RULES.watchedUser(),
                "{\"users\": [\"A\", \"B\"], \"wikis\": [\"enwiki\"]}");
        assertThat(watched.users()).containsExactlyInAnyOrder("A", "B");
        assertThat(watched.wikis()).containsExactly("enwiki");
    }

    /** Stored as typed, "example_user" or a wiki in capitals never matched: the feed spells them otherwise. */
    @Test
    void shouldKeepUsersAndWikisAsTheFeedSpellsThem() throws Exception {
        WatchedUserRule watched = (WatchedUserRule) apply(AlertEvaluatorTest.RULES.watchedUser(),
                "{\"users\": [\" example_user \", \"Example   user\", \"imported>someone\"], \"wikis\": [\"EnWiki\", \"EN.Wikipedia.org\"]}");
        assertThat(watched.users()).containsExactlyInAnyOrder("Example user", "imported>someone");
        assertThat(watched.wikis()).containsExactlyInAnyOrder("enwiki", "en.wikipedia.org");
        assertThatThrownBy(() -> apply(AlertEvaluatorTest.RULES.watchedUser(), "{\"users\": [\"_\"]}"))
                .as("an empty name, once spelled").isInstanceOf(InvalidParametersException.class);
    }

    @Test
    void shouldNameEveryInvalidField() {
        assertThatThrownBy(() -> apply(AlertEvaluatorTest.RULES.botSurge(),
                "{\"minBotShare\": 1.5, \"cooldownSeconds\": 0, \"severity\": \"loud\", \"colour\": \"red\"}"))
                .isInstanceOf(InvalidParametersException.class)
                .satisfies(e -> assertThat(((InvalidParametersException) e).errors()).extracting(ParameterError::parameter)
                        .containsExactlyInAnyOrder("minBotShare", "cooldownSeconds", "severity", "colour"));
        assertThatThrownBy(() -> apply(AlertEvaluatorTest.RULES.watchedUser(), "{\"users\": \"Someone\"}"))
                .satisfies(e -> assertThat(((InvalidParametersException) e).errors().get(0).parameter()).isEqualTo("users"));
        assertThatThrownBy(() -> apply(AlertEvaluatorTest.RULES.massBlanking(), "{\"minBytesRemoved\": 1.5}"))
                .satisfies(e -> assertThat(((InvalidParametersException) e).errors().get(0).parameter())
                        .isEqualTo("minBytesRemoved"));
        assertThatThrownBy(() -> apply(AlertEvaluatorTest.RULES.massBlanking(), "[1]"))
                .satisfies(e -> assertThat(((InvalidParametersException) e).errors().get(0).parameter()).isEqualTo("body"));
    }

    /**
     * Half a surrogate pair alone, as a JSON escape makes it, was accepted and echoed; the database stored it as '?',
     * and the rule in force watched "Ab?cd". A whole pair (an emoji) is a name like any other.
     */
    @Test
    void shouldRefuseNamesThatAreNotValidUnicode() throws Exception {
        assertThatThrownBy(() -> apply(AlertEvaluatorTest.RULES.watchedUser(), "{\"users\": [\"Ab\\ud800cd\"],"
                + " \"wikis\": [\"en\\udc00wiki\"]}"))
                .isInstanceOf(InvalidParametersException.class)
                .satisfies(e -> assertThat(((InvalidParametersException) e).errors()).extracting(ParameterError::parameter)
                        .containsExactlyInAnyOrder("users", "wikis"));
        WatchedUserRule watched = (WatchedUserRule) apply(AlertEvaluatorTest.RULES.watchedUser(),
                "{\"users\": [\"Ab\\ud83d\\ude00cd\"]}");
        assertThat(watched.users()).containsExactly("Ab\ud83d\ude00cd");
    }

    @Test
    void shouldRefuseMoreBaselineWindowsThanTheSpikeStateIsSizedFor() throws Exception {
        assertThat(((PageSpikeRule) apply(AlertEvaluatorTest.RULES.pageSpike(), "{\"baselineWindows\": 60}"))
                .baselineWindows()).isEqualTo(60);
        // 1,440 windows were accepted: 11.5 KB per tracked page, over a GB per partition at the default bound.
        assertThatThrownBy(() -> apply(AlertEvaluatorTest.RULES.pageSpike(), "{\"baselineWindows\": 61}"))
                .satisfies(e -> assertThat(((InvalidParametersException) e).errors()).extracting(ParameterError::parameter)
                        .containsExactly("baselineWindows"));
        assertThatThrownBy(() -> new PageSpikeRule(true, Severity.INFO, 60, 20, 5, 1440))
                .as("a configured value out of range stops the start, naming the property")
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("baseline-windows");
    }

    /** Onto a rule that differs in every field: a field written or read under another name keeps the base's value. */
    @Test
    void shouldReadBackWhatItWrote() throws Exception {
        for (Rule rule : AlertEvaluatorTest.RULES.all()) {
            Rule base = rule instanceof WatchedUserRule ? new WatchedUserRule(false, Severity.INFO, 1, java.util.Set.of(), java.util.Set.of("basewiki"))
                    : rule instanceof PageSpikeRule ? new PageSpikeRule(false, Severity.INFO, 1, 1, 2, 1)
                    : rule instanceof BotSurgeRule ? new BotSurgeRule(false, Severity.CRITICAL, 1, 1, 0.5)
                    : new MassBlankingRule(false, Severity.INFO, 1, 1, 1, 1);
            for (var component : rule.getClass().getRecordComponents()) {
                assertThat(component.getAccessor().invoke(base)).as("%s.%s differs in the base", rule.name(), component.getName())
                        .isNotEqualTo(component.getAccessor().invoke(rule));
            }
            assertThat(RuleJson.apply(base, JSON.valueToTree(rule))).isEqualTo(rule);
        }
    }
}
