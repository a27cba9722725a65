package io.pulse.alert;

import java.util.List;

/** The four rules in force; immutable, replaced as a whole when one rule changes. */
public record RuleSet(WatchedUserRule watchedUser, PageSpikeRule pageSpike, BotSurgeRule botSurge,
        MassBlankingRule massBlanking) {

    public static final List<String> NAMES = List.of(WatchedUserRule.NAME, PageSpikeRule.NAME, BotSurgeRule.NAME,
            MassBlankingRule.NAME);

    public List<Rule> all() {
        return List.of(watchedUser, pageSpike, botSurge, massBlanking);
    }

    public RuleSet with(Rule rule) {
        if (rule instanceof WatchedUserRule r) {
            return new RuleSet(r, pageSpike, botSurge, massBlanking);
        } else if (rule instanceof PageSpikeRule r) {
            return new RuleSet(watchedUser, r, botSurge, massBlanking);
        } else if (rule instanceof BotSurgeRule r) {
            return new RuleSet(watchedUser, pageSpike, r, massBlanking);
        }
        return new RuleSet(watchedUser, pageSpike, botSurge, (MassBlankingRule) rule);
    }

    public Rule get(String name) {
        return all().stream().filter(r -> r.name().equals(name)).findFirst().orElse(null);
    }
}
