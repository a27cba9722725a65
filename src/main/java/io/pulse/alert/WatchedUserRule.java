package io.pulse.alert;

import java.util.Set;

import io.pulse.source.wikimedia.RecentChange;

/** Any change by a user on the watch list, optionally only on some wikis (empty = every wiki). */
public record WatchedUserRule(boolean enabled, Severity severity, long cooldownSeconds, Set<String> users,
        Set<String> wikis) implements Rule {

    public static final String NAME = "watched-user";

    public WatchedUserRule {
        users = Set.copyOf(users);
        wikis = Set.copyOf(wikis);
    }

    @Override
    public String name() {
        return NAME;
    }

    public boolean matches(RecentChange change) {
        return enabled && change.user() != null && users.contains(change.user())
                && (wikis.isEmpty() || wikis.contains(change.wiki()) || wikis.contains(change.domain()));
    }
}
