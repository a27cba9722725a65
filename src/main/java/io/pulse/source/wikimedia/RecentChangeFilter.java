package io.pulse.source.wikimedia;

import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** The client-side filter: EventStreams has no server-side filtering. */
public final class RecentChangeFilter {

    private final Set<String> wikis;
    private final Set<String> types;
    private final WikimediaConfig.BotPolicy bots;

    public RecentChangeFilter(List<String> wikis, List<String> types, WikimediaConfig.BotPolicy bots) {
        this.wikis = normalise(wikis);
        this.types = normalise(types);
        this.bots = bots;
    }

    public static RecentChangeFilter from(WikimediaConfig.Filter config) {
        return new RecentChangeFilter(config.wikis().orElse(List.of()), config.types().orElse(List.of()),
                config.bots());
    }

    public boolean accepts(RecentChange change) {
        return (wikis.isEmpty() || wikis.contains(change.wiki()) || wikis.contains(change.domain()))
                && (types.isEmpty() || types.contains(change.type()))
                && switch (bots) {
                    case INCLUDE -> true;
                    case EXCLUDE -> !change.bot();
                    case ONLY -> change.bot();
                };
    }

    private static Set<String> normalise(List<String> values) {
        return values.stream().map(String::trim).filter(v -> !v.isEmpty()).collect(Collectors.toUnmodifiableSet());
    }
}
