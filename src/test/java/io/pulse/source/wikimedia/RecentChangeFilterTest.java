package io.pulse.source.wikimedia;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import io.pulse.source.wikimedia.WikimediaConfig.BotPolicy;

class RecentChangeFilterTest {

    private static final RecentChange EN_EDIT = change("enwiki", "en.wikipedia.org", "edit", false);
    private static final RecentChange EN_BOT_EDIT = change("enwiki", "en.wikipedia.org", "edit", true);
    private static final RecentChange WIKIDATA_NEW = change("wikidatawiki", "www.wikidata.org", "new", false);
    private static final RecentChange COMMONS_LOG = change("commonswiki", "commons.wikimedia.org", "log", true);
    private static final List<RecentChange> ALL = List.of(EN_EDIT, EN_BOT_EDIT, WIKIDATA_NEW, COMMONS_LOG);

    @Test
    void shouldAcceptEverythingWithoutRestrictions() {
        RecentChangeFilter filter = new RecentChangeFilter(List.of(), List.of(), BotPolicy.INCLUDE);

        assertEquals(ALL, accepted(filter));
    }

    @Test
    void shouldSelectWikisByWikiId() {
        RecentChangeFilter filter = new RecentChangeFilter(List.of("enwiki", "commonswiki"), List.of(),
                BotPolicy.INCLUDE);

        assertEquals(List.of(EN_EDIT, EN_BOT_EDIT, COMMONS_LOG), accepted(filter));
    }

    @Test
    void shouldSelectWikisByDomain() {
        RecentChangeFilter filter = new RecentChangeFilter(List.of("www.wikidata.org"), List.of(), BotPolicy.INCLUDE);

        assertEquals(List.of(WIKIDATA_NEW), accepted(filter));
    }

    @Test
    void shouldTrimConfiguredValuesAndIgnoreBlankOnes() {
        RecentChangeFilter filter = new RecentChangeFilter(List.of(" enwiki ", " "), List.of("", " edit"),
                BotPolicy.INCLUDE);

        assertEquals(List.of(EN_EDIT, EN_BOT_EDIT), accepted(filter));
    }

    @Test
    void shouldTreatOnlyBlankValuesAsNoRestriction() {
        RecentChangeFilter filter = new RecentChangeFilter(List.of(" "), List.of(""), BotPolicy.INCLUDE);

        assertEquals(ALL, accepted(filter));
    }

    @Test
    void shouldSelectTypes() {
        RecentChangeFilter filter = new RecentChangeFilter(List.of(), List.of("new", "log"), BotPolicy.INCLUDE);

        assertEquals(List.of(WIKIDATA_NEW, COMMONS_LOG), accepted(filter));
    }

    @Test
    void shouldExcludeBots() {
        RecentChangeFilter filter = new RecentChangeFilter(List.of(), List.of(), BotPolicy.EXCLUDE);

        assertEquals(List.of(EN_EDIT, WIKIDATA_NEW), accepted(filter));
    }

    @Test
    void shouldKeepOnlyBots() {
        RecentChangeFilter filter = new RecentChangeFilter(List.of(), List.of(), BotPolicy.ONLY);

        assertEquals(List.of(EN_BOT_EDIT, COMMONS_LOG), accepted(filter));
    }

    @Test
    void shouldRequireEveryRestrictionAtOnce() {
        RecentChangeFilter filter = new RecentChangeFilter(List.of("enwiki", "commonswiki"), List.of("edit"),
                BotPolicy.EXCLUDE);

        assertTrue(filter.accepts(EN_EDIT));
        assertFalse(filter.accepts(EN_BOT_EDIT), "a bot");
        assertFalse(filter.accepts(COMMONS_LOG), "not an edit");
        assertFalse(filter.accepts(WIKIDATA_NEW), "another wiki");
    }

    private static List<RecentChange> accepted(RecentChangeFilter filter) {
        return ALL.stream().filter(filter::accepts).toList();
    }

    private static RecentChange change(String wiki, String domain, String type, boolean bot) {
        return new RecentChange(wiki + "-" + type + "-" + bot, domain, wiki, type, 0, "Page", "Someone", bot,
                1_690_617_099_000L, 10, null);
    }
}
